/* test_mask.c — unit tests for common/mask.c, without mounting anything.
 *
 * mask_these() takes its lists from the caller, so a test can give it
 * paths that fail before any mount() is tried: a missing path is skipped
 * (a kernel without /proc/kcore masks the rest), and a path stat() cannot
 * look at for another reason (ENOTDIR: a component is a file) is a failure
 * returned and recorded, where it used to end the process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "mask.h"

#include <string.h>

static void test_missing_paths_are_skipped(void **state)
{
	(void)state;
	static const char *const hide[] = {"/nonexistent-tdg-unit/kcore"};
	static const char *const ro[] = {"/nonexistent-tdg-unit/sys"};
	assert_int_equal(mask_these(hide, 1, ro, 1), 0);
}

static void test_unreadable_masked_path_fails(void **state)
{
	(void)state;
	static const char *const hide[] = {"/nonexistent-tdg-unit", "/etc/hostname/x"};
	fail_last.msg[0] = '\0';
	assert_int_equal(mask_these(hide, 2, NULL, 0), -1);
	assert_string_equal(fail_last.msg, "mask /etc/hostname/x: Not a directory");
}

static void test_unreadable_read_only_path_fails(void **state)
{
	(void)state;
	static const char *const ro[] = {"/etc/hostname/sys"};
	fail_last.msg[0] = '\0';
	assert_int_equal(mask_these(NULL, 0, ro, 1), -1);
	assert_string_equal(fail_last.msg, "mask /etc/hostname/sys: Not a directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_paths_are_skipped),
		cmocka_unit_test(test_unreadable_masked_path_fails),
		cmocka_unit_test(test_unreadable_read_only_path_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
