/* test_rootfs.c — unit tests for common/rootfs.c: rootfs_check(), and the
 * failures of the child's steps that used to end tdg (die) and now return
 * -1 with the step named: a volume whose source is missing, a /dev that
 * cannot be filled.
 *
 * rootfs_check() is what turns a bad --rootfs into one clear error line
 * before any namespace exists, so each refusal it knows gets a case: a
 * missing path, a file, an empty folder, the host's own "/" (also reached
 * as "/tmp/.."). Accepted folders must come back as an absolute, resolved
 * path (the child chdir()s and pivots there, and metadata records it), so
 * a relative path and a symlink are checked too, and the ABS buffer at its
 * exact size and one byte short. rootfs_enter() needs root and namespaces:
 * the ladder tests cover it. Everything lives in a mkdtemp() folder that
 * the group teardown removes:
 *
 *   /tmp/tdg-unit-rootfs-XXXXXX/
 *     file          a regular file
 *     empty/        an empty folder
 *     valid/bin     a folder with one file
 *     link -> valid */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev.h"
#include "fail.h"
#include "rootfs.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[] = "/tmp/tdg-unit-rootfs-XXXXXX";
static char real_valid[PATH_MAX]; /* what ABS must be for valid/ */

/* BASE/NAME, in a static buffer. */
static const char *at(const char *name)
{
	static char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", base, name);
	return path;
}

static int touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	return fd < 0 ? -1 : close(fd);
}

static int make_tree(void **state)
{
	(void)state;
	if (!mkdtemp(base))
		return -1;
	if (touch(at("file")) != 0 || mkdir(at("empty"), 0755) != 0 ||
	    mkdir(at("valid"), 0755) != 0 || touch(at("valid/bin")) != 0 ||
	    symlink("valid", at("link")) != 0)
		return -1;
	/* mkdtemp's path is absolute, but /tmp itself might be a symlink. */
	return realpath(at("valid"), real_valid) ? 0 : -1;
}

static int remove_tree(void **state)
{
	(void)state;
	unlink(at("link"));
	unlink(at("valid/bin"));
	rmdir(at("valid"));
	rmdir(at("empty"));
	unlink(at("file"));
	return rmdir(base);
}

/* rootfs_check(DIR) must refuse with exactly WANT as the reason. */
static void expect_refused(const char *dir, const char *want)
{
	char abs[PATH_MAX];
	assert_int_equal(rootfs_check(dir, abs, sizeof abs), -1);
	assert_string_equal(fail_last.msg, want);
}

static void test_missing_path(void **state)
{
	(void)state;
	expect_refused(at("missing"),
		       "No such file or directory; build one with 'make rootfs'");
}

static void test_regular_file(void **state)
{
	(void)state;
	expect_refused(at("file"), "is not a directory");
}

static void test_empty_dir(void **state)
{
	(void)state;
	expect_refused(at("empty"), "is empty; build one with 'make rootfs'");
}

static void test_host_root(void **state)
{
	(void)state;
	expect_refused("/", "is the host's own root; pass a rootfs folder");
	expect_refused("/tmp/..", "is the host's own root; pass a rootfs folder");
}

/* rootfs_check(DIR) must accept it and give the resolved valid/ path. */
static void expect_valid(const char *dir)
{
	char abs[PATH_MAX];
	assert_int_equal(rootfs_check(dir, abs, sizeof abs), 0);
	assert_string_equal(abs, real_valid);
}

static void test_valid_dir(void **state)
{
	(void)state;
	expect_valid(at("valid"));
	expect_valid(at("valid/"));
	expect_valid(at("empty/../valid"));
}

static void test_relative_path(void **state)
{
	(void)state;
	char cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(base), 0);

	char abs[PATH_MAX];
	int a = rootfs_check("valid", abs, sizeof abs);
	char abs2[PATH_MAX];
	int b = rootfs_check("./link", abs2, sizeof abs2);
	assert_int_equal(chdir(cwd), 0); /* before any assert can jump away */

	assert_int_equal(a, 0);
	assert_string_equal(abs, real_valid);
	assert_int_equal(b, 0);
	assert_string_equal(abs2, real_valid);
}

static void test_symlink_is_resolved(void **state)
{
	(void)state;
	expect_valid(at("link"));
}

static void test_abs_buffer_size(void **state)
{
	(void)state;
	size_t need = strlen(real_valid) + 1; /* with its '\0' */
	char abs[PATH_MAX];

	/* One byte short: refused, and nothing written past the buffer. */
	memset(abs, 'X', sizeof abs);
	assert_int_equal(rootfs_check(at("valid"), abs, need - 1), -1);
	assert_string_equal(fail_last.msg, "cannot resolve the path");
	assert_int_equal(abs[need - 1], 'X');

	/* Exactly enough: accepted. */
	assert_int_equal(rootfs_check(at("valid"), abs, need), 0);
	assert_string_equal(abs, real_valid);
}

/* Used to die: now -1 with the line tdg would print, before any mount. */
static void test_volume_source_missing(void **state)
{
	(void)state;
	fail_last.msg[0] = '\0';
	assert_int_equal(rootfs_bind_volume(at("valid"), "/nonexistent-tdg-src", "data", 0), -1);
	assert_string_equal(fail_last.msg, "volume: /nonexistent-tdg-src: No such file or directory");
}

static void test_dev_populate_missing_folder(void **state)
{
	(void)state;
	fail_last.msg[0] = '\0';
	assert_int_equal(dev_populate(at("no-such-dev")), -1);
	assert_string_equal(fail_last.msg, "rootfs: mknod /dev/null: No such file or directory");
	assert_true(fail_last.host); /* a host's refusal: day 10 adds its hint */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_path),
		cmocka_unit_test(test_regular_file),
		cmocka_unit_test(test_empty_dir),
		cmocka_unit_test(test_host_root),
		cmocka_unit_test(test_valid_dir),
		cmocka_unit_test(test_relative_path),
		cmocka_unit_test(test_symlink_is_resolved),
		cmocka_unit_test(test_abs_buffer_size),
		cmocka_unit_test(test_volume_source_missing),
		cmocka_unit_test(test_dev_populate_missing_folder),
	};
	return cmocka_run_group_tests(tests, make_tree, remove_tree);
}
