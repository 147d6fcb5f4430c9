/* test_ns.c — unit tests for common/ns.c: which --hostname values tdg accepts.
 *
 * ns_hostname_valid() is the only pure logic in ns.c (the rest mounts and
 * clones, which the ladder tests cover as root). The cases walk the rule
 * from ns.h: 1 to 64 characters (both edges and one past each), only
 * letters, digits, '-' and '.', and no '-' or '.' at either end. The
 * invalid ones are what a user might really type: a space, an underscore,
 * a slash, a non-ASCII letter (bytes above 127, which isalnum() must not
 * take for letters). ns_clone() is checked without namespace flags (no
 * privilege needed): the child runs FN and exits with its return value,
 * and a refused clone comes back as -1 with the kernel's errno. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "ns.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A name of N characters: "aaa...a". */
static const char *name_of_length(size_t n)
{
	static char name[128];
	assert_true(n < sizeof name);
	memset(name, 'a', n);
	name[n] = '\0';
	return name;
}

static void test_valid_hostnames(void **state)
{
	(void)state;
	assert_true(ns_hostname_valid("a"));
	assert_true(ns_hostname_valid("box1"));
	assert_true(ns_hostname_valid("1box"));
	assert_true(ns_hostname_valid("My-Host.local"));
	assert_true(ns_hostname_valid(name_of_length(63))); /* a label's most */
	assert_true(ns_hostname_valid("a-b.c-d.e"));
	char two_labels[65];
	memset(two_labels, 'a', 64);
	two_labels[31] = '.';
	two_labels[64] = '\0';
	assert_true(ns_hostname_valid(two_labels)); /* 64: sethostname's most */
}

static void test_invalid_hostnames(void **state)
{
	(void)state;
	assert_false(ns_hostname_valid(""));
	assert_false(ns_hostname_valid(name_of_length(65)));
	assert_false(ns_hostname_valid(name_of_length(64))); /* one 64-char label */
	assert_false(ns_hostname_valid("a..b"));
	assert_false(ns_hostname_valid("a.-b"));
	assert_false(ns_hostname_valid("a-.b"));
	assert_false(ns_hostname_valid("a b"));
	assert_false(ns_hostname_valid("-a"));
	assert_false(ns_hostname_valid("a-"));
	assert_false(ns_hostname_valid(".a"));
	assert_false(ns_hostname_valid("a."));
	assert_false(ns_hostname_valid("-"));
	assert_false(ns_hostname_valid("a_b"));
	assert_false(ns_hostname_valid("caf\xc3\xa9")); /* "café" in UTF-8 */
	assert_false(ns_hostname_valid("a/b"));
}

static int child_returns_7(void *arg)
{
	return *(int *)arg == 42 ? 7 : 1; /* 1 if ARG did not arrive */
}

static void test_clone_runs_fn_in_a_child(void **state)
{
	(void)state;
	int arg = 42;
	pid_t pid = ns_clone(child_returns_7, &arg, 0); /* no new namespaces */
	assert_true(pid > 0);
	assert_int_not_equal(pid, getpid());

	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid); /* SIGCHLD: waitable */
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
}

static void test_clone_refused_returns_minus_1_and_errno(void **state)
{
	(void)state;
	int arg = 42;
	/* Sharing signal handlers without sharing memory makes no sense:
	 * the kernel says EINVAL, and ns_clone() must pass that on. */
	errno = 0;
	assert_int_equal(ns_clone(child_returns_7, &arg, CLONE_SIGHAND), -1);
	assert_int_equal(errno, EINVAL);
	/* ...with the line tdg prints recorded (it used to be main's die()). */
	assert_string_equal(fail_last.msg, "clone: Invalid argument; tdg needs root and a "
					   "kernel with namespaces");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_hostnames),
		cmocka_unit_test(test_invalid_hostnames),
		cmocka_unit_test(test_clone_runs_fn_in_a_child),
		cmocka_unit_test(test_clone_refused_returns_minus_1_and_errno),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
