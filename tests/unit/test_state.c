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
 *   - state_resolve by full id, unique prefix and name, a name beating a
 *     prefix (Docker's order); an ambiguous or unknown ref dies (125) with
 *     one exact line. It runs in a forked child (child.h), so a wrong
 *     die() fails one test instead of ending the whole run;
 *   - state_remove removes the folder and all it holds, and nothing else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "child.h"
#include "id.h"
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ROOT_TEMPLATE "/tmp/tdg-unit-state-XXXXXX"
static char root[sizeof ROOT_TEMPLATE]; /* this test's TDG_ROOT */

/* A fresh TDG_ROOT with an empty containers/ for each test. */
static int make_root(void **state)
{
	(void)state;
	strcpy(root, ROOT_TEMPLATE);
	if (!mkdtemp(root) || setenv("TDG_ROOT", root, 1) != 0)
		return -1;
	state_unlock(state_lock_all()); /* makes containers/ */
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
	state_save(c);
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
	assert_int_equal(n, 0);
	state_free_list(list, n);
}

/* Three containers for the state_resolve tests: two ids that share the
 * prefix "aaaa", and a third whose NAME is "aaaa". */
static void create_three(void)
{
	create("aaaa11112222", "first", "2024-01-01T00:00:00.000000Z");
	create("aaaa33334444", "second", "2024-01-02T00:00:00.000000Z");
	create("bbbb55556666", "aaaa", "2024-01-03T00:00:00.000000Z");
}

/* In a forked child, since state_resolve() dies on a bad ref: print the
 * id it resolved to on stderr (or die() prints its line there). */
static void resolve_in_child(void *ref)
{
	char id[TDG_ID_LEN + 1];
	state_resolve(ref, id);
	fputs(id, stderr);
}

/* state_resolve(REF) must give the id WANT. */
static void expect_resolved(const char *ref, const char *want)
{
	char err[512];
	int status = run_in_child(resolve_in_child, (void *)ref, err, sizeof err);
	assert_string_equal(err, want);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* state_resolve(REF) must exit 125 with exactly the line WANT. */
static void expect_death(const char *ref, const char *want)
{
	char err[512];
	int status = run_in_child(resolve_in_child, (void *)ref, err, sizeof err);
	assert_string_equal(err, want);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 125);
}

static void test_resolve(void **state)
{
	(void)state;
	create_three();
	expect_resolved("aaaa11112222", "aaaa11112222"); /* full id */
	expect_resolved("aaaa1", "aaaa11112222");	  /* unique prefixes */
	expect_resolved("aaaa3", "aaaa33334444");
	expect_resolved("b", "bbbb55556666");
	expect_resolved("second", "aaaa33334444"); /* a name */
	/* "aaaa" is a prefix of two ids and the name of a third: the name wins. */
	expect_resolved("aaaa", "bbbb55556666");
}

static void test_resolve_ambiguous_and_unknown(void **state)
{
	(void)state;
	create_three();
	expect_death("aaa", "tdg: 'aaa' matches 2 containers; give more of the id\n");
	expect_death("zzz", "tdg: no such container: 'zzz'; 'tdg ps -a' lists them\n");
	expect_death("", "tdg: no such container: ''; 'tdg ps -a' lists them\n");
}

/* state_find(): the same answers without dying, the reason in WHY. */
static void test_find(void **state)
{
	(void)state;
	char id[TDG_ID_LEN + 1] = "", why[256] = "";
	create_three();
	assert_int_equal(state_find("aaaa", id, why, sizeof why), 0);
	assert_string_equal(id, "bbbb55556666");
	assert_int_equal(state_find("aaaa3", id, why, sizeof why), 0);
	assert_string_equal(id, "aaaa33334444");
	assert_int_equal(state_find("aaa", id, why, sizeof why), -1);
	assert_string_equal(why, "'aaa' matches 2 containers; give more of the id");
	assert_int_equal(state_find("zzz", id, why, sizeof why), -1);
	assert_string_equal(why, "no such container: 'zzz'; 'tdg ps -a' lists them");
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
		T(test_resolve),
		T(test_resolve_ambiguous_and_unknown),
		T(test_find),
		T(test_remove),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
