/* test_state.c — unit tests for common/state.c: the containers/ folder.
 *
 * Every command after `run` trusts what state.c reads back, and several
 * tdg processes use it at once, so these cases check its promises one by
 * one, in a mkdtemp() folder set as TDG_ROOT (never /var/lib/tdg):
 *   - state_root honours TDG_ROOT (and falls back when it is unset or "");
 *   - state_create + state_load give back the same JSON; a taken id is
 *     refused with EEXIST and the first container's file is left alone;
 *   - state_save replaces config.json by rename, so no temp file remains;
 *   - state_load tells "no such container" (ENOENT) from "not our file"
 *     (EINVAL: corrupt JSON, not an object, or an "id" naming another
 *     folder), since `tdg ps` warns about the second but not the first;
 *   - state_list skips folders that are not ids and sorts by created_at,
 *     not by the order readdir() happens to give;
 *   - state_find by full id, unique prefix and name, a name beating a
 *     prefix (Docker's order); an ambiguous or unknown ref is -1 with one
 *     exact reason in fail_last (state.c never exits, so no fork is needed);
 *   - failures that used to end tdg now return -1 with the reason: a save
 *     into a folder that is gone or read-only, a corrupt config.json, a
 *     TDG_ROOT whose paths do not fit;
 *   - state_remove removes the folder and all it holds, and nothing else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "id.h"
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROOT_TEMPLATE "/tmp/tdg-unit-state-XXXXXX"
static char root[sizeof ROOT_TEMPLATE]; /* this test's TDG_ROOT */

