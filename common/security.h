/* security.h — the container's last steps before its command.       (day 10)
 *
 * Namespaces decide what a container sees; these layers decide what its
 * root may still do with what it sees (docs/security.md has an experiment
 * for each):
 *   1. masked and read-only paths in /proc and /sys (mask.h);
 *   2. no_new_privs: no exec can ever gain privileges again (no setuid
 *      bit, no file capability counts), and it lets an unprivileged
 *      process load a seccomp filter;
 *   3. capabilities: Docker's default 14, the rest dropped (caps.h);
 *   4. a seccomp filter over the system calls (syscalls.h).
 * The order is forced by what each step needs and what it takes away:
 * the masks are mounts, so they need /proc and /sys mounted and
 * CAP_SYS_ADMIN, and come before the capabilities go; the filter denies
 * mount() and friends, so it comes after every mount tdg makes, and it is
 * loaded last of all, right before the exec, so that as little of tdg's
 * own code as possible runs under it (a call tdg needs and the filter
 * denies would fail in tdg, not in the user's command).
 *
 * `run --privileged` skips all four, as Docker's does: the container's
 * root is the host's root then, with /proc/sys writable and every
 * capability. */
#ifndef TDG_SECURITY_H
#define TDG_SECURITY_H

#include <stdbool.h>

/* In the container (after rootfs_enter), right before exec or init_run:
 * all four steps, unless PRIVILEGED. 0, or -1 with the failure recorded
 * (fail.h). */
int security_enter(bool privileged);

/* In the process `tdg exec` starts in a running container, after setns,
 * right before its exec: steps 2-4 (the masks are already there in the
 * container's mount namespace), unless the container is PRIVILEGED. 0, or
 * -1 (recorded). */
int security_join(bool privileged);

#endif
