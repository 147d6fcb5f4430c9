/* caps.h — root in the container, but not all of root's powers.     (day 10)
 *
 * The kernel does not check "uid 0" for privileged work: it checks one of
 * about forty capabilities (CAP_SYS_ADMIN to mount, CAP_SYS_MODULE to load
 * a module, CAP_SYS_TIME to set the clock, ...). A process carries five
 * sets of them: effective (what it may do now), permitted (what it may
 * make effective), inheritable and ambient (what may survive an exec) and
 * the bounding set, the ceiling for everything it or its children can ever
 * gain. For uid 0 the kernel treats every program as if it carried all
 * file capabilities, so after exec a root process's permitted and
 * effective sets become its bounding set: the bounding set is what a
 * container's root really gets.
 *
 * tdg keeps Docker's default 14 (moby oci/defaults.go DefaultCapabilities:
 * CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP
 * SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE, mask 0xa80425fb in
 * /proc/PID/status) and drops all others, through libcap. */
#ifndef TDG_CAPS_H
#define TDG_CAPS_H
#include <stddef.h>

/* Shrink the bounding, effective and permitted sets to Docker's default
 * set, empty the inheritable set and clear the ambient set. Needs
 * CAP_SETPCAP (it is in the set, and tdg starts with all of them). 0, or
 * -1 with the failure recorded (fail.h). */
int caps_drop_to_default(void);
/* (day 10, OCI bundles) After caps_drop_to_default(): narrow the bounding,
 * effective and permitted sets further, to the capabilities NAMES lists
 * ("CAP_CHOWN", ...: a bundle's process.capabilities.bounding; podman asks
 * for 11 of Docker's 14). For root in the container the bounding set is
 * what it gets after exec. KEEP_SETUID leaves CAP_SETUID effective (not
 * bounding) for a setuid() to another user that comes next, and clears
 * them. 0, or -1 with the failure recorded. */
int caps_bound_to_names(const char *const names[], size_t n, int keep_setuid);

#endif
