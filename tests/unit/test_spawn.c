/* test_spawn.c — unit tests for common/spawn.c, the contract's exit statuses.
 *
 * tdg's exit status is the user's command's: its own code, 128+N when
 * signal N killed it, 126 when it cannot be executed, 127 when it is not
 * found. spawn_exit_status() is checked on statuses built with the
 * W_EXITCODE/W_STOPCODE macros (every case, including the odd ones: a core
 * dump, a stopped child) and on real children, so the test does not only
 * agree with itself. spawn_exec() and spawn_container_env() replace or wipe
 * the process, so they run in a forked child (see child.h): we check the
 * exit status, the exact error line, and the environment the command gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "child.h"
#include "fail.h"
#include "spawn.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>

/* ---- spawn_exit_status ---- */

static void test_exit_status_from_macros(void **state)
{
	(void)state;
	assert_int_equal(spawn_exit_status(W_EXITCODE(0, 0)), 0);
	assert_int_equal(spawn_exit_status(W_EXITCODE(3, 0)), 3);
	assert_int_equal(spawn_exit_status(W_EXITCODE(255, 0)), 255);
	assert_int_equal(spawn_exit_status(W_EXITCODE(0, SIGKILL)), 137);
	assert_int_equal(spawn_exit_status(W_EXITCODE(0, SIGTERM)), 143);
	/* A core dump sets an extra bit; the status is still 128 + SIGSEGV. */
	assert_int_equal(spawn_exit_status(W_EXITCODE(0, SIGSEGV) | WCOREFLAG), 139);
	/* Stopped is not an ending: tdg reports its own failure. */
	assert_int_equal(spawn_exit_status(W_STOPCODE(SIGSTOP)), TDG_EXIT_FAILED);
}

/* Fork a child that runs END(ARG) and return its real wait status. */
static int status_of_child(void (*end)(int), int arg)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		end(arg);
		_exit(99); /* END did not end the child: the test will say so */
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void exit_with(int code) { _exit(code); }

static void killed_by(int sig)
{
	signal(sig, SIG_DFL);
	kill(getpid(), sig);
}

static void test_exit_status_of_real_children(void **state)
{
	(void)state;
	assert_int_equal(spawn_exit_status(status_of_child(exit_with, 0)), 0);
	assert_int_equal(spawn_exit_status(status_of_child(exit_with, 3)), 3);
	assert_int_equal(spawn_exit_status(status_of_child(exit_with, 255)), 255);
	assert_int_equal(spawn_exit_status(status_of_child(killed_by, SIGKILL)), 137);
	assert_int_equal(spawn_exit_status(status_of_child(killed_by, SIGTERM)), 143);
}

/* ---- spawn_exec_failure_status ---- */

static void test_exec_failure_status(void **state)
{
	(void)state;
	/* Not found: nothing of that name, or a path through a file. */
	assert_int_equal(spawn_exec_failure_status(ENOENT), TDG_EXIT_NOT_FOUND);
	assert_int_equal(spawn_exec_failure_status(ENOTDIR), TDG_EXIT_NOT_FOUND);
	/* Found, but the kernel would not run it. */
	assert_int_equal(spawn_exec_failure_status(EACCES), TDG_EXIT_CANNOT_EXEC);
	assert_int_equal(spawn_exec_failure_status(ENOEXEC), TDG_EXIT_CANNOT_EXEC);
	assert_int_equal(spawn_exec_failure_status(EISDIR), TDG_EXIT_CANNOT_EXEC);
}

/* ---- spawn_exec, in a child ---- */

static void call_spawn_exec(void *argv)
{
	spawn_exec(argv);
}

static void test_exec_runs_the_command(void **state)
{
	(void)state;
	char *argv[] = {"sh", "-c", "exit 7", NULL};
	char err[256];
	int status = run_in_child(call_spawn_exec, argv, err, sizeof err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7); /* sh's status, not tdg's */
	assert_string_equal(err, "");
}

