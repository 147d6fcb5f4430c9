/* spawn.c — see spawn.h.                                             (day 01) */
#include "spawn.h"
#include "fail.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int spawn_exec_failure_status(int err)
{
	/* ENOENT: no such file anywhere on PATH. ENOTDIR: a path component is
	 * a file. Everything else (EACCES, ENOEXEC, EISDIR, ...) means the file
	 * is there but the kernel refused to run it. */
	return err == ENOENT || err == ENOTDIR ? TDG_EXIT_NOT_FOUND
					       : TDG_EXIT_CANNOT_EXEC;
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
	close_host_fds();
	execvp(argv[0], argv);
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
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return TDG_EXIT_FAILED; /* stopped/continued: not an ending */
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
