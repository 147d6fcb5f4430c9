/* test_proc.c — unit tests for common/proc.c: is that pid still ours?
 *
 * tdg trusts a recorded pid only if the start time and boot id match too,
 * so these cases check each part of that identity on real processes: our
 * own (alive, its start time stable), a child that has exited and been
 * reaped (no start time), the wrong start time (a reused pid), another
 * boot id (a reboot), and a zombie: a child that has exited but is not
 * reaped yet still has a /proc entry with its start time, yet it has
 * ended, and `tdg ps` must say so. proc_pidfd() gets the same identity
 * checks, since a pidfd for the wrong process would signal a stranger. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "proc.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OTHER_BOOT "00000000-0000-0000-0000-000000000000"

static void test_boot_id(void **state)
{
	(void)state;
	char boot[37];
	proc_boot_id(boot);
	assert_int_equal(strlen(boot), 36); /* a UUID, without its newline */
	assert_string_not_equal(boot, OTHER_BOOT);
}

static void test_start_time_of_self(void **state)
{
	(void)state;
	unsigned long long t = proc_start_time(getpid());
	assert_true(t > 0);
	assert_true(t == proc_start_time(getpid())); /* it never changes */
}

static void test_start_time_of_reaped_child(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_true(proc_start_time(pid) == 0); /* gone from /proc */
}

static void test_same_self(void **state)
{
	(void)state;
	char boot[37];
	proc_boot_id(boot);
	unsigned long long t = proc_start_time(getpid());
	assert_true(proc_same(getpid(), t, boot));
	assert_false(proc_same(getpid(), t + 1, boot));	 /* a reused pid */
	assert_false(proc_same(getpid(), t, OTHER_BOOT)); /* after a reboot */
	assert_false(proc_same(getpid(), 0, boot));
}

static void test_same_zombie_is_false(void **state)
{
	(void)state;
	char boot[37];
	int go[2];
	proc_boot_id(boot);
	assert_int_equal(pipe(go), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) { /* wait for the parent's word, then exit */
		char c;
		close(go[1]);
		_exit(read(go[0], &c, 1) < 0);
	}
	close(go[0]);
	unsigned long long t = proc_start_time(pid);
	bool alive = proc_same(pid, t, boot);

	close(go[1]); /* the child reads end-of-file and exits */
	siginfo_t info;
	/* Wait until it has exited, but leave it a zombie (WNOWAIT). */
	int waited = waitid(P_PID, pid, &info, WEXITED | WNOWAIT);
	bool zombie_same = proc_same(pid, t, boot);
	unsigned long long zombie_t = proc_start_time(pid);
	assert_int_equal(waitpid(pid, NULL, 0), pid); /* now reap it */

	assert_true(t > 0);
	assert_true(alive);
	assert_int_equal(waited, 0);
	assert_true(zombie_t == t); /* still in /proc, same start time... */
	assert_false(zombie_same);  /* ...but it has ended */
}

static void test_pidfd(void **state)
{
	(void)state;
	char boot[37];
	proc_boot_id(boot);
	unsigned long long t = proc_start_time(getpid());

	int fd = proc_pidfd(getpid(), t, boot);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(proc_pidfd(getpid(), t + 1, boot), -1);
	assert_int_equal(proc_pidfd(getpid(), t, OTHER_BOOT), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_id),
		cmocka_unit_test(test_start_time_of_self),
		cmocka_unit_test(test_start_time_of_reaped_child),
		cmocka_unit_test(test_same_self),
		cmocka_unit_test(test_same_zombie_is_false),
		cmocka_unit_test(test_pidfd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
