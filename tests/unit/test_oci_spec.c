/* test_oci_spec.c — unit tests for common/oci_spec.c: a bundle's
 * config.json read into tdg's settings.
 *
 * What podman and containerd write must be read exactly (mount options into
 * flags and filesystem data, namespaces to make or to join, limits), and
 * what tdg does not honour must be refused with the field's name, never
 * dropped: each case writes a config.json into a temporary bundle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "oci_spec.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static char bundle[] = "/tmp/test_oci_spec.XXXXXX";

/* A config.json around PROCESS, LINUX and EXTRA (top-level fields). */
static int load(struct oci_spec *s, const char *process, const char *linux_, const char *extra)
{
	char path[256];
	snprintf(path, sizeof path, "%s/config.json", bundle);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, %s"
		   "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"env\": [\"A=1\"]%s},"
		   "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"pid\"}]%s}}",
		extra ? extra : "", process ? process : "", linux_ ? linux_ : "");
	fclose(f);
	fail_last.msg[0] = '\0';
	return oci_spec_load(bundle, s);
}

static void refused(const char *process, const char *linux_, const char *extra, const char *needle)
{
	struct oci_spec s;
	if (load(&s, process, linux_, extra) != -1) {
		oci_spec_free(&s);
		fail_msg("accepted; want a refusal naming '%s'", needle);
	}
	if (!strstr(fail_last.msg, needle))
		fail_msg("refused with '%s'; want '%s' in it", fail_last.msg, needle);
	assert_null(s.json); /* nothing left to free */
}

static void test_minimal(void **state)
{
	(void)state;
	struct oci_spec s;
	assert_int_equal(load(&s, NULL, NULL, NULL), 0);
	assert_string_equal(s.args[0], "sh");
	assert_null(s.args[1]);
	assert_string_equal(s.env[0], "A=1");
	assert_string_equal(s.cwd, "/");
	char want[300];
	snprintf(want, sizeof want, "%s/rootfs", bundle); /* relative to the bundle */
	assert_string_equal(s.root, want);
	assert_int_equal(s.clone_flags, CLONE_NEWNS | CLONE_NEWPID);
	assert_int_equal(s.umask, -1);
	assert_false(s.has_bounding); /* no capabilities object: tdg's 14 */
	oci_spec_free(&s);
}