/* A fresh TDG_ROOT with an empty containers/ for each test. */
static int make_root(void **state)
{
	(void)state;
	strcpy(root, ROOT_TEMPLATE);
	if (!mkdtemp(root) || setenv("TDG_ROOT", root, 1) != 0)
		return -1;
	int lock = state_lock_all(); /* makes containers/ */
	if (lock < 0)
		return -1;
	state_unlock(lock);
	return 0;
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

/* Metadata as `tdg run` would record it (the fields these tests need). */
static json_t *container(const char *id, const char *name, const char *created_at)
{
	return json_pack("{s:s, s:s, s:[s, s], s:s, s:s}", "id", id, "name", name,
			 "command", "sleep", "60", "status", "created",
			 "created_at", created_at);
}

static void create(const char *id, const char *name, const char *created_at)
{
	json_t *c = container(id, name, created_at);
	assert_int_equal(state_create(c), 0);
	json_decref(c);
}

/* Write TEXT as containers/ID/config.json by hand, as a crash or another
 * program might have left it. */
static void write_config(const char *id, const char *text)
{
	char path[PATH_MAX];
	state_path(path, sizeof path, id, NULL);
	assert_int_equal(mkdir(path, 0700), 0);
	state_path(path, sizeof path, id, "config.json");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static bool exists(const char *id, const char *file)
{
	char path[PATH_MAX];
	struct stat st;
	state_path(path, sizeof path, id, file);
	return stat(path, &st) == 0;
}

static void test_root_honours_env(void **state)
{
	(void)state;
	char path[PATH_MAX], want[PATH_MAX];
	assert_string_equal(state_root(), root);
	state_path(path, sizeof path, "0123456789ab", "config.json");
	snprintf(want, sizeof want, "%s/containers/0123456789ab/config.json", root);
	assert_string_equal(path, want);

	setenv("TDG_ROOT", "", 1);
	assert_string_equal(state_root(), "/var/lib/tdg");
	unsetenv("TDG_ROOT");
	assert_string_equal(state_root(), "/var/lib/tdg");
	setenv("TDG_ROOT", root, 1);
}

static void test_create_load_round_trip(void **state)
{
	(void)state;
	json_t *c = container("0123456789ab", "web", "2024-01-02T03:04:05.000001Z");
	assert_int_equal(state_create(c), 0);
	json_t *back = state_load("0123456789ab");
	assert_non_null(back);
	assert_true(json_equal(c, back));
	assert_string_equal(state_str(back, "name"), "web");
	assert_string_equal(state_str(back, "hostname"), ""); /* missing: "" */
	assert_int_equal(state_int(back, "pid"), -1);	      /* missing: -1 */
	json_decref(back);
	json_decref(c);
}

static void test_create_existing_id(void **state)
{
	(void)state;
	create("0123456789ab", "first", "2024-01-02T03:04:05.000001Z");
	json_t *again = container("0123456789ab", "second", "2024-01-02T03:04:06.000001Z");
	errno = 0;
	assert_int_equal(state_create(again), -1);
	assert_int_equal(errno, EEXIST);
	json_decref(again);

	json_t *c = state_load("0123456789ab");
	assert_non_null(c);
	assert_string_equal(state_str(c, "name"), "first"); /* untouched */
	json_decref(c);
}

static void test_save_replaces_atomically(void **state)
{
	(void)state;
	json_t *c = container("0123456789ab", "web", "2024-01-02T03:04:05.000001Z");
	assert_int_equal(state_create(c), 0);
	json_object_set_new(c, "status", json_string("running"));
	json_object_set_new(c, "pid", json_integer(4242));
	assert_int_equal(state_save(c), 0);
	json_decref(c);

	c = state_load("0123456789ab");
	assert_non_null(c);
	assert_string_equal(state_str(c, "status"), "running");
	assert_int_equal(state_int(c, "pid"), 4242);
	json_decref(c);

	/* The folder holds config.json and nothing else: no temp file. */
	char dir[PATH_MAX];
	state_path(dir, sizeof dir, "0123456789ab", NULL);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int files = 0;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (strncmp(e->d_name, ".config.json.", 13) == 0)
			fail_msg("temp file %s left behind", e->d_name);
		files++;
	}
	closedir(d);
	assert_int_equal(files, 1);
}

static void test_load_missing(void **state)
{
	(void)state;
	errno = 0;
	assert_null(state_load("0123456789ab"));
	assert_int_equal(errno, ENOENT);
}

static void test_load_corrupt(void **state)
{
	(void)state;
	write_config("0123456789ab", "{\"id\": \"0123456789ab\", \"na"); /* cut short */
	errno = 0;
	assert_null(state_load("0123456789ab"));
	assert_int_equal(errno, EINVAL);

	write_config("ba9876543210", "[\"ba9876543210\"]\n"); /* JSON, not an object */
	errno = 0;
	assert_null(state_load("ba9876543210"));
	assert_int_equal(errno, EINVAL);
}

static void test_load_id_differs_from_folder(void **state)
{
	(void)state;
	write_config("0123456789ab", "{\"id\": \"ba9876543210\", \"name\": \"x\"}\n");
	errno = 0;
	assert_null(state_load("0123456789ab"));
	assert_int_equal(errno, EINVAL);
}

static void test_list_sorted_and_skips_non_ids(void **state)
{
	(void)state;
	/* Created out of order: by id, by creation, and by readdir all differ. */
	create("aaaaaaaaaaaa", "third", "2024-01-03T00:00:00.000000Z");
	create("cccccccccccc", "first", "2024-01-01T00:00:00.000001Z");
	create("bbbbbbbbbbbb", "second", "2024-01-01T00:00:00.000002Z");
	/* Folders that are not ids, each with a config.json of its own. */
	write_config("notes", "{\"id\": \"notes\"}\n");
	write_config("ABCDEF012345", "{\"id\": \"ABCDEF012345\"}\n");
	write_config("0123456789abc", "{\"id\": \"0123456789abc\"}\n");

	size_t n = 99;
	json_t **list = state_list(&n);
	assert_int_equal(n, 3);
	assert_string_equal(state_str(list[0], "name"), "first");
	assert_string_equal(state_str(list[1], "name"), "second");
	assert_string_equal(state_str(list[2], "name"), "third");
	state_free_list(list, n);
}

static void test_list_empty(void **state)
{
	(void)state;
	size_t n = 99;
	json_t **list = state_list(&n);
	assert_non_null(list); /* NULL means failure; none is an empty list */
	assert_int_equal(n, 0);
	state_free_list(list, n);
}

/* Three containers for the state_find tests: two ids that share the
 * prefix "aaaa", and a third whose NAME is "aaaa". */
static void create_three(void)
{
	create("aaaa11112222", "first", "2024-01-01T00:00:00.000000Z");
	create("aaaa33334444", "second", "2024-01-02T00:00:00.000000Z");
	create("bbbb55556666", "aaaa", "2024-01-03T00:00:00.000000Z");
}

/* state_find(REF) must give the id WANT. */
static void expect_found(const char *ref, const char *want)
{
	char id[TDG_ID_LEN + 1] = "";
	assert_int_equal(state_find(ref, id), 0);
	assert_string_equal(id, want);
}

/* state_find(REF) must fail with exactly the reason WANT. */
static void expect_not_found(const char *ref, const char *want)
{
	char id[TDG_ID_LEN + 1] = "";
	fail_last.msg[0] = '\0';
	assert_int_equal(state_find(ref, id), -1);
	assert_string_equal(fail_last.msg, want);
}

static void test_find(void **state)
{
	(void)state;
	create_three();
	expect_found("aaaa11112222", "aaaa11112222"); /* full id */
	expect_found("aaaa1", "aaaa11112222");	       /* unique prefixes */
	expect_found("aaaa3", "aaaa33334444");
	expect_found("b", "bbbb55556666");
	expect_found("second", "aaaa33334444"); /* a name */
	/* "aaaa" is a prefix of two ids and the name of a third: the name wins. */
	expect_found("aaaa", "bbbb55556666");
}

static void test_find_ambiguous_and_unknown(void **state)
{
	(void)state;
	create_three();
	expect_not_found("aaa", "'aaa' matches 2 containers; give more of the id");
	expect_not_found("zzz", "no such container: 'zzz'; 'tdg ps -a' lists them");
	expect_not_found("", "no such container: ''; 'tdg ps -a' lists them");
}

/* Used to end tdg (die): a save whose folder is gone, or read-only. */
static void test_save_fails_with_the_reason(void **state)
{
	(void)state;
	char dir[PATH_MAX], want[PATH_MAX + 64];
	json_t *c = container("0123456789ab", "web", "2024-01-02T03:04:05.000001Z");
	assert_int_equal(state_create(c), 0);
	state_path(dir, sizeof dir, "0123456789ab", NULL);

	assert_int_equal(chmod(dir, 0500), 0);
	if (access(dir, W_OK) != 0) { /* root ignores the mode bits */
		assert_int_equal(state_save(c), -1);
		assert_int_equal(errno, EACCES);
		snprintf(want, sizeof want, "state: write %s/config.json: Permission denied", dir);
		assert_string_equal(fail_last.msg, want);
	}
	assert_int_equal(chmod(dir, 0700), 0);

	state_remove("0123456789ab");
	assert_int_equal(state_save(c), -1);
	assert_int_equal(errno, ENOENT);
	snprintf(want, sizeof want, "state: write %s/config.json: No such file or directory",
		 dir);
	assert_string_equal(fail_last.msg, want);
	json_decref(c);
}

/* A corrupt config.json: NULL, errno EINVAL and a reason naming it. */
static void test_load_corrupt_says_why(void **state)
{
	(void)state;
	write_config("0123456789ab", "not json {{{");
	assert_null(state_load("0123456789ab"));
	assert_string_equal(fail_last.msg,
			    "0123456789ab: config.json is not valid tdg metadata");
	assert_null(state_load("ba9876543210"));
	assert_string_equal(fail_last.msg, "no such container: 'ba9876543210'");
}

/* A TDG_ROOT too long for a path: -1 and an empty path, never a cut one. */
static void test_path_too_long(void **state)
{
	(void)state;
	char out[40] = "x"; /* TDG_ROOT alone is 26 */
	assert_int_equal(state_path(out, sizeof out, "0123456789ab", "config.json"), -1);
	assert_string_equal(out, "");
	assert_int_equal(errno, ENAMETOOLONG);
	assert_true(strncmp(fail_last.msg, "state: path too long under ", 27) == 0);
}

static void test_remove(void **state)
{
	(void)state;
	create("0123456789ab", "web", "2024-01-02T03:04:05.000001Z");
	create("ba9876543210", "db", "2024-01-02T03:04:06.000001Z");
	char path[PATH_MAX];
	state_path(path, sizeof path, "0123456789ab", "container.log");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("hello\n", f);
	fclose(f);
	state_path(path, sizeof path, "0123456789ab", "extra");
	assert_int_equal(mkdir(path, 0755), 0);

	state_remove("0123456789ab");
	assert_false(exists("0123456789ab", NULL));
	assert_true(exists("ba9876543210", "config.json")); /* the other stays */
	assert_true(exists(NULL, NULL));		     /* and containers/ */
}

#define T(name) cmocka_unit_test_setup_teardown(name, make_root, remove_root)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_root_honours_env),
		T(test_create_load_round_trip),
		T(test_create_existing_id),
		T(test_save_replaces_atomically),
		T(test_load_missing),
		T(test_load_corrupt),
		T(test_load_id_differs_from_folder),
		T(test_list_sorted_and_skips_non_ids),
		T(test_list_empty),
		T(test_find),
		T(test_find_ambiguous_and_unknown),
		T(test_save_fails_with_the_reason),
		T(test_load_corrupt_says_why),
		T(test_path_too_long),
		T(test_remove),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
