/* logs.c — see logs.h.                                               (day 05) */
#include "logs.h"
#include "fail.h"
#include "proc.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

static void copy_to_eof(int fd)
{
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		for (ssize_t off = 0; n > 0 && off < n;) {
			ssize_t w = write(STDOUT_FILENO, buf + off, (size_t)(n - off));
			if (w < 0 && errno != EINTR)
				die("logs: write: %m");
			off += w > 0 ? w : 0;
		}
}

/* Exited for good: the watcher wrote "exited" after draining the pipes, or
 * reconcile found both the container and its watcher gone. While it runs,
 * open pidfds (once) for both, so their deaths can wake us up. */
static bool finished(const char *id, int fds[2])
{
	static const char *const keys[2][2] = {
		{"watcher_pid", "watcher_start_time"}, {"pid", "pid_start_time"}};
	json_t *c = state_reconcile(id);
	bool done = !c || strcmp(state_str(c, "status"), "running") != 0;
	for (int i = 0; i < 2 && !done; i++)
		if (fds[i] == -1)
			fds[i] = proc_pidfd((pid_t)state_int(c, keys[i][0]),
					    (unsigned long long)state_int(c, keys[i][1]),
					    state_str(c, "boot_id"));
	json_decref(c);
	return done;
}

int logs_print(const char *id, bool follow)
{
	char dir[PATH_MAX], path[PATH_MAX];
	state_path(dir, sizeof dir, id, NULL);
	state_path(path, sizeof path, id, "container.log");

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			die("logs: %s ran in the foreground on a terminal, so its "
			    "output went there; run it with -d to capture it", id);
		die("logs: open %s: %m", path);
	}
	if (!follow) {
		copy_to_eof(fd);
		close(fd);
		return 0;
	}

	/* Watch before reading, so nothing written in between goes unseen:
	 * the log growing (IN_MODIFY) and config.json being replaced by the
	 * watcher's last record (IN_MOVED_TO). */
	int in = inotify_init1(IN_CLOEXEC);
	if (in < 0 || inotify_add_watch(in, dir, IN_MODIFY | IN_MOVED_TO |
						   IN_DELETE_SELF) < 0)
		die("logs: inotify on %s: %m", dir);
	int pidfds[2] = {-1, -1}; /* the watcher, the container */
	for (;;) {
		copy_to_eof(fd);
		if (finished(id, pidfds))
			break;
		/* A pidfd wakes us if the watcher dies without a last record
		 * (killed), or the container dies after it: finished() then
		 * records the truth. */
		struct pollfd p[3] = {{.fd = in, .events = POLLIN},
				      {.fd = pidfds[0], .events = POLLIN},
				      {.fd = pidfds[1], .events = POLLIN}};
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			die("logs: poll: %m");
		if (p[0].revents & POLLIN) {
			char ev[4096];
			if (read(in, ev, sizeof ev) < 0 && errno != EINTR)
				die("logs: inotify: %m");
		}
		for (int i = 0; i < 2; i++)
			if (p[i + 1].revents) {
				close(pidfds[i]);
				pidfds[i] = -2; /* ended; do not poll it again */
			}
	}
	copy_to_eof(fd); /* what came with the last record */
	for (int i = 0; i < 2; i++)
		if (pidfds[i] >= 0)
			close(pidfds[i]);
	close(in);
	close(fd);
	return 0;
}