/* podman's own mounts: flags split from the filesystem's data. */
static void test_mounts(void **state)
{
	(void)state;
	struct oci_spec s;
	assert_int_equal(
		load(&s, NULL, NULL,
		     "\"mounts\": ["
		     "{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\","
		     " \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\","
		     " \"mode=0620\", \"gid=5\"]},"
		     "{\"destination\": \"/etc/hosts\", \"type\": \"bind\", \"source\": \"/x/hosts\","
		     " \"options\": [\"rbind\", \"rprivate\", \"ro\", \"nodev\"]},"
		     "{\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
		     " \"options\": [\"rw\", \"tmpcopyup\", \"size=1m\"]}],"),
		0);
	assert_int_equal(s.nmounts, 3);
	assert_int_equal(s.mounts[0].flags, MS_NOSUID | MS_NOEXEC);
	assert_string_equal(s.mounts[0].data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	assert_true(s.mounts[1].bind);
	assert_int_equal(s.mounts[1].flags, MS_BIND | MS_REC | MS_RDONLY | MS_NODEV);
	assert_int_equal(s.mounts[1].propagation, MS_PRIVATE | MS_REC);
	assert_string_equal(s.mounts[1].data, "");
	assert_int_equal(s.mounts[2].flags, 0);
	assert_string_equal(s.mounts[2].data, "size=1m");
	oci_spec_free(&s);
}

static void test_namespaces_limits_user(void **state)
{
	(void)state;
	struct oci_spec s;
	assert_int_equal(
		load(&s,
		     ", \"user\": {\"uid\": 1000, \"gid\": 1001, \"additionalGids\": [5, 6],"
		     " \"umask\": 18}, \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 512,"
		     " \"hard\": 1024}], \"oomScoreAdj\": 100, \"capabilities\":"
		     " {\"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\"]}",
		     ", \"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"network\","
		     " \"path\": \"/run/netns/x\"}, {\"type\": \"uts\"}],"
		     " \"resources\": {\"memory\": {\"limit\": 67108864, \"swap\": 134217728},"
		     " \"pids\": {\"limit\": 50}, \"cpu\": {\"quota\": 50000, \"period\": 100000}},"
		     " \"cgroupsPath\": \"/libpod_parent/libpod-1\","
		     " \"sysctl\": {\"net.ipv4.ping_group_range\": \"0 0\"}",
		     "\"hostname\": \"box\","),
		0);
	assert_int_equal(s.clone_flags, CLONE_NEWNS | CLONE_NEWUTS);
	assert_int_equal(s.njoin, 1);
	assert_int_equal(s.join[0].type, CLONE_NEWNET);
	assert_string_equal(s.join[0].path, "/run/netns/x");
	assert_int_equal(s.limits.memory, 67108864);
	assert_int_equal(s.limits.pids, 50);
	assert_int_equal(s.limits.cpu_quota, 50000);
	assert_string_equal(s.cgroups_path, "/libpod_parent/libpod-1");
	assert_int_equal(s.uid, 1000);
	assert_int_equal(s.gid, 1001);
	assert_int_equal(s.ngids, 2);
	assert_int_equal(s.umask, 18);
	assert_int_equal(s.nrlimits, 1);
	assert_int_equal(s.rlim_soft[0], 512);
	assert_true(s.has_oom_score_adj);
	assert_true(s.has_bounding);
	assert_int_equal(s.nbounding, 2);
	assert_string_equal(s.bounding[1], "CAP_CHOWN");
	assert_string_equal(s.hostname, "box");
	oci_spec_free(&s);
}

/* Each refusal names the field (kernel.panic: a sysctl of no namespace
 * the container owns, the host's). */
static void test_refusals(void **state)
{
	(void)state;
	refused(NULL, NULL, "\"hooks\": {\"createContainer\": [{\"path\": \"/bin/true\"}]},",
		"hooks.createContainer");
	refused(NULL, NULL, "\"hooks\": {\"prestart\": [{\"path\": \"true\"}]},",
		"hooks.prestart[0].path");
	refused(NULL, ", \"uidMappings\": [{\"containerID\": 0}]", NULL, "linux.uidMappings");
	refused(NULL, NULL, "\"frobnicate\": 1,", "frobnicate");
	refused(", \"selinuxLabel\": \"x\"", NULL, NULL, "process.selinuxLabel");
	refused(NULL, ", \"sysctl\": {\"kernel.panic\": \"1\"}", NULL, "kernel.panic");
	refused(NULL, ", \"cgroupsPath\": \"system.slice:tdg:x\"", NULL, "--cgroup-manager=cgroupfs");
	refused(", \"capabilities\": {\"bounding\": [\"CAP_SYS_ADMIN\"]}", NULL, NULL,
		"CAP_SYS_ADMIN");
	refused(NULL, ", \"resources\": {\"blockIO\": {}}", NULL, "linux.resources.blockIO");
	refused(", \"rlimits\": [{\"type\": \"RLIMIT_BOGUS\"}]", NULL, NULL, "RLIMIT_BOGUS");
	refused(NULL, NULL,
		"\"mounts\": [{\"destination\": \"/x\", \"type\": \"bind\", \"source\": \"rel\"}],",
		"mounts[0].source");
	refused(NULL, NULL, "\"mounts\": [{\"destination\": \"x\", \"type\": \"tmpfs\"}],",
		"mounts[0].destination");
	refused(NULL, NULL, "\"hostname\": \"h\",", "uts namespace");
}

static void test_signal_numbers(void **state)
{
	(void)state;
	assert_int_equal(oci_signal_number("9"), SIGKILL);
	assert_int_equal(oci_signal_number("SIGTERM"), SIGTERM);
	assert_int_equal(oci_signal_number("term"), SIGTERM);
	assert_int_equal(oci_signal_number("KILL"), SIGKILL);
	assert_int_equal(oci_signal_number("0"), -1);
	assert_int_equal(oci_signal_number("65"), -1);
	assert_int_equal(oci_signal_number("SIGNOPE"), -1);
	assert_int_equal(oci_signal_number(""), -1);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(bundle) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/config.json", bundle);
	unlink(path);
	return rmdir(bundle);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_mounts),
		cmocka_unit_test(test_namespaces_limits_user),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_signal_numbers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
