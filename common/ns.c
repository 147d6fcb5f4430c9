/* ns.c — see ns.h.                                                   (day 02) */
#include "ns.h"
#include "fail.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>

#define STACK_SIZE (1024 * 1024)

pid_t ns_clone(int (*fn)(void *), void *arg, int flags)
{
	/* Without CLONE_VM the child gets a copy-on-write copy of our memory,
	 * this stack included; it only needs to exist until the child execs.
	 * Stacks grow down on every architecture tdg runs on, so clone wants
	 * the top of it. */
	char *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		die("clone: stack: %m");
	pid_t pid = clone(fn, stack + STACK_SIZE, flags | SIGCHLD, arg);
	int err = errno;
	munmap(stack, STACK_SIZE); /* our copy; the child has its own */
	errno = err;
	return pid;
}

bool ns_hostname_valid(const char *name)
{
	size_t n = strlen(name), label = 0;
	if (n == 0 || n > 64)
		return false;
	/* Dot-separated labels of 1-63 letters, digits and '-', none starting
	 * or ending with '-'. */
	for (size_t i = 0; i <= n; i++) {
		char c = name[i];
		if (c == '.' || c == '\0') {
			if (label == 0 || name[i - 1] == '-')
				return false;
			label = 0;
		} else if (isalnum((unsigned char)c) || (c == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

void ns_private_mounts(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		die_host("make mounts private: %m");
}

void ns_mount_proc(const char *target)
{
	if (mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) != 0)
		die_host("mount proc on %s: %m", target);
}

int ns_enter(int pidfd)
{
	return setns(pidfd, CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET |
				    CLONE_NEWPID | CLONE_NEWNS);
}
