/* spawn.c — see spawn.h.                                             (day 01) */
#include "spawn.h"
#include "fail.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int spawn_exec_failure_status(int err)
{
	/* LAB(01.3): return the contract's status for an exec that failed with
	 * ERR: 127 (TDG_EXIT_NOT_FOUND) when there is no such command, else 126
	 * (TDG_EXIT_CANNOT_EXEC): it is there but cannot be run.
	 * HINT: man 3 execvp, ERRORS: which errnos say "not there" (a missing
	 * file, and a path through a file as if it were a folder), and which say
	 * "there, but refused" (EACCES, ENOEXEC, EISDIR...).
	 * STUB: fail_todo("01.3"); return fail_report(); */
	/* ENOENT: no such file anywhere on PATH. ENOTDIR: a path component is
	 * a file. Everything else (EACCES, ENOEXEC, EISDIR, ...) means the file
	 * is there but the kernel refused to run it. */
	return err == ENOENT || err == ENOTDIR ? TDG_EXIT_NOT_FOUND
					       : TDG_EXIT_CANNOT_EXEC;
	/* END LAB */
}

/* Every fd tdg holds beyond 0, 1 and 2 (a state file, a cgroup, whatever
 * the calling shell left open) would otherwise cross into the command:
 * a door to the host's files from inside the container. */
static void close_host_fds(void)
{
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	for (int fd = 3; fd < 65536; fd++) /* kernels before 5.11 */
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

void spawn_close_inherited_fds(void)
{
	if (close_range(3, ~0U, 0) == 0)
		return;
	for (int fd = 3; fd < 65536; fd++) /* kernels before 5.9 */
		close(fd);
}

static int report_fd = -1;

void spawn_report_failure_to(int fd)
{
	report_fd = fd;
}

void spawn_report_failure_close(void)
{
	if (report_fd >= 0)
		close(report_fd);
	report_fd = -1;
}

void spawn_exec(char *const argv[])
{
	/* LAB(01.2): leave no host fd open past 2 for the command (close_host_fds),
	 * then replace this process with the command, searched on PATH.
	 * HINT: man 3 execvp: on success it never returns (the program is gone,
	 * replaced), so every line after it is the failure path, with errno set.
	 * man 2 close_range: CLOSE_RANGE_CLOEXEC closes them at the exec only.
	 * STUB: fail_todo("01.2"); _exit(fail_report()); */
	close_host_fds();
	execvp(argv[0], argv);
	/* END LAB */
	int err = errno;
	int status = spawn_exec_failure_status(err);
	if (err == ENOENT && strchr(argv[0], '/') && access(argv[0], F_OK) == 0)
		/* The file is there, yet ENOENT: what is missing is the program
		 * that runs it, the "#!" interpreter or the dynamic loader (a
		 * host binary copied into a busybox rootfs). */
		warn("%s: its interpreter (#!) or dynamic loader is missing", argv[0]);
	else
		warn("%s: %s", argv[0],
		     status == TDG_EXIT_NOT_FOUND ? "command not found" : strerror(err));
	char b = (char)status;
	if (report_fd >= 0 && write(report_fd, &b, 1) != 1)
		report_fd = -1; /* nobody listens any more */
	/* _exit, not exit: this is a copy of tdg that never became the command;
	 * it must not run tdg's atexit handlers or flush tdg's stdio twice. */
	_exit(status);
}

int spawn_exit_status(int wait_status)
{
	/* LAB(01.4): turn a waitpid() status into tdg's exit status: the
	 * command's own exit code, or 128+N if signal N killed it.
	 * HINT: man 2 waitpid, the W* macros: the status is not the exit code
	 * (`exit 3` gives 768); a status neither "exited" nor "signaled" is not
	 * an ending (stopped, continued).
	 * STUB: fail_todo("01.4"); return fail_report(); */
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return TDG_EXIT_FAILED; /* stopped/continued: not an ending */
	/* END LAB */
}

void spawn_container_env(const char *hostname)
{
	const char *term = getenv("TERM");
	char *keep = term ? strdup(term) : NULL; /* clearenv() frees it */

	clearenv();
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOSTNAME", hostname, 1);
	setenv("HOME", "/root", 1);
	if (keep)
		setenv("TERM", keep, 1);
	free(keep);
}

volatile pid_t spawn_capture_child;

int spawn_capture(char *const argv[], char **out, char *err, size_t errsize)
{
	int o[2] = {-1, -1}, e[2] = {-1, -1};
	if ((out && pipe2(o, O_CLOEXEC) != 0) || (err && pipe2(e, O_CLOEXEC) != 0)) {
		int saved = errno;
		if (o[0] >= 0)
			close(o[0]), close(o[1]);
		errno = saved;
		return fail_with("%s: pipe: %m", argv[0]);
	}
	fflush(NULL); /* or the child would print our unflushed output too */
	pid_t pid = fork();
	if (pid < 0) {
		int saved = errno;
		for (int i = 0; i < 2; i++) {
			if (o[i] >= 0)
				close(o[i]);
			if (e[i] >= 0)
				close(e[i]);
		}
		errno = saved;
		return fail_with("%s: fork: %m", argv[0]);
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int null = open("/dev/null", O_RDWR);
		dup2(null, STDIN_FILENO);
		dup2(out ? o[1] : null, STDOUT_FILENO);
		dup2(err ? e[1] : null, STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(spawn_exec_failure_status(errno));
	}
	spawn_capture_child = pid;
	if (out)
		close(o[1]);
	if (err)
		close(e[1]);

	/* Read both until both are at their end: a helper that fills one pipe
	 * while we wait on the other would otherwise block for ever. */
	char *buf = NULL;
	size_t len = 0, cap = 0, elen = 0;
	struct pollfd p[2] = {{out ? o[0] : -1, POLLIN, 0}, {err ? e[0] : -1, POLLIN, 0}};
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].fd >= 0 && p[0].revents) {
			if (cap - len < 4096) {
				char *more = realloc(buf, cap + 65536);
				if (!more)
					break;
				buf = more;
				cap += 65536;
			}
			ssize_t n = read(p[0].fd, buf + len, cap - len - 1);
			if (n > 0)
				len += n;
			else if (n == 0 || errno != EINTR) {
				close(p[0].fd);
				p[0].fd = -1;
			}
		}
		if (p[1].fd >= 0 && p[1].revents) {
			char tmp[512];
			ssize_t n = read(p[1].fd, tmp, sizeof tmp);
			for (ssize_t i = 0; i < n && elen + 1 < errsize; i++)
				err[elen++] = tmp[i];
			if (n == 0 || (n < 0 && errno != EINTR)) {
				close(p[1].fd);
				p[1].fd = -1;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	spawn_capture_child = 0;
	if (err && errsize) {
		err[elen] = '\0';
		err[strcspn(err, "\n")] = '\0';
	}
	if (out) {
		if (!buf)
			buf = calloc(1, 1);
		else
			buf[len] = '\0';
		*out = buf;
	}
	if (status == -1)
		return fail_with("%s: wait: %m", argv[0]);
	return spawn_exit_status(status);
}
