/* dev.c — see dev.h.                                                 (day 03) */
#include "dev.h"
#include "fail.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const struct {
	const char *name;
	unsigned major, minor;
} nodes[] = {
	{"null", 1, 3},	  {"zero", 1, 5}, {"full", 1, 7},
	{"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static const struct {
	const char *name, *target;
} links[] = {
	{"fd", "/proc/self/fd"},	  {"stdin", "/proc/self/fd/0"},
	{"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
	{"ptmx", "pts/ptmx"},
};

static void path(char *buf, const char *dev, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", dev, name);
}

int dev_populate(const char *dev)
{
	char p[PATH_MAX];

	for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
		path(p, dev, nodes[i].name);
		/* LAB(03.3): make the device file P, the character device of
		 * nodes[i] (major, minor), readable and writable by everyone
		 * (0666), and go on to the next; if mknod fails, fall through
		 * to the code below (it reports the error).
		 * HINT: man 2 mknod (S_IFCHR, makedev(3)): the mode it sets is
		 * filtered by the umask (man 2 umask), so 0666 may become 0644. */
		if (mknod(p, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) == 0) {
			chmod(p, 0666); /* mknod's mode is filtered by the umask */
			continue;
		}
		/* END LAB */
		/* (day 10) In a user namespace (run --userns) only the host's
		 * root may make a device node (EPERM), and a tmpfs mounted
		 * there would refuse to open one anyway (nodev). Bind the
		 * host's own node onto an empty file instead, as rootless
		 * runc does: the same device, which the host's mount lets open. */
		char host[PATH_MAX];
		int fd;
		snprintf(host, sizeof host, "/dev/%s", nodes[i].name);
		if (errno != EPERM || (fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0666)) < 0)
			return fail_host("rootfs: mknod /dev/%s: %m", nodes[i].name);
		close(fd);
		if (mount(host, p, NULL, MS_BIND, NULL) != 0)
			return fail_host("rootfs: bind %s on /dev/%s: %m", host, nodes[i].name);
	}
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		path(p, dev, links[i].name);
		if (symlink(links[i].target, p) != 0)
			return fail_with("rootfs: symlink /dev/%s: %m", links[i].name);
	}

	/* LAB(03.4): mount the container's own devpts on DEV/pts (ptmx mode
	 * 0666, terminals 0620) and a tmpfs on DEV/shm (mode 1777, 64 MiB):
	 * make each folder first; a refusal is fail_host("rootfs: mount devpts
	 * on /dev/pts: %m"), or "... tmpfs on /dev/shm ...".
	 * HINT: man 5 devpts (or the kernel's filesystems/devpts.rst): without
	 * "newinstance" the container shares the host's ptys; mount options
	 * are the data argument of mount(2). Neither needs exec or setuid. */
	/* newinstance: the container's ptys are its own, numbered from 0, and
	 * invisible to the host's /dev/pts (and the host's to it). */
	path(p, dev, "pts");
	if (mkdir(p, 0755) != 0 ||
	    mount("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620") != 0)
		return fail_host("rootfs: mount devpts on /dev/pts: %m");

	path(p, dev, "shm");
	if (mkdir(p, 01777) != 0 ||
	    mount("shm", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=1777,size=65536k") != 0)
		return fail_host("rootfs: mount tmpfs on /dev/shm: %m");
	/* END LAB */
	return 0;
}
