/* fuzz_bundle.c — reading an OCI bundle's config.json (day 10, the OCI
 * runtime; common/oci_spec.c): the input is the file, as podman or
 * containerd would write it, or anyone who can hand tdg a bundle. A
 * refusal must say why (and leave nothing to free); what is taken must be
 * in range: a command, absolute cwd and mount destinations, binds with an
 * absolute source, at most OCI_MAX of each list, a new mount namespace.
 * The same input is also tried as a signal name, as `tdg kill` takes one. */
#include "fuzz.h"
#include "oci_spec.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>

static char bundle[] = "/tmp/tdg-fuzz-bundle.XXXXXX";
static char path[sizeof bundle + 16];

static void remove_bundle(void)
{
	unlink(path);
	rmdir(bundle);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (!mkdtemp(bundle))
		abort();
	snprintf(path, sizeof path, "%s/config.json", bundle);
	atexit(remove_bundle);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd) != 0)
		abort();
	struct oci_spec s;
	fail_last.msg[0] = '\0';
	if (oci_spec_load(bundle, &s) != 0) {
		check(fail_last.msg[0] != '\0', "a bundle refused without a reason");
		check(s.json == NULL, "a refused bundle left its JSON to free");
	} else {
		check(s.args && s.args[0] && s.env, "no command, or no environment list");
		check(s.cwd && s.cwd[0] == '/', "cwd not absolute");
		check(s.root[0] != '\0', "no root");
		check(s.clone_flags & CLONE_NEWNS, "no mount namespace of its own");
		check(!(s.clone_flags & CLONE_NEWUSER), "a user namespace taken");
		check(s.nmounts <= OCI_MAX && s.njoin <= 8 && s.nrlimits <= OCI_MAX &&
			      s.nsysctl <= OCI_MAX && s.nbounding <= OCI_MAX,
		      "a list longer than its array");
		for (int i = 0; i < s.nmounts; i++) {
			check(s.mounts[i].dest[0] == '/', "mount destination %s", s.mounts[i].dest);
			check(!s.mounts[i].bind || s.mounts[i].source[0] == '/', "bind source");
		}
		oci_spec_free(&s);
	}
	char *str = fuzz_string(data, size);
	int sig = oci_signal_number(str);
	check(sig == -1 || (sig > 0 && sig < NSIG), "\"%s\" gave signal %d", str, sig);
	free(str);
	return 0;
}
