/* test_registry.c — unit tests for common/registry.c: a folder of files,
 * each naming its holder (the address leases of day 09, the published
 * ports of day 10).
 *
 * What they pin down: a claim makes the file with the id already in it
 * and leaves no temp file; a name someone holds is refused (EEXIST) and
 * left as it was; a name that names nobody (an empty file, as a tdg killed
 * between creating and writing it left before the registry existed: issue
 * 12's "already published by container" for ever) is taken over; a release
 * by another id leaves the file, and a release removes a claim's temp file
 * cut short by a kill. None of it exits: failures come back as -1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "registry.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[PATH_MAX];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "%s/tdg-registry.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The text of DIR/NAME, or "(none)" if there is no such file. */
static const char *content(const char *name)
{
	static char buf[128];
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return "(none)";
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void put(const char *name, const char *text)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* How many entries the folder has, temp (dot) files included. */
static int entries(void)
{
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static void test_claim_writes_the_id_and_leaves_no_temp_file(void **state)
{
	(void)state;
	char holder[64];
	assert_int_equal(registry_holder(dir, "tcp-8080", holder, sizeof holder), 0);
	assert_int_equal(registry_claim(dir, "tcp-8080", "aaaaaaaaaaaa"), 0);
	assert_string_equal(content("tcp-8080"), "aaaaaaaaaaaa");
	assert_int_equal(registry_holder(dir, "tcp-8080", holder, sizeof holder), 1);
	assert_string_equal(holder, "aaaaaaaaaaaa");
	assert_int_equal(entries(), 1);
	assert_int_equal(registry_count(dir), 1);
}

static void test_a_taken_name_is_refused_and_left_as_it_was(void **state)
{
	(void)state;
	assert_int_equal(registry_claim(dir, "10.10.0.2", "aaaaaaaaaaaa"), 0);
	fail_last.msg[0] = '\0';
	errno = 0;
	assert_int_equal(registry_claim(dir, "10.10.0.2", "bbbbbbbbbbbb"), -1);
	assert_int_equal(errno, EEXIST);
	assert_non_null(strstr(fail_last.msg, "10.10.0.2: File exists"));
	assert_string_equal(content("10.10.0.2"), "aaaaaaaaaaaa");
	assert_int_equal(entries(), 1); /* the refused claim's temp file is gone */
}

/* The repro: an empty holder file, as a SIGKILL between create and
 * write once left. It names nobody: free, and the next claim takes it. */
static void test_an_empty_holder_is_stale_and_taken_over(void **state)
{
	(void)state;
	char holder[64] = "x";
	put("tcp-18094", "");
	assert_int_equal(registry_holder(dir, "tcp-18094", holder, sizeof holder), 0);
	assert_string_equal(holder, "");
	assert_int_equal(registry_claim(dir, "tcp-18094", "cccccccccccc"), 0);
	assert_string_equal(content("tcp-18094"), "cccccccccccc");
	assert_int_equal(entries(), 1);
}

static void test_a_release_by_another_leaves_it(void **state)
{
	(void)state;
	assert_int_equal(registry_claim(dir, "udp-53", "aaaaaaaaaaaa"), 0);
	registry_release(dir, "udp-53", "bbbbbbbbbbbb"); /* a stale call */
	assert_string_equal(content("udp-53"), "aaaaaaaaaaaa");
	registry_release(dir, "udp-53", "aaaaaaaaaaaa");
	assert_string_equal(content("udp-53"), "(none)");
	registry_release(dir, "udp-53", "aaaaaaaaaaaa"); /* twice: nothing to do */
	assert_int_equal(entries(), 0);
}

static void test_a_release_removes_an_empty_one_and_a_cut_claim(void **state)
{
	(void)state;
	put("10.10.0.3", "");
	put(".10.10.0.4.dddddddddddd", "dddddddddddd"); /* killed before link() */
	assert_int_equal(registry_count(dir), 1);	 /* temp files are not held */
	registry_release(dir, "10.10.0.3", "eeeeeeeeeeee");
	registry_release(dir, "10.10.0.4", "dddddddddddd");
	assert_int_equal(entries(), 0);
	assert_int_equal(registry_count(dir), 0);
}

static void test_a_claim_that_cannot_write_returns_minus_one(void **state)
{
	(void)state;
	char missing[PATH_MAX + 16];
	snprintf(missing, sizeof missing, "%s/no-such-folder", dir);
	fail_last.msg[0] = '\0';
	assert_int_equal(registry_claim(missing, "tcp-1", "aaaaaaaaaaaa"), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(fail_last.msg, "no-such-folder"));
	assert_int_equal(entries(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_claim_writes_the_id_and_leaves_no_temp_file,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_a_taken_name_is_refused_and_left_as_it_was,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_an_empty_holder_is_stale_and_taken_over,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_a_release_by_another_leaves_it, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_a_release_removes_an_empty_one_and_a_cut_claim,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_a_claim_that_cannot_write_returns_minus_one,
						make_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
