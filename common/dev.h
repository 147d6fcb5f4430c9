/* dev.h — a minimal /dev for the container.                         (day 03)
 *
 * Mounting the host's devtmpfs (or binding its /dev) would hand the
 * container every disk and device of the host. A container gets a small
 * tmpfs with just the harmless character devices programs expect, its own
 * devpts instance for terminals, and a /dev/shm of its own. */
#ifndef TDG_DEV_H
#define TDG_DEV_H

/* Fill DEV (an empty tmpfs, relative to the current directory) with null,
 * zero, full, random, urandom, tty, pts/, ptmx, shm/ and the fd links.
 * 0, or -1 with the step that failed recorded. */
int dev_populate(const char *dev);

#endif
