/* tty.c — see tty.h.                                                 (day 10) */
#include "tty.h"
#include "fail.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

/* The slave side of MASTER becomes our controlling terminal and stdio. */
static int take_slave(int master, const struct winsize *size)
{
	char name[64];
	if (unlockpt(master) != 0 || ptsname_r(master, name, sizeof name) != 0)
		return fail_with("tty: pty: %m");
	/* A controlling terminal belongs to a session: a new one, led by us,
	 * takes the slave with TIOCSCTTY. (Opening it without O_NOCTTY would
	 * do the same, implicitly; say it.) */
	if (setsid() < 0)
		return fail_with("tty: setsid: %m");
	int slave = open(name, O_RDWR | O_NOCTTY);
	if (slave < 0)
		return fail_with("tty: open %s: %m", name);
	if (ioctl(slave, TIOCSCTTY, 0) != 0) {
		fail_with("tty: make %s the controlling terminal: %m", name);
		goto fail;
	}
	if (size && size->ws_row)
		ioctl(slave, TIOCSWINSZ, size);
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0) {
			fail_with("tty: dup2: %m");
			goto fail;
		}
	if (slave > 2)
		close(slave);
	return 0;
fail:
	close(slave);
	return -1;
}

int tty_take_slave(int master, const struct winsize *size)
{
	int ok = take_slave(master, size);
	close(master);
	return ok;
}

int tty_console_child(int sock, const struct winsize *size)
{
	/* LAB(10b.3): -t, in the container (its /dev mounted, before the exec):
	 * open a new pty, make its slave our controlling terminal and stdio, and
	 * send the master to tdg over SOCK; close what we no longer need.
	 * HINT: man 3 posix_openpt (O_NOCTTY, O_CLOEXEC: the master must not
	 * reach the command); take_slave() above does the slave's part (setsid,
	 * TIOCSCTTY, dup2). Made here, the pty belongs to the container's own
	 * devpts (/dev/pts/0 inside), not the host's. tty_send_fd() below passes
	 * an fd with SCM_RIGHTS (man 7 unix): the kernel installs a copy in tdg.
	 * A failure to open /dev/ptmx is the host's: fail_host(). */
	/* /dev/ptmx here is the container's own devpts instance (dev.c
	 * mounts it "newinstance"): the host's ptys stay out of sight, and
	 * ours is /dev/pts/0 inside. */
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return fail_host("tty: open /dev/ptmx: %m");
	if (take_slave(master, size) != 0)
		goto fail;
	if (tty_send_fd(sock, master) != 0) {
		fail_with("tty: send the terminal to tdg: %m");
		goto fail;
	}
	close(master);
	close(sock);
	return 0;
fail:
	close(master);
	return -1;
	/* END LAB */
}

int tty_send_fd(int sock, int fd)
{
	char byte = 'T';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union { /* aligned room for one fd's control message */
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	memset(&u, 0, sizeof u);
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS; /* the kernel installs a copy in the receiver */
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

int tty_recv_fd(int sock)
{
	char byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	ssize_t n;
	while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	struct cmsghdr *c = n == 1 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

static struct termios saved;
static int saved_fd = -1;

static void restore(void)
{
	if (saved_fd >= 0)
		tcsetattr(saved_fd, TCSADRAIN, &saved);
}

void tty_raw(int fd)
{
	struct termios raw;
	if (saved_fd >= 0 || tcgetattr(fd, &saved) != 0)
		return;
	saved_fd = fd;
	atexit(restore);
	/* Raw: no echo, no line editing, no signals from Ctrl-C/Ctrl-Z here;
	 * the container's own pty does all of that for the container. */
	raw = saved;
	cfmakeraw(&raw);
	/* Output post-processing stays: our own messages (a "tdg: ..."
	 * line) still start at the left margin. */
	raw.c_oflag |= OPOST;
	tcsetattr(fd, TCSADRAIN, &raw);
}

bool tty_copy_size(int from, int to)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0)
		return false;
	return ioctl(to, TIOCSWINSZ, &ws) == 0;
}
