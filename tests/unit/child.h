/* child.h — run a piece of code in a forked child and see how it ended.
 *
 * Much of tdg ends a process on purpose: die() exits 125, spawn_exec()
 * becomes another program or _exit()s, spawn_container_env() wipes the
 * environment. Calling those in the test process would end or damage it,
 * so the tests call them in a child and look at what the parent can see:
 * the wait status and every byte the child wrote on stderr. */
#ifndef TDG_TEST_CHILD_H
#define TDG_TEST_CHILD_H

#include <setjmp.h> /* what cmocka.h needs before it */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run FN(ARG) in a child whose stderr is a pipe; if FN returns, the child
 * _exit(0)s. Returns the child's wait status; ERR (SIZE bytes) receives
 * what the child wrote on stderr, as a string. */
static inline int run_in_child(void (*fn)(void *), void *arg, char *err,
			       size_t size)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	fflush(NULL); /* or the child would print cmocka's buffered output too */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDERR_FILENO);
		close(fds[1]);
		fn(arg);
		_exit(0);
	}
	close(fds[1]);
	size_t len = 0;
	ssize_t n;
	while (len < size - 1 && (n = read(fds[0], err + len, size - 1 - len)) > 0)
		len += (size_t)n;
	err[len] = '\0';
	close(fds[0]);

	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

#endif
