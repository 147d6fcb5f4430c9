/* fuzz_config.c — reading a container's config.json (day 04 on): the
 * input is the file. state_load() must take it only as an object whose
 * "id" is the container's, and refuse anything else with errno EINVAL;
 * what a taken record then goes through must cope with any field being
 * missing or of the wrong type: `tdg ps` (state_list and the table, with
 * its timestamps), `tdg inspect` (the JSON printed back), REF lookups by
 * name (state_find), the published ports read back as ports_release()
 * does. Release itself (cgroups, veth, iptables) acts on the host, so it
 * is not fuzzed here. */
#define TDG_FUZZ_STATE
#include "fuzz.h"
#include "container.h"
#include "fail.h"
#include "id.h"
#include "ports.h"
#include "timestamp.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#define ID "0123456789ab"
static char path[8192];
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_make_root();
	snprintf(path, sizeof path, "%s/containers/" ID, fuzz_root);
	mkdir(path, 0700);
	strcat(path, "/config.json");
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd) != 0)
		abort();

	errno = 0;
	json_t *c = state_load(ID);
	if (!c) {
		check(errno == EINVAL, "state_load failed with errno %d, not EINVAL", errno);
		return 0;
	}
	check(json_is_object(c) && strcmp(state_str(c, "id"), ID) == 0, "a record not of " ID);

	container_print_table(devnull, &c, 1, true);
	container_print_table(devnull, &c, 1, false);
	json_dumpf(c, devnull, JSON_INDENT(2));
	static const char *const times[] = {"created_at", "started_at", "finished_at"};
	char ago[64];
	for (size_t i = 0; i < 3; i++)
		timestamp_ago(timestamp_parse(state_str(c, times[i])), time(NULL), ago, sizeof ago);

	size_t n, i;
	json_t **list = state_list(&n), *v;
	check(list && n == 1 && strcmp(state_str(list[0], "id"), ID) == 0, "state_list gave %zu", n);
	state_free_list(list, n);

	char id[TDG_ID_LEN + 1] = "";
	const char *name = state_str(c, "name");
	/* By its name (or, the name being a prefix of its id, by that). */
	if (*name) {
		check(state_find(name, id) == 0 && strcmp(id, ID) == 0,
		      "name \"%s\" not found: %s", name, fail_last.msg);
	}
	json_array_foreach(json_object_get(c, "ports"), i, v) {
		struct port p;
		if (json_is_string(v) && ports_parse(json_string_value(v), &p) == 0)
			check(p.host && p.ctr, "a port 0 from the record");
	}
	json_decref(c);
	return 0;
}
