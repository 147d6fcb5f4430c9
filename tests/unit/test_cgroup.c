/* test_cgroup.c — unit tests for common/cgroup.c, without a real cgroupfs.
 *
 * The real /sys/fs/cgroup is never touched: every test points the module
 * at a mkdtemp() folder laid out like a cgroup tree, with plain folders and
 * files. That has one limit: a real cgroupfs fills a new cgroup folder with
 * its control files (memory.max, cgroup.procs, ...), a plain folder stays
 * empty, so cgroup_create() can never fully succeed here (the ladder tests
 * on a real host cover that). What it can check, and what these cases do:
 *   - cgroup_plan: the folders for v1 (one tree per controller) and v2;
 *   - cgroup_detect: a plain folder is no cgroup mount;
 *   - cgroup_create's refusals: a controller missing from the v2 root's
 *     cgroup.controllers, a v1 controller that is not mounted, a limit
 *     file that cannot be written, a cgroup root that is not there. Each
 *     gives -1 and records (fail.h) a failure of the host's that names
 *     what is missing, and leaves no folder behind (the cleanup promise);
 *     on v2 the controllers are enabled in the root's and tdg/'s
 *     cgroup.subtree_control before anything else, the classic trap;
 *   - cgroup_oom_killed: "oom_kill N" in memory.events (v2) and
 *     memory.oom_control (v1), with N > 0 and N = 0;
 *   - cgroup_join: a cgroup.procs that refuses the write is a failure
 *     returned and recorded (it used to end the process);
 *   - cgroup_remove: the folder, then its tdg/ parent only if empty; a
 *     folder that will not go is a warning, never the caller's failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cgroup.h"
#include "fail.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ID "0123456789ab"

#define ROOT_TEMPLATE "/tmp/tdg-unit-cgroup-XXXXXX"
static char root[sizeof ROOT_TEMPLATE]; /* this test's fake /sys/fs/cgroup */

/* ROOT/NAME, in one of two static buffers (so two can be used at once). */
static const char *at(const char *name)
{
	static char paths[2][PATH_MAX];
	static int next;
	char *p = paths[next++ % 2];
	snprintf(p, PATH_MAX, "%s/%s", root, name);
	return p;
}

static void mkdir_at(const char *name)
{
	assert_int_equal(mkdir(at(name), 0755), 0);
}

