/* test_tty.c — unit tests for common/tty.c that need no terminal.
 *
 *   - tty_send_fd / tty_recv_fd: an fd crosses a unix socket (SCM_RIGHTS)
 *     and arrives as a new fd onto the same file; a peer that closed
 *     first gives -1 (the container failed before it sent its pty);
 *   - tty_take_slave on an fd that is no pty master: -1 and "tty: pty:
 *     ..." recorded, before setsid() or any dup2() touched the test
 *     process (this used to end the process with 125). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "tty.h"

#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_fd_crosses_the_socket(void **state)
{
	(void)state;
	int sv[2], p[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(tty_send_fd(sv[0], p[1]), 0);
	int got = tty_recv_fd(sv[1]);
	assert_true(got >= 0 && got != p[1]);
	struct stat a, b;
	assert_int_equal(fstat(p[1], &a), 0);
	assert_int_equal(fstat(got, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	assert_true(fcntl(got, F_GETFD) & FD_CLOEXEC); /* MSG_CMSG_CLOEXEC */
	close(got);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void test_recv_from_closed_peer(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	close(sv[0]);
	assert_int_equal(tty_recv_fd(sv[1]), -1);
	close(sv[1]);
}

static void test_send_to_closed_peer(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	close(sv[1]);
	assert_int_equal(tty_send_fd(sv[0], 0), -1); /* EPIPE, and no SIGPIPE */
	close(sv[0]);
}

static void test_take_slave_of_no_pty(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t sid = getsid(0);
	fail_last.msg[0] = '\0';
	assert_int_equal(tty_take_slave(p[0], NULL), -1); /* it closes p[0] */
	assert_non_null(strstr(fail_last.msg, "tty: pty: ")); /* glibc: EINVAL */
	assert_int_equal(getsid(0), sid); /* no new session */
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_crosses_the_socket),
		cmocka_unit_test(test_recv_from_closed_peer),
		cmocka_unit_test(test_send_to_closed_peer),
		cmocka_unit_test(test_take_slave_of_no_pty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
