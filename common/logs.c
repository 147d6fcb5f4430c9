/* logs.c — see logs.h.                                               (day 05) */
#include "logs.h"
#include "container.h"
#include "fail.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
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

	container_wait_exited(id, copy_to_eof, fd);
	copy_to_eof(fd); /* what came with the last record */
	close(fd);
	return 0;
}
