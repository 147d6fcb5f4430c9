/* test_rootfs_find.c — unit tests for common/rootfs.c: rootfs_find().
 *
 * `run --rootfs ARG` means a folder when ARG has a slash or names a folder
 * here, and only otherwise an imported ROOT/rootfs/ARG (tdg import); no
 * ARG means $TDG_ROOTFS, else the tree's rootfs/busybox (day 03). The
 * lookup used to live in import.c; it is rootfs.c's now, and records its
 * failure with fail_with() (the text `tdg run` prints after "run: rootfs
 * 'ARG': "). Each case runs in the mkdtemp() folder below, as the
 * current directory:
 *
 *   /tmp/tdg-unit-rootfs-find-XXXXXX/
 *     here/                  a folder here, also imported under that name
 *     afile                  a file here (rootfs_check() says what is wrong)
 *     root/rootfs/imported/  an imported rootfs
 *     root/rootfs/here/
 *     root/rootfs/.half.tmpAbc123/  an import still being unpacked */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "rootfs.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[] = "/tmp/tdg-unit-rootfs-find-XXXXXX";
static char root[PATH_MAX], old_cwd[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	static const char *const dirs[] = {"here", "root", "root/rootfs",
					   "root/rootfs/imported", "root/rootfs/here",
					   "root/rootfs/.half.tmpAbc123"};
	if (!getcwd(old_cwd, sizeof old_cwd) || !mkdtemp(base) || chdir(base) != 0)
		return -1;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (mkdir(dirs[i], 0755) != 0)
			return -1;
	int fd = open("afile", O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(root, sizeof root, "%s/root", base);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	return chdir(old_cwd) == 0 && system(cmd) == 0 ? 0 : -1;
}

/* rootfs_find(ARG) succeeds with OUT == WANT. */
static void expect_found(const char *arg, const char *want)
{
	char out[PATH_MAX];
	assert_int_equal(rootfs_find(arg, root, out, sizeof out), 0);
	assert_string_equal(out, want);
}

static void test_a_path_is_never_looked_up(void **state)
{
	(void)state;
	expect_found("./imported", "./imported"); /* not here: still a path */
	expect_found("/nonexistent/x", "/nonexistent/x");
}

static void test_a_folder_here_wins(void **state)
{
	(void)state;
	expect_found("here", "here");
}

static void test_an_imported_name(void **state)
{
	(void)state;
	char want[PATH_MAX + 16];
	snprintf(want, sizeof want, "%s/rootfs/imported", root);
	expect_found("imported", want);
}

static void test_a_file_here_is_for_rootfs_check(void **state)
{
	(void)state;
	expect_found("afile", "afile");
}

static void expect_not_found(const char *arg)
{
	char out[PATH_MAX], msg[2 * PATH_MAX];
	fail_last.msg[0] = '\0';
	assert_int_equal(rootfs_find(arg, root, out, sizeof out), -1);
	snprintf(msg, sizeof msg, "no such folder here, nor an imported rootfs in "
		 "%s/rootfs; import one with 'tdg import TARBALL|URL %s', or build one "
		 "with 'make rootfs'", root, arg);
	assert_string_equal(fail_last.msg, msg);
}

static void test_unknown_name(void **state)
{
	(void)state;
	expect_not_found("nosuchname");
	expect_not_found("");
}

/* A half-unpacked import is hidden, and never a rootfs to run. */
static void test_hidden_names_are_not_imports(void **state)
{
	(void)state;
	expect_not_found(".half.tmpAbc123");
}

/* Days 03-09 pass no ROOT: ARG is what they give rootfs_check(), never an
 * import. */
static void test_without_root_a_name_is_a_folder(void **state)
{
	(void)state;
	char out[PATH_MAX];
	assert_int_equal(rootfs_find("imported", NULL, out, sizeof out), 0);
	assert_string_equal(out, "imported");
	assert_int_equal(rootfs_find("nosuchname", NULL, out, sizeof out), 0);
	assert_string_equal(out, "nosuchname");
}

/* No ARG: TDG_ROOTFS, if set and not empty, is taken as ARG would be (on
 * day 10 the name of an import too). */
static void test_tdg_rootfs_stands_for_a_missing_arg(void **state)
{
	(void)state;
	char out[PATH_MAX], want[PATH_MAX + 16];
	setenv("TDG_ROOTFS", "imported", 1);
	snprintf(want, sizeof want, "%s/rootfs/imported", root);
	expect_found(NULL, want);
	assert_int_equal(rootfs_find(NULL, NULL, out, sizeof out), 0);
	assert_string_equal(out, "imported");
	setenv("TDG_ROOTFS", "./here", 1);
	expect_found(NULL, "./here");
	/* Empty is unset: the default, rootfs/busybox found from this test's
	 * own binary (tests/day03.sh proves where), never "". */
	setenv("TDG_ROOTFS", "", 1);
	rootfs_find(NULL, root, out, sizeof out);
	assert_non_null(strstr(out, "rootfs/busybox"));
	unsetenv("TDG_ROOTFS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_path_is_never_looked_up),
		cmocka_unit_test(test_a_folder_here_wins),
		cmocka_unit_test(test_an_imported_name),
		cmocka_unit_test(test_a_file_here_is_for_rootfs_check),
		cmocka_unit_test(test_unknown_name),
		cmocka_unit_test(test_hidden_names_are_not_imports),
		cmocka_unit_test(test_without_root_a_name_is_a_folder),
		cmocka_unit_test(test_tdg_rootfs_stands_for_a_missing_arg),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
