/* test_userns.c — unit tests for common/userns.c's failures in tdg itself.
 *
 *   - userns_check_reachable: a folder above the path closed to others
 *     (mode 0700, owned by root) is refused with the chmod that fixes it;
 *     a path whose folders cannot be looked at is refused too;
 *   - userns_map on a child that is in no new user namespace (the kernel
 *     refuses its uid_map): -1 with the step named, and the child killed
 *     and reaped before it returns, so the caller's ladder has nothing to
 *     wait for. Both used to end the process with 125. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct userns range = {.on = true, .uid = 100000, .gid = 100000,
				    .count = 65536};

static void test_closed_folder_is_refused(void **state)
{
	(void)state;
	char dir[] = "/tmp/tdg-unit-userns-XXXXXX", path[96], inner[64];
	assert_non_null(mkdtemp(dir)); /* 0700 */
	snprintf(inner, sizeof inner, "%s/in", dir);
	assert_int_equal(mkdir(inner, 0755), 0);
	snprintf(path, sizeof path, "%s/data", inner);

	fail_last.msg[0] = '\0';
	assert_int_equal(userns_check_reachable(&range, path, "the volume"), -1);
	assert_non_null(strstr(fail_last.msg, "is closed to others (mode 700)"));
	assert_non_null(strstr(fail_last.msg, "cannot reach the volume"));
	assert_non_null(strstr(fail_last.msg, "chmod o+x"));

	assert_int_equal(chmod(dir, 0711), 0); /* now it is reachable */
	assert_int_equal(userns_check_reachable(&range, path, "the volume"), 0);
	rmdir(inner);
	rmdir(dir);
}

static void test_unlookable_folder_is_refused(void **state)
{
	(void)state;
	fail_last.msg[0] = '\0';
	assert_int_equal(userns_check_reachable(&range, "/etc/hostname/x/y", "the volume"), -1);
	assert_string_equal(fail_last.msg, "run: --userns: /etc/hostname/x: Not a directory");
}

static void test_map_failure_reaps_the_child(void **state)
{
	(void)state;
	struct userns u = range;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, u.sock), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pause(); /* in the test's own user namespace: no map to write */
		_exit(0);
	}
	fail_last.msg[0] = '\0';
	assert_int_equal(userns_map(&u, pid, "/"), -1);
	assert_true(fail_last.host);
	assert_non_null(strstr(fail_last.msg, "run: --userns: write uid_map: "));
	/* Killed and reaped already: nothing left to wait for. */
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	/* Both ends of the socket are closed. */
	assert_int_equal(fcntl(u.sock[0], F_GETFD), -1);
	assert_int_equal(fcntl(u.sock[1], F_GETFD), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_closed_folder_is_refused),
		cmocka_unit_test(test_unlookable_folder_is_refused),
		cmocka_unit_test(test_map_failure_reaps_the_child),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
