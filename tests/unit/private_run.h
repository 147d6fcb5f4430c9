/* private_run.h — a private, empty /run/tdg/network for a unit test.
 *
 * The lease and port registries live in /run/tdg/network, host-wide: a
 * test that filled them there would make a bridged run on the same host
 * see addresses taken (and keep td0 up). So the test process moves into a
 * mount namespace of its own (unshare(CLONE_NEWNS), root only) and mounts
 * an empty tmpfs there; the host's folder is never touched. */
#ifndef TDG_TEST_PRIVATE_RUN_H
#define TDG_TEST_PRIVATE_RUN_H

#include "lease.h"

#include <sched.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* 0 once /run/tdg/network is an empty tmpfs of this process's own (a new
 * one at each call); -1 if it cannot be (not root): the caller skips. */
static inline int private_network_dir(void)
{
	static bool mounted;
	if (mounted)
		umount2(TDG_NETWORK_DIR, MNT_DETACH); /* ours, in our namespace */
	else if (unshare(CLONE_NEWNS) != 0 ||
		 mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return -1;
	mkdir("/run/tdg", 0755);
	mkdir(TDG_NETWORK_DIR, 0755);
	if (mount("tdg-unit", TDG_NETWORK_DIR, "tmpfs", 0, "size=1m") != 0)
		return -1;
	mounted = true;
	return 0;
}

#endif
