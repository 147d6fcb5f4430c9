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

#ifdef __SANITIZE_ADDRESS__
/* Only in the AddressSanitizer build (make asan, tests/run.sh): the child
 * runs on a stack ASan has never seen, and it warns on the first noreturn
 * call there (exit, execve) and may report false errors. Announced as a
 * "fiber switch", the stack is known. Plain builds compile none of this. */
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>

struct start {
	int (*fn)(void *);
	void *arg;
};

static int child_start(void *p)
{
	struct start *s = p; /* in our copy of the parent's memory */
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
	return s->fn(s->arg);
}

static pid_t sanitized_clone(int (*fn)(void *), char *stack, int flags, void *arg)
{
	struct start s = {fn, arg};
	void *fake;
	const void *bottom;
	size_t size;
	__sanitizer_start_switch_fiber(&fake, stack, STACK_SIZE);
	pid_t pid = clone(child_start, stack + STACK_SIZE, flags, &s);
	int err = errno;
	/* The parent never left its stack: switch there and back, on paper. */
	__sanitizer_finish_switch_fiber(NULL, &bottom, &size);
	__sanitizer_start_switch_fiber(NULL, bottom, size);
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
	errno = err;
	return pid;
}
#endif

pid_t ns_clone(int (*fn)(void *), void *arg, int flags)
{
	/* LAB(02.1): start FN(ARG) in a child with clone(), in the namespaces
	 * FLAGS asks for: give it a stack of STACK_SIZE bytes (mmap), ask for
	 * SIGCHLD at its end (waitpid needs it), unmap our copy of the stack
	 * afterwards; a refusal is fail_host("clone: %m; tdg needs root and a
	 * kernel with namespaces"). Leave out the #ifdef __SANITIZE_ADDRESS__
	 * branch: only `make asan` builds it.
	 * HINT: man 2 clone, NOTES: the stack argument is its highest address
	 * (stacks grow down), and without CLONE_VM the child has a copy-on-write
	 * copy of our memory, this stack included; man 2 mmap (MAP_STACK).
	 * STUB: return fail_todo("02.1"); */
	/* Without CLONE_VM the child gets a copy-on-write copy of our memory,
	 * this stack included; it only needs to exist until the child execs.
	 * Stacks grow down on every architecture tdg runs on, so clone wants
	 * the top of it. */
	char *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return fail_with("clone: stack: %m");
#ifdef __SANITIZE_ADDRESS__
	pid_t pid = sanitized_clone(fn, stack, flags | SIGCHLD, arg);
#else
	pid_t pid = clone(fn, stack + STACK_SIZE, flags | SIGCHLD, arg);
#endif
	int err = errno;
	munmap(stack, STACK_SIZE); /* our copy; the child has its own */
	errno = err;
	if (pid < 0)
		return fail_host("clone: %m; tdg needs root and a kernel with namespaces");
	return pid;
	/* END LAB */
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

int ns_private_mounts(void)
{
	/* LAB(02.3): make every mount of this (new) mount namespace private, so
	 * no mount or unmount made here propagates to the host, nor back;
	 * a refusal is fail_host("make mounts private: %m").
	 * HINT: man 7 mount_namespaces, "shared subtree": systemd marks / shared,
	 * and a new namespace copies that; man 2 mount, MS_PRIVATE with MS_REC
	 * (/ alone is not enough: every mount below it is shared too). */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return fail_host("make mounts private: %m");
	return 0;
	/* END LAB */
}

int ns_mount_proc(const char *target)
{
	/* LAB(02.4): mount a new procfs on TARGET, with no setuid programs, no
	 * device files and nothing executable on it; a refusal is
	 * fail_host("mount proc on %s: %m", target).
	 * HINT: man 5 proc: a procfs shows the PID namespace of whoever mounts
	 * it, so the inherited /proc still lists the host's processes; man 2
	 * mount (source and type "proc"; MS_NOSUID, MS_NODEV, MS_NOEXEC). */
	if (mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) != 0)
		return fail_host("mount proc on %s: %m", target);
	return 0;
	/* END LAB */
}

int ns_enter(int pidfd)
{
#ifdef __SANITIZE_ADDRESS__
	/* ASan build only: LeakSanitizer looks for leaks at exit through a
	 * helper that ptraces us by pid; made after this setns, the helper
	 * is in the container's PID namespace, never finds us, and we spin
	 * for ever. So look now, once: then not at exit. */
	__lsan_do_leak_check();
#endif
	return setns(pidfd, CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET |
				    CLONE_NEWPID | CLONE_NEWNS);
}