static void test_exec_missing_command_is_127(void **state)
{
	(void)state;
	char *argv[] = {"tdg-test-no-such-command", NULL};
	char err[256];
	int status = run_in_child(call_spawn_exec, argv, err, sizeof err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 127);
	assert_string_equal(err, "tdg: tdg-test-no-such-command: command not found\n");
}

static void test_exec_path_through_a_file_is_127(void **state)
{
	(void)state;
	char *argv[] = {"/etc/passwd/sh", NULL}; /* ENOTDIR */
	char err[256];
	int status = run_in_child(call_spawn_exec, argv, err, sizeof err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 127);
	assert_string_equal(err, "tdg: /etc/passwd/sh: command not found\n");
}

static void test_exec_non_executable_file_is_126(void **state)
{
	(void)state;
	char dir[] = "/tmp/tdg-unit-spawn-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char file[sizeof dir + 16];
	snprintf(file, sizeof file, "%s/script", dir);
	/* A script without any x bit: even root may not execute it. */
	int fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\nexit 0\n", 17), 17);
	close(fd);

	char *argv[] = {file, NULL};
	char err[512], want[512];
	int status = run_in_child(call_spawn_exec, argv, err, sizeof err);
	unlink(file);
	rmdir(dir);

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 126);
	snprintf(want, sizeof want, "tdg: %s: Permission denied\n", file);
	assert_string_equal(err, want);
}

/* ---- spawn_container_env, in a child ---- */

/* In the child: give the "host" environment FOO (and TERM if asked), call
 * spawn_container_env("box1"), then write the environment to stderr, one
 * variable a line, for the parent to check. */
static void env_after_container_env(void *term)
{
	extern char **environ;
	setenv("FOO", "bar", 1);
	if (term)
		setenv("TERM", term, 1);
	else
		unsetenv("TERM");
	spawn_container_env("box1");
	for (char **e = environ; *e; e++)
		fprintf(stderr, "%s\n", *e);
}

/* True if TEXT has LINE as one of its lines (LINE ends with "\n"). */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; *p; p++) {
		if (strncmp(p, line, n) == 0)
			return 1;
		p = strchr(p, '\n'); /* on to the next line */
		if (!p)
			break;
	}
	return 0;
}

static int count_lines(const char *text)
{
	int n = 0;
	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static void test_container_env_replaces_the_host_env(void **state)
{
	(void)state;
	char env[4096];
	int status = run_in_child(env_after_container_env, "xterm-test", env, sizeof env);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	assert_true(has_line(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"));
	assert_true(has_line(env, "HOSTNAME=box1\n"));
	assert_true(has_line(env, "HOME=/root\n"));
	assert_true(has_line(env, "TERM=xterm-test\n")); /* kept: the terminal is the user's */
	assert_false(has_line(env, "FOO=bar\n"));        /* gone: it described the host */
	assert_int_equal(count_lines(env), 4);           /* and nothing else */
}

static void test_container_env_without_term(void **state)
{
	(void)state;
	char env[4096];
	int status = run_in_child(env_after_container_env, NULL, env, sizeof env);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	assert_true(has_line(env, "HOSTNAME=box1\n"));
	assert_false(strstr(env, "TERM="));
	assert_int_equal(count_lines(env), 3); /* PATH, HOSTNAME, HOME */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status_from_macros),
		cmocka_unit_test(test_exit_status_of_real_children),
		cmocka_unit_test(test_exec_failure_status),
		cmocka_unit_test(test_exec_runs_the_command),
		cmocka_unit_test(test_exec_missing_command_is_127),
		cmocka_unit_test(test_exec_path_through_a_file_is_127),
		cmocka_unit_test(test_exec_non_executable_file_is_126),
		cmocka_unit_test(test_container_env_replaces_the_host_env),
		cmocka_unit_test(test_container_env_without_term),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
