/* test_envfile.c — unit tests for common/envfile.c (`run --env-file`) and
 * common/user.c's parser (`run -u`): Docker's env-file format, line by
 * line; USER[:GROUP] checked without looking anything up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "envfile.h"
#include "fail.h"
#include "user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* TEXT in a temporary file, read with envfile_read(): its return. */
static int read_text(const char *text, char ***vars, int *n)
{
	char path[] = "/tmp/tdg-unit-env.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	*vars = NULL, *n = 0;
	fail_last.msg[0] = '\0';
	int rc = envfile_read(path, vars, n);
	unlink(path);
	return rc;
}

static void test_env_file_lines(void **state)
{
	(void)state;
	char **vars;
	int n;
	setenv("TDG_UNIT_HOST", "from host", 1);
	unsetenv("TDG_UNIT_NOWHERE");
	assert_int_equal(read_text("# comment\n\n  A=1\nB=two words \nC=\"q\"\r\nD=\n"
				   "TDG_UNIT_HOST\nTDG_UNIT_NOWHERE\nE=x=y",
				   &vars, &n), 0);
	const char *want[] = {"A=1", "B=two words ", "C=\"q\"", "D=", "TDG_UNIT_HOST=from host",
			      "E=x=y"};
	assert_int_equal(n, 6);
	for (int i = 0; i < n; i++)
		assert_string_equal(vars[i], want[i]);
	envfile_free(vars, n);
}

static void test_env_file_refusals(void **state)
{
	(void)state;
	char **vars;
	int n;
	assert_int_equal(read_text("A=1\n=nokey\n", &vars, &n), -1);
	assert_non_null(strstr(fail_last.msg, "line 2: '=nokey'"));
	envfile_free(vars, n);
	assert_int_equal(read_text("A B=1\n", &vars, &n), -1);
	assert_non_null(strstr(fail_last.msg, "line 1"));
	envfile_free(vars, n);
	assert_int_equal(envfile_read("/no/such/file", &vars, &n), -1);
	assert_non_null(strstr(fail_last.msg, "No such file"));
}

static void test_user_specs(void **state)
{
	(void)state;
	struct user u;
	assert_int_equal(user_parse("nobody", &u), 0);
	assert_string_equal(u.name, "nobody");
	assert_string_equal(u.group, "");
	assert_int_equal(user_parse("1000:50", &u), 0);
	assert_string_equal(u.name, "1000");
	assert_string_equal(u.group, "50");
	assert_int_equal(user_parse("www-data:staff", &u), 0);
	assert_int_equal(user_parse("machine$", &u), 0);
	const char *bad[] = {"", ":", "a:", ":b", "a b", "-rf", "a:b:c", "r\u00f6ot",
			     "4294967295", "1:4294967296", NULL};
	for (int i = 0; bad[i]; i++) {
		fail_last.msg[0] = '\0';
		if (user_parse(bad[i], &u) == 0)
			fail_msg("\"%s\" accepted", bad[i]);
		if (!fail_last.msg[0])
			fail_msg("\"%s\" refused without a reason", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_file_lines),
		cmocka_unit_test(test_env_file_refusals),
		cmocka_unit_test(test_user_specs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