static void write_at(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static const char *read_at(const char *name)
{
	static char buf[256];
	FILE *f = fopen(at(name), "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static bool exists_at(const char *name)
{
	struct stat st;
	return stat(at(name), &st) == 0;
}

/* A fresh, empty fake root for each test; removed with all it holds. */
static int make_root(void **state)
{
	(void)state;
	strcpy(root, ROOT_TEMPLATE);
	return mkdtemp(root) ? 0 : -1;
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
	return nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_plan_v2(void **state)
{
	(void)state;
	struct cgroup cg;
	assert_int_equal(cgroup_plan(&cg, "/sys/fs/cgroup", CGROUP_V2, ID), 1);
	assert_int_equal(cg.version, CGROUP_V2);
	assert_int_equal(cg.ndirs, 1);
	assert_string_equal(cg.dirs[0], "/sys/fs/cgroup/tdg/" ID);
	assert_int_equal(cg.procs[0], -1); /* nothing opened yet */
}

static void test_plan_v1(void **state)
{
	(void)state;
	struct cgroup cg;
	char want[PATH_MAX];
	mkdir_at("memory");
	mkdir_at("cpu");
	mkdir_at("pids");
	/* No cpuacct tree: memory, cpu and pids only. */
	assert_int_equal(cgroup_plan(&cg, root, CGROUP_V1, ID), 3);
	assert_int_equal(cg.version, CGROUP_V1);
	snprintf(want, sizeof want, "%s/memory/tdg/" ID, root);
	assert_string_equal(cg.dirs[0], want);
	snprintf(want, sizeof want, "%s/cpu/tdg/" ID, root);
	assert_string_equal(cg.dirs[1], want);
	snprintf(want, sizeof want, "%s/pids/tdg/" ID, root);
	assert_string_equal(cg.dirs[2], want);
	for (int i = 0; i < 3; i++)
		assert_int_equal(cg.procs[i], -1);
	/* A cpuacct tree of its own: a fourth folder. */
	mkdir_at("cpuacct");
	assert_int_equal(cgroup_plan(&cg, root, CGROUP_V1, ID), 4);
	snprintf(want, sizeof want, "%s/cpuacct/tdg/" ID, root);
	assert_string_equal(cg.dirs[3], want);
}

static void test_plan_v1_comounted_cpuacct(void **state)
{
	(void)state;
	struct cgroup cg;
	char link[PATH_MAX];
	mkdir_at("memory");
	mkdir_at("cpu,cpuacct");
	mkdir_at("pids");
	/* Most v1 hosts: cpu and cpuacct are links to one tree. */
	snprintf(link, sizeof link, "%s/cpu", root);
	assert_int_equal(symlink("cpu,cpuacct", link), 0);
	snprintf(link, sizeof link, "%s/cpuacct", root);
	assert_int_equal(symlink("cpu,cpuacct", link), 0);
	assert_int_equal(cgroup_plan(&cg, root, CGROUP_V1, ID), 3);
}

static void test_plan_none(void **state)
{
	(void)state;
	struct cgroup cg;
	assert_int_equal(cgroup_plan(&cg, "/sys/fs/cgroup", CGROUP_NONE, ID), 0);
	assert_int_equal(cg.ndirs, 0);
}

static void test_detect_plain_folder_is_none(void **state)
{
	(void)state;
	assert_int_equal(cgroup_detect(root), CGROUP_NONE);
	mkdir_at("memory"); /* a folder named memory is not a v1 mount */
	assert_int_equal(cgroup_detect(root), CGROUP_NONE);
	assert_int_equal(cgroup_detect(at("missing")), CGROUP_NONE);
}

/* The v2 root as a host has it: the controllers it offers, and a
 * cgroup.subtree_control to enable them in (empty here, so we can read
 * what tdg wrote). */
static void make_v2_root(const char *controllers)
{
	write_at("cgroup.controllers", controllers);
	write_at("cgroup.subtree_control", "");
}

static void test_v2_missing_controller(void **state)
{
	(void)state;
	make_v2_root("cpuset cpu io memory\n"); /* no pids */
	struct cgroup cg;
	struct limits limits = {.pids = 64};
	cgroup_plan(&cg, root, CGROUP_V2, ID);

	assert_int_equal(cgroup_create(&cg, &limits), -1);
	assert_non_null(strstr(fail_last.msg, "'pids'"));
	assert_true(fail_last.host); /* day 10 adds the hint to doctor */
	assert_non_null(strstr(fail_last.msg, "cgroup.controllers"));
	assert_false(exists_at("tdg")); /* refused before making anything */
	assert_string_equal(read_at("cgroup.subtree_control"), "");
}

/* Whole words of cgroup.controllers: "cpu" is not found in "cpuset", nor
 * "memory" missed for the newline after it (`tdg doctor` asks this too). */
static void test_has_controller_matches_whole_words(void **state)
{
	(void)state;
	assert_false(cgroup_has_controller(root, "cpu")); /* no file: none */
	make_v2_root("cpuset io memory\n");
	assert_false(cgroup_has_controller(root, "cpu"));
	assert_false(cgroup_has_controller(root, "set"));
	assert_true(cgroup_has_controller(root, "cpuset"));
	assert_true(cgroup_has_controller(root, "memory"));
	assert_false(cgroup_has_controller(root, "pids"));
}

/* tdg/ exists with its cgroup.subtree_control (a real cgroupfs would make
 * that file); <id>/ gets no memory.max, so writing the limit fails. */
static void test_v2_unwritable_limit_leaves_nothing(void **state)
{
	(void)state;
	make_v2_root("cpuset cpu io memory hugetlb pids rdma misc\n");
	mkdir_at("tdg");
	write_at("tdg/cgroup.subtree_control", "");
	struct cgroup cg;
	struct limits limits = {.memory = 134217728};
	cgroup_plan(&cg, root, CGROUP_V2, ID);

	assert_int_equal(cgroup_create(&cg, &limits), -1);
	assert_non_null(strstr(fail_last.msg, "134217728"));
	assert_non_null(strstr(fail_last.msg, "/tdg/" ID "/memory.max"));
	assert_false(exists_at("tdg/" ID));
	/* The controllers were enabled all the way down before that. */
	assert_string_equal(read_at("cgroup.subtree_control"), "+memory +cpu +pids");
	assert_string_equal(read_at("tdg/cgroup.subtree_control"), "+memory +cpu +pids");
}

/* No limits at all: the first thing missing is <id>/cgroup.procs. */
static void test_v2_no_procs_file_leaves_nothing(void **state)
{
	(void)state;
	make_v2_root("memory cpu pids\n");
	mkdir_at("tdg");
	write_at("tdg/cgroup.subtree_control", "");
	struct cgroup cg;
	struct limits none = {0};
	cgroup_plan(&cg, root, CGROUP_V2, ID);

	assert_int_equal(cgroup_create(&cg, &none), -1);
	assert_non_null(strstr(fail_last.msg, ID "/cgroup.procs"));
	assert_false(exists_at("tdg/" ID));
}

/* TDG_CGROUP_ROOT pointing nowhere: refused, nothing made. */
static void test_v2_missing_root(void **state)
{
	(void)state;
	struct cgroup cg;
	struct limits none = {0};
	char absent[PATH_MAX];
	snprintf(absent, sizeof absent, "%s/absent", root);
	cgroup_plan(&cg, absent, CGROUP_V2, ID);

	assert_int_equal(cgroup_create(&cg, &none), -1);
	assert_non_null(strstr(fail_last.msg, "the host has no 'memory' cgroup controller"));
	assert_non_null(strstr(fail_last.msg, "/absent/cgroup.controllers"));
	assert_false(exists_at("absent"));
}

/* v1: memory and cpu are mounted, pids is not. */
static void test_v1_unmounted_controller_leaves_nothing(void **state)
{
	(void)state;
	mkdir_at("memory");
	mkdir_at("cpu");
	struct cgroup cg;
	struct limits limits = {.pids = 64};
	cgroup_plan(&cg, root, CGROUP_V1, ID);

	assert_int_equal(cgroup_create(&cg, &limits), -1);
	assert_non_null(strstr(fail_last.msg, "/pids/tdg"));
	assert_non_null(strstr(fail_last.msg, "no such cgroup controller"));
	/* memory/tdg/<id> and cpu/tdg/<id> were made, then removed, and
	 * their tdg/ parents with them, since they are empty again. */
	assert_false(exists_at("memory/tdg"));
	assert_false(exists_at("cpu/tdg"));
	assert_true(exists_at("memory")); /* the mounts themselves stay */
}

/* v1, all three mounted, but the memory limit file cannot be written. */
static void test_v1_unwritable_limit_leaves_nothing(void **state)
{
	(void)state;
	mkdir_at("memory");
	mkdir_at("cpu");
	mkdir_at("pids");
	struct cgroup cg;
	struct limits limits = {.memory = 65536};
	cgroup_plan(&cg, root, CGROUP_V1, ID);

	assert_int_equal(cgroup_create(&cg, &limits), -1);
	assert_non_null(strstr(fail_last.msg, "/memory/tdg/" ID "/memory.limit_in_bytes"));
	assert_false(exists_at("memory/tdg"));
	assert_false(exists_at("cpu/tdg"));
	assert_false(exists_at("pids/tdg"));
}

static void test_oom_killed_v2(void **state)
{
	(void)state;
	write_at("memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n"
				  "oom_group_kill 0\n");
	assert_true(cgroup_oom_killed(root));
	/* "oom" alone (the limit was hit) is not a kill. */
	write_at("memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 0\n"
				  "oom_group_kill 0\n");
	assert_false(cgroup_oom_killed(root));
}

static void test_oom_killed_v1(void **state)
{
	(void)state;
	write_at("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
	assert_true(cgroup_oom_killed(root));
	write_at("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
	assert_false(cgroup_oom_killed(root));
}

static void test_oom_killed_no_file(void **state)
{
	(void)state;
	assert_false(cgroup_oom_killed(root));
	assert_false(cgroup_oom_killed(at("missing")));
}

static void test_remove_folder_then_empty_parent(void **state)
{
	(void)state;
	mkdir_at("tdg");
	mkdir_at("tdg/" ID);
	cgroup_remove(at("tdg/" ID));
	assert_false(exists_at("tdg/" ID));
	assert_false(exists_at("tdg")); /* the last container: tdg/ goes too */
}

static void test_remove_keeps_busy_parent(void **state)
{
	(void)state;
	mkdir_at("tdg");
	mkdir_at("tdg/" ID);
	mkdir_at("tdg/ba9876543210"); /* another container */
	cgroup_remove(at("tdg/" ID));
	assert_false(exists_at("tdg/" ID));
	assert_true(exists_at("tdg/ba9876543210"));
}

static void test_remove_missing_is_fine(void **state)
{
	(void)state;
	mkdir_at("tdg");
	mkdir_at("tdg/ba9876543210");
	cgroup_remove(at("tdg/" ID)); /* never made: no error, nothing else gone */
	assert_true(exists_at("tdg/ba9876543210"));
}

/* The child's first step: a cgroup.procs it cannot write (here opened
 * read-only) gives -1 and "cgroup: join DIR: why". */
static void test_join_failure_is_returned(void **state)
{
	(void)state;
	struct cgroup cg;
	cgroup_plan(&cg, root, CGROUP_V2, ID);
	write_at("procs", "");
	cg.procs[0] = open(at("procs"), O_RDONLY | O_CLOEXEC);
	assert_true(cg.procs[0] >= 0);

	assert_int_equal(cgroup_join(&cg), -1);
	assert_non_null(strstr(fail_last.msg, "cgroup: join "));
	assert_non_null(strstr(fail_last.msg, "/tdg/" ID ": Bad file descriptor"));
	close(cg.procs[0]);
}

/* A folder that will not go (a plain one with a file in it: ENOTEMPTY)
 * is said on stderr, and the caller goes on. */
static void test_remove_unremovable_warns(void **state)
{
	(void)state;
	char out[PATH_MAX], line[512] = "";
	mkdir_at("tdg");
	mkdir_at("tdg/" ID);
	write_at("tdg/" ID "/stray", "x");
	snprintf(out, sizeof out, "%s/stderr", root);
	int saved = dup(2), fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	cgroup_remove(at("tdg/" ID));
	dup2(saved, 2);
	close(saved);
	close(fd);

	assert_true(exists_at("tdg/" ID));
	FILE *f = fopen(out, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	assert_non_null(strstr(line, "tdg: cgroup: remove "));
	assert_non_null(strstr(line, ": Directory not empty"));
	unlink(at("tdg/" ID "/stray"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, make_root, remove_root)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_plan_v2),
		T(test_plan_v1),
		T(test_plan_v1_comounted_cpuacct),
		T(test_plan_none),
		T(test_detect_plain_folder_is_none),
		T(test_v2_missing_controller),
		T(test_has_controller_matches_whole_words),
		T(test_v2_unwritable_limit_leaves_nothing),
		T(test_v2_no_procs_file_leaves_nothing),
		T(test_v2_missing_root),
		T(test_v1_unmounted_controller_leaves_nothing),
		T(test_v1_unwritable_limit_leaves_nothing),
		T(test_oom_killed_v2),
		T(test_oom_killed_v1),
		T(test_oom_killed_no_file),
		T(test_remove_folder_then_empty_parent),
		T(test_remove_keeps_busy_parent),
		T(test_remove_missing_is_fine),
		T(test_join_failure_is_returned),
		T(test_remove_unremovable_warns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
