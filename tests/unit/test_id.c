/* test_id.c — unit tests for common/id.c: container ids and --name rules.
 *
 * An id is a folder name under $TDG_ROOT/containers/ and what users type
 * (or a prefix of it), so id_new() must give exactly 12 lower-case hex
 * digits, fresh each time; id_valid() is what state_list() uses to skip
 * anything else in that folder, so it must refuse upper case, other
 * letters and every wrong length. Names follow Docker's rule; the cases
 * are each allowed character, each forbidden first character, characters
 * that would break a path or a command line, and the 63/64 length edge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "id.h"

#include <string.h>

static void test_new_is_12_lower_hex(void **state)
{
	(void)state;
	char id[TDG_ID_LEN + 1];
	assert_int_equal(id_new(id), 0); /* -1 only if getrandom() fails */
	assert_int_equal(strlen(id), 12);
	assert_int_equal(strspn(id, "0123456789abcdef"), 12);
	assert_true(id_valid(id));
}

static void test_new_differs_each_time(void **state)
{
	(void)state;
	char a[TDG_ID_LEN + 1], b[TDG_ID_LEN + 1];
	id_new(a);
	id_new(b);
	assert_string_not_equal(a, b); /* 48 random bits: a clash is ~1 in 3e14 */
}

static void test_valid(void **state)
{
	(void)state;
	assert_true(id_valid("0123456789ab"));
	assert_true(id_valid("ffffffffffff"));
	assert_false(id_valid(""));
	assert_false(id_valid("0123456789a"));   /* 11 digits */
	assert_false(id_valid("0123456789abc")); /* 13 digits */
	assert_false(id_valid("0123456789AB"));  /* upper case */
	assert_false(id_valid("0123456789ag"));  /* not hex */
	assert_false(id_valid("01234 6789ab"));
	assert_false(id_valid("containers.."));
}

/* A name of N characters: "a" then N - 1 "b"s. */
static const char *name_of_length(size_t n)
{
	static char name[128];
	memset(name, 'b', n);
	name[0] = 'a';
	name[n] = '\0';
	return name;
}

static void test_name_valid(void **state)
{
	(void)state;
	assert_true(id_name_valid("web"));
	assert_true(id_name_valid("db"));
	assert_true(id_name_valid("a"));
	assert_true(id_name_valid("my_app.v2-1"));
	assert_true(id_name_valid("2fast")); /* a digit may come first */
	assert_true(id_name_valid("Web"));
	assert_true(id_name_valid(name_of_length(63)));
}

static void test_name_invalid(void **state)
{
	(void)state;
	assert_false(id_name_valid(""));
	assert_false(id_name_valid("-x"));
	assert_false(id_name_valid(".x"));
	assert_false(id_name_valid("_x"));
	assert_false(id_name_valid("a b"));
	assert_false(id_name_valid("a/b"));
	assert_false(id_name_valid("a\n"));
	assert_false(id_name_valid(name_of_length(64)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_is_12_lower_hex),
		cmocka_unit_test(test_new_differs_each_time),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_name_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
