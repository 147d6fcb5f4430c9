/* mask.h — the parts of /proc and /sys a container must not touch.  (day 10)
 *
 * /proc and /sys are windows onto the host's kernel, and only part of what
 * they show is namespaced. /proc/kcore is the kernel's memory, /proc/keys
 * the host's keyrings, /proc/sys the kernel's settings (a write to
 * /proc/sys/kernel/... changes the host, namespaces or not), and one byte
 * into /proc/sysrq-trigger reboots it. Docker (the OCI default spec's
 * maskedPaths and readonlyPaths, moby oci/defaults.go) hides some of them
 * and makes others read-only, with mounts over them in the container's
 * mount namespace:
 *   masked:    /dev/null bound over a file, an empty read-only tmpfs over
 *              a folder: reads find nothing;
 *   read-only: the path bound onto itself, then remounted read-only:
 *              reads work, writes fail with EROFS, even for root.
 * Mounts are the container's own (the namespace is private), so the host
 * sees none of them; and a container without CAP_SYS_ADMIN and without
 * the mount system calls (seccomp) cannot unmount them again. */
#ifndef TDG_MASK_H
#define TDG_MASK_H

#include <stddef.h>

/* In the container, after /proc and /sys are mounted and the root is
 * pivoted (the paths are the container's), while tdg still has
 * CAP_SYS_ADMIN. Paths this kernel lacks are skipped. 0, or -1 with the
 * failure recorded (fail.h). */
int mask_paths(void);

/* The same for lists of one's own: HIDE masked, RO made read-only (what
 * the unit tests use, with paths that fail before anything is mounted). */
int mask_these(const char *const hide[], size_t nhide, const char *const ro[], size_t nro);

#endif
