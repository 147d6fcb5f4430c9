/* test_container.c — unit tests for common/container.c and logs.c: the
 * failures that used to end tdg (die) and now return with the reason, so
 * a test sees them without a fork, and the release table.
 *   - container_new() of a name already taken: NULL, the exact line, and
 *     no second record;
 *   - container_stop() of a container whose config.json is corrupt: -1
 *     (there is no pid to signal), not a silent success;
 *   - logs_print() of a container that has no log: -1, Docker's hint;
 *   - container_release() runs what container_on_release() registered,
 *     last registered first (the last resource made is released first),
 *     and container_discard() then removes the record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "container.h"
#include "fail.h"
#include "logs.h"
#include "state.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ROOT_TEMPLATE "/tmp/tdg-unit-container-XXXXXX"
static char root[sizeof ROOT_TEMPLATE]; /* this test's TDG_ROOT */
static char *const command[] = {"/bin/true", NULL};

static int make_root(void **state)
{
	(void)state;
	strcpy(root, ROOT_TEMPLATE);
	return mkdtemp(root) && setenv("TDG_ROOT", root, 1) == 0 ? 0 : -1;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int remove_root(void **state)
{
	(void)state;
	unsetenv("TDG_ROOT");
	return nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_new_with_a_taken_name(void **state)
{
	(void)state;
	char want[256];
	json_t *first = container_new(command, "web", NULL, "/rootfs");
	assert_non_null(first);
	assert_string_equal(state_str(first, "status"), "created");
	assert_string_equal(state_str(first, "hostname"), state_str(first, "id"));

	fail_last.msg[0] = '\0';
	assert_null(container_new(command, "web", NULL, "/rootfs"));
	snprintf(want, sizeof want, "run: the name 'web' is already used by container %s; "
		 "pick another, or remove that one (tdg rm web, from day 06)",
		 state_str(first, "id"));
	assert_string_equal(fail_last.msg, want);

	size_t n;
	json_t **list = state_list(&n);
	assert_non_null(list);
	assert_int_equal(n, 1); /* no half-made second one */
	state_free_list(list, n);
	json_decref(first);
}

static void test_stop_of_a_corrupt_record(void **state)
{
	(void)state;
	char path[PATH_MAX];
	json_t *c = container_new(command, NULL, NULL, "/rootfs");
	assert_non_null(c);
	const char *id = state_str(c, "id");
	state_path(path, sizeof path, id, "config.json");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("not json {{{", f);
	fclose(f);

	assert_int_equal(container_stop(id, 0), -1);
	assert_non_null(strstr(fail_last.msg, "config.json is not valid tdg metadata"));
	json_decref(c);
}

static void test_logs_without_a_log(void **state)
{
	(void)state;
	char want[256];
	json_t *c = container_new(command, NULL, NULL, "/rootfs");
	assert_non_null(c);
	assert_int_equal(logs_print(state_str(c, "id"), false), -1);
	snprintf(want, sizeof want, "logs: %s ran in the foreground on a terminal, so its "
		 "output went there; run it with -d to capture it", state_str(c, "id"));
	assert_string_equal(fail_last.msg, want);
	json_decref(c);
}

static char order[8];
static void release_a(json_t *c)
{
	(void)c;
	strcat(order, "a");
}
static void release_b(json_t *c)
{
	(void)c;
	strcat(order, "b");
}

static void test_release_order_and_discard(void **state)
{
	(void)state;
	json_t *c = container_new(command, NULL, NULL, "/rootfs");
	assert_non_null(c);
	container_on_release(release_a); /* made first */
	container_on_release(release_b); /* made last: released first */
	container_discard(c);
	assert_string_equal(order, "ba");
	assert_null(state_load(state_str(c, "id"))); /* the record is gone */
	json_decref(c);
}

#define T(name) cmocka_unit_test_setup_teardown(name, make_root, remove_root)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_new_with_a_taken_name),
		T(test_stop_of_a_corrupt_record),
		T(test_logs_without_a_log),
		T(test_release_order_and_discard), /* last: it fills the table */
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
