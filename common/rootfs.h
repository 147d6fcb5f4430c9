/* rootfs.h — giving the container its own root filesystem.          (day 03)
 *
 * chroot() only changes where path lookups start: the old root is still
 * mounted, and a root process can climb back out. pivot_root() instead
 * swaps the root mount of the mount namespace; the old root can then be
 * unmounted, after which no host path exists for the container at all. */
#ifndef TDG_ROOTFS_H
#define TDG_ROOTFS_H

#include <stddef.h>

/* Check DIR before anything starts: it must exist, be a directory, not be
 * the host's own /, and not be empty. On success writes its absolute path
 * to ABS and returns 0; otherwise returns -1 with the reason recorded
 * (fail.h; the rest of the error line, e.g. "is empty; build one with
 * 'make rootfs'", for the caller to put "run: rootfs 'DIR'" in front). */
int rootfs_check(const char *dir, char *abs, size_t abs_size);

/* For `run [--rootfs ARG]`: the folder the container's / comes from,
 * into OUT. Without ARG (NULL): $TDG_ROOTFS if set, else the rootfs/busybox
 * `make rootfs` builds in the tree the running binary was built in (the
 * nearest one in the folders above /proc/self/exe, up to the source tree,
 * the one with scripts/mkrootfs.sh); if it is not built, -1 with fail_with() recorded saying to run 'make rootfs'
 * there or pass --rootfs DIR (OUT: the path it looked for). With ARG: ARG
 * itself (for rootfs_check() to judge); (day 10) with ROOT, the state
 * folder ($TDG_ROOT), a name may also be a rootfs `tdg import` unpacked:
 * ARG if it has a slash or is a folder here, else ROOT/rootfs/ARG, else ARG
 * if something of that name is here; -1 (naming both places and `tdg
 * import`) if neither exists. Days 03-09 pass ROOT NULL. */
int rootfs_find(const char *arg, const char *root, char *out, size_t size);

/* The functions below run inside the child. Each returns 0, or -1 with the
 * step that failed recorded (fail.h): "rootfs: pivot_root /x: Invalid
 * argument".
 *
 * (day 09) Inside the child, before rootfs_enter(): bind the host file
 * FILE over DIR/TARGET (e.g. "etc/hosts"), so the container sees a file of
 * its own there while the rootfs folder stays untouched (the target is made
 * empty if the rootfs lacks it). */
int rootfs_bind_file(const char *dir, const char *file, const char *target);

/* (day 10) Inside the child, before rootfs_enter(): mount an overlay on
 * MERGED, with the rootfs folder LOWER as its read-only lower layer and
 * UPPER (with WORK, overlayfs's scratch folder on the same filesystem) as
 * the container's private layer: every write lands in UPPER, so twenty
 * containers can share one rootfs folder and never see each other's files,
 * and the folder itself is never modified. */
int rootfs_overlay(const char *lower, const char *upper, const char *work,
		   const char *merged);

/* (day 10) Inside the child, before rootfs_enter(): bind the host path
 * SRC onto DIR/TARGET (made if missing), read-only if RO. */
int rootfs_bind_volume(const char *dir, const char *src, const char *target, int ro);

/* (day 10) rootfs_enter(), with the root itself mounted read-only (/proc,
 * /dev and /sys on top of it stay as they are). */
int rootfs_enter_readonly(const char *dir);

/* (day 10) After rootfs_enter(): chdir into DIR (absolute, inside the
 * container), making it first if it is missing, as Docker's -w does. */
int rootfs_workdir(const char *dir);

/* Inside the child (after ns_private_mounts): make DIR the root. Mounts a
 * fresh /proc, a minimal /dev and a read-only /sys inside it, pivots, and
 * detaches the old root. */
int rootfs_enter(const char *dir);

/* rootfs_enter()'s last step, which `tdg doctor` tries alone: with the
 * working directory DIR, a mount point, pivot_root into it and detach the
 * old root. Fails as "rootfs: pivot_root DIR: <why>" or "rootfs: detach
 * the old root: <why>". */
int rootfs_pivot(const char *dir);

#endif
