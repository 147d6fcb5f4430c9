/* test_signals.c — unit tests for common/signals.c, for real.
 *
 * signals_wait_forwarding() is tdg's whole foreground life: it must return
 * the status of *its* child (not of another one it reaps on the way), pass
 * a signal someone sent to tdg (SI_USER, e.g. `kill <tdg>`) on to the
 * command, not pass on one the kernel sent (SI_KERNEL: the terminal already
 * sent Ctrl-C to the command too), and SIGKILL a command that survives
 * three SIGTERMs. So each test forks a real "command" and signals the test
 * process itself, exactly as a user would signal tdg.
 *
 * Three rules keep the tests honest and independent:
 * - the command gives up after 5 s (alarm), so a signal that is not
 *   forwarded makes the test fail instead of hang;
 * - each test runs between save_mask() and restore_mask(): whatever the
 *   test leaves blocked or pending is cleaned up before the next one;
 * - only the last test sends SIGINT or SIGTERM: signals.c counts them in
 *   a static variable, for the whole life of the process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "signals.h"

#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static sigset_t saved_mask;

static int save_mask(void **state)
{
	(void)state;
	return sigprocmask(SIG_SETMASK, NULL, &saved_mask);
}

static int restore_mask(void **state)
{
	(void)state;
	/* Take every signal still pending, or unblocking would deliver it. */
	sigset_t all;
	sigfillset(&all);
	struct timespec now = {0, 0};
	while (sigtimedwait(&all, NULL, &now) > 0)
		;
	return sigprocmask(SIG_SETMASK, &saved_mask, NULL);
}

/* Fork the "command", as tdg does after signals_block(): it undoes the
 * block (signals_child_setup), lets HANDLERS install its signal handlers,
 * tells us it is ready through a pipe, and waits for signals. */
static pid_t start_command(void (*handlers)(void))
{
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signals_child_setup();
		handlers();
		/* Give up after 5 s: SIGALRM ends us, even if
		 * signals_child_setup() failed to unblock it. */
		sigset_t alrm;
		sigemptyset(&alrm);
		sigaddset(&alrm, SIGALRM);
		sigprocmask(SIG_UNBLOCK, &alrm, NULL);
		alarm(5);
		if (write(ready[1], "!", 1) != 1)
			_exit(99);
		for (;;)
			pause();
	}
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	close(ready[1]);
	return pid;
}

static void exit_42(int sig)
{
	(void)sig;
	_exit(42);
}

static void exit_42_on_sigusr1(void) { signal(SIGUSR1, exit_42); }
static void exit_42_on_sigwinch(void) { signal(SIGWINCH, exit_42); }

/* A command that survives SIGTERM. Standard signals do not queue: three
 * kill()s before tdg waits would be one pending SIGTERM. So tdg gets the
 * first one from the test and the second and third from the command, each
 * after the previous one was forwarded; the command then stops, so a tdg
 * that waits for a fourth waits until the command gives up. Each SIGTERM
 * the command gets leaves a byte in a pipe for the test to count. */
static int got_pipe;
static void send_sigterm_back(int sig)
{
	static int got;
	(void)sig;
	if (write(got_pipe, "T", 1) != 1)
		_exit(98);
	if (++got < 3)
		kill(getppid(), SIGTERM);
}
static void survive_sigterm(void) { signal(SIGTERM, send_sigterm_back); }

static void test_returns_the_status_of_its_child(void **state)
{
	(void)state;
	int hold[2];
	assert_int_equal(pipe(hold), 0);
	signals_block();

	/* Another child, which ends first: the command waits for it to close
	 * the pipe. tdg reaps it on the way, but must go on waiting. */
	pid_t other = fork();
	assert_true(other >= 0);
	if (other == 0)
		_exit(5);
	pid_t command = fork();
	assert_true(command >= 0);
	if (command == 0) {
		char c;
		close(hold[1]);
		if (read(hold[0], &c, 1) == 0) /* EOF: other is gone */
			_exit(7);
		_exit(99);
	}
	/* hold[1] now lives only in other, until it exits. */
	close(hold[1]);
	close(hold[0]);

	int status = signals_wait_forwarding(command);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
}

static void test_forwards_a_signal_sent_to_tdg(void **state)
{
	(void)state;
	signals_block();
	pid_t command = start_command(exit_42_on_sigusr1);

	kill(getpid(), SIGUSR1); /* SI_USER: only tdg got it */
	int status = signals_wait_forwarding(command);

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 42);
}

static void test_does_not_forward_a_kernel_signal(void **state)
{
	(void)state;
	signals_block();
	pid_t command = start_command(exit_42_on_sigwinch);

	/* A timer's SIGALRM comes from the kernel (SI_KERNEL), like Ctrl-C.
	 * Forwarded, it would kill the command (default action). */
	struct itimerval soon = {.it_value = {0, 1000}};
	assert_int_equal(setitimer(ITIMER_REAL, &soon, NULL), 0);
	sigset_t pending;
	do
		sigpending(&pending);
	while (!sigismember(&pending, SIGALRM));

	/* Then a SIGWINCH, forwarded, ends the command with 42. sigwaitinfo()
	 * takes the lowest-numbered signal first: SIGALRM (14), SIGWINCH (28). */
	kill(getpid(), SIGWINCH);
	int status = signals_wait_forwarding(command);

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 42);
	sigpending(&pending);
	assert_false(sigismember(&pending, SIGALRM)); /* tdg did take it */
}

static void test_third_sigterm_kills_the_command(void **state)
{
	(void)state;
	int got[2];
	assert_int_equal(pipe(got), 0);
	got_pipe = got[1];
	signals_block();
	pid_t command = start_command(survive_sigterm);
	close(got[1]);

	/* tdg's stderr goes to a pipe for the duration: it says why it kills. */
	int err[2];
	assert_int_equal(pipe(err), 0);
	int saved_stderr = dup(STDERR_FILENO);
	dup2(err[1], STDERR_FILENO);
	close(err[1]);

	kill(getpid(), SIGTERM);
	int status = signals_wait_forwarding(command);

	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	char line[256];
	ssize_t n = read(err[0], line, sizeof line - 1);
	close(err[0]);
	line[n > 0 ? n : 0] = '\0';

	char terms[8];
	n = read(got[0], terms, sizeof terms);
	close(got[0]);

	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_string_equal(line, "tdg: got 3 interrupts: killing the command (SIGKILL)\n");
	/* The first two were forwarded and not followed by a SIGKILL (the
	 * third may or may not reach the handler before the SIGKILL does). */
	assert_in_range(n, 2, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_returns_the_status_of_its_child,
						save_mask, restore_mask),
		cmocka_unit_test_setup_teardown(test_forwards_a_signal_sent_to_tdg,
						save_mask, restore_mask),
		cmocka_unit_test_setup_teardown(test_does_not_forward_a_kernel_signal,
						save_mask, restore_mask),
		cmocka_unit_test_setup_teardown(test_third_sigterm_kills_the_command,
						save_mask, restore_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
