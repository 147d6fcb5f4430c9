/* rootfs.c — see rootfs.h.                                           (day 03) */
#include "rootfs.h"
#include "dev.h"
#include "fail.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char hint[] = "build one with 'make rootfs'";
#define DEFAULT_ROOTFS "rootfs/busybox" /* what 'make rootfs' builds */

static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	struct dirent *e;
	int empty = 1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			empty = 0;
			break;
		}
	closedir(d);
	return empty;
}

int rootfs_check(const char *dir, char *abs, size_t abs_size)
{
	struct stat st;
	char real[PATH_MAX];

	if (stat(dir, &st) != 0)
		return fail_with("%m; %s", hint);
	if (!S_ISDIR(st.st_mode))
		return fail_with("is not a directory");
	if (!realpath(dir, real) || strlen(real) >= abs_size)
		return fail_with("cannot resolve the path");
	if (strcmp(real, "/") == 0)
		return fail_with("is the host's own root; pass a rootfs folder");
	int empty = dir_is_empty(real);
	if (empty < 0)
		return fail_with("%m; %s", hint);
	if (empty)
		return fail_with("is empty; %s", hint);
	strcpy(abs, real);
	return 0;
}

/* The rootfs `run` uses without --rootfs: rootfs/busybox in the tree this
 * binary was built in, found from the binary's own path (so ./day07/tdg
 * works from any folder). The folders above the binary are searched, the
 * nearest first, for rootfs/busybox, up to the source tree (the folder
 * with scripts/mkrootfs.sh, what `make rootfs` runs): a day's folder,
 * build/asan/ and a lab workspace (its rootfs/ a link) all lead to it. */
static int rootfs_default(char *out, size_t size)
{
	char tree[PATH_MAX], probe[PATH_MAX + 32];
	struct stat st;
	ssize_t n = readlink("/proc/self/exe", tree, sizeof tree - 1);
	if (n <= 0)
		return fail_with("no --rootfs given, and /proc/self/exe: %m; pass --rootfs DIR");
	tree[n] = '\0';
	snprintf(out, size, "%s", DEFAULT_ROOTFS);
	char *slash;
	while ((slash = strrchr(tree, '/'))) {
		*slash = '\0'; /* its parent ("" is /) */
		snprintf(probe, sizeof probe, "%s/%s", tree, DEFAULT_ROOTFS);
		if (lstat(probe, &st) == 0) {
			if (snprintf(out, size, "%s", probe) >= (int)size)
				return fail_with("the path is too long; pass --rootfs DIR");
			return 0; /* rootfs_check() says if it is not a rootfs */
		}
		snprintf(probe, sizeof probe, "%s/scripts/mkrootfs.sh", tree);
		if (access(probe, F_OK) == 0) {
			snprintf(out, size, "%s/%s", tree, DEFAULT_ROOTFS);
			return fail_with("not built yet, and no --rootfs given; run 'make rootfs' "
					 "in %s, or pass --rootfs DIR", tree[0] ? tree : "/");
		}
	}
	return fail_with("no --rootfs given, and this tdg is in no source tree to find one in; "
			 "pass --rootfs DIR, or set TDG_ROOTFS");
}

int rootfs_find(const char *arg, const char *root, char *out, size_t size)
{
	struct stat st;
	if (!arg && (arg = getenv("TDG_ROOTFS")) && !arg[0])
		arg = NULL; /* TDG_ROOTFS= is unset */
	if (!arg)
		return rootfs_default(out, size);
	snprintf(out, size, "%s", arg);
	if (!root || strchr(arg, '/') || (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)))
		return 0;
	/* (day 10) A hidden name is never an import: ".NAME.tmpXXXXXX" is one
	 * that is still being unpacked (import.c). */
	if (arg[0] && arg[0] != '.' &&
	    snprintf(out, size, "%s/rootfs/%s", root, arg) < (int)size &&
	    stat(out, &st) == 0)
		return 0;
	snprintf(out, size, "%s", arg);
	if (lstat(arg, &st) == 0)
		return 0;
	return fail_with("no such folder here, nor an imported rootfs in %s/rootfs; import one "
			 "with 'tdg import TARBALL|URL %s', or build one with 'make rootfs'",
			 root, arg);
}

/* A mount point must exist; a rootfs that lacks one gets it. That writes
 * into the rootfs folder, which our busybox rootfs never needs (it has
 * them all); day 10's overlay keeps even that out of the folder. */
static int mount_at(const char *src, const char *target, const char *type,
		    unsigned long flags, const char *data)
{
	if (mkdir(target, 0755) != 0 && errno != EEXIST)
		return fail_with("rootfs: mkdir /%s: %m", target);
	if (mount(src, target, type, flags, data) != 0)
		return fail_host("rootfs: mount %s on /%s: %m", type, target);
	return 0;
}

int rootfs_bind_file(const char *dir, const char *file, const char *target)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, target);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	if (mount(file, path, NULL, MS_BIND, NULL) != 0)
		return fail_host("rootfs: bind %s on /%s: %m", file, target);
	return 0;
}

/* (day 10) True in a user namespace other than the host's (run --userns):
 * there /proc/self/uid_map maps less than the host's whole range. */
static bool in_user_namespace(void)
{
	unsigned long inside, outside, count;
	FILE *f = fopen("/proc/self/uid_map", "re");
	bool host = f && fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3 &&
		    inside == 0 && outside == 0 && count == 4294967295UL;
	if (f)
		fclose(f);
	return !host;
}

int rootfs_overlay(const char *lower, const char *upper, const char *work,
		   const char *merged)
{
	/* LAB(10a.1): mount an overlay on MERGED: LOWER read-only below, UPPER
	 * the container's private layer on top, WORK overlayfs's scratch folder.
	 * HINT: man 2 mount, and the kernel's filesystems/overlayfs.rst: the type
	 * is "overlay", the layers go in the data string ("lowerdir=...,upperdir=
	 * ...,workdir=..."); WORK must be empty and on UPPER's filesystem. In a
	 * user namespace (--userns, 10c) add ",userxattr": overlayfs's own
	 * trusted.overlay.* attributes are the host root's only. ENODEV: no
	 * overlayfs in this kernel; say "modprobe overlay". */
	char opts[3 * PATH_MAX + 64];
	/* overlayfs marks deleted folders and the like with its own extended
	 * attributes, trusted.overlay.*, which only the host's root may set.
	 * In a user namespace it needs userxattr (Linux 5.11): user.overlay.*
	 * instead, or `rm -r /etc; mkdir /etc` would fail with EIO. */
	snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s%s", lower, upper, work,
		 in_user_namespace() ? ",userxattr" : "");
	if (mount("overlay", merged, "overlay", 0, opts) != 0)
		return fail_host("rootfs: overlay on %s: %m%s", merged,
				 errno == ENODEV ? "; the kernel lacks overlayfs (modprobe overlay)"
						 : "");
	return 0;
	/* END LAB */
}

int rootfs_bind_volume(const char *dir, const char *src, const char *target, int ro)
{
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, target);
	if (stat(src, &st) != 0)
		return fail_with("volume: %s: %m", src);
	/* LAB(10a.3): -v: bind the host path SRC (ST says what it is) on PATH,
	 * DIR/TARGET inside the container's root-to-be, read-only if RO.
	 * HINT: man 2 mount: a bind mount's target must exist and be of the same
	 * kind as its source (a folder for a folder, mkdir -p; a file for a
	 * file); MS_REC takes the mounts below SRC along; :ro is a second call,
	 * as in 10a.2. Made here, before pivot_root, in the child's private mount
	 * namespace: the host's mount table never sees it. */
	/* The mount point must be of the same kind as what is bound on it. */
	if (S_ISDIR(st.st_mode)) {
		char *p = path + strlen(dir) + 1;
		for (; (p = strchr(p, '/')); p++) { /* mkdir -p */
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return fail_with("volume: mkdir %s: %m", target);
	} else {
		int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
	}
	if (mount(src, path, NULL, MS_BIND | MS_REC, NULL) != 0)
		return fail_with("volume: bind %s on %s: %m", src, target);
	/* Read-only takes a second step: a bind mount's flags other than
	 * MS_BIND|MS_REC are ignored until a remount. */
	if (ro && mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0)
		return fail_with("volume: read-only %s: %m", target);
	/* END LAB */
	return 0;
}

static int enter(const char *dir, int readonly);

int rootfs_enter(const char *dir)
{
	return enter(dir, 0);
}

int rootfs_enter_readonly(const char *dir)
{
	return enter(dir, 1);
}

static int enter(const char *dir, int readonly)
{
	/* LAB(03.1): make the rootfs folder DIR a mount point of its own, with
	 * whatever is mounted below it; a refusal is
	 * fail_host("rootfs: bind %s: %m", dir).
	 * HINT: man 2 pivot_root: new_root must be a mount point, and a plain
	 * folder is not one; man 2 mount, MS_BIND (a folder can be bound onto
	 * itself) and MS_REC (or the mounts below it are left out). */
	/* pivot_root wants the new root to be a mount point, not just a
	 * folder: bind the folder onto itself to make it one. */
	if (mount(dir, dir, NULL, MS_BIND | MS_REC, NULL) != 0)
		return fail_host("rootfs: bind %s: %m", dir);
	/* END LAB */
	/* LAB(10a.2): --read-only: make the root (the bind of DIR just made)
	 * read-only, when READONLY says so.
	 * HINT: man 2 mount, "Creating a bind mount": MS_RDONLY given with
	 * MS_BIND is ignored; read-only takes a second call, a remount of the
	 * bind (MS_REMOUNT | MS_BIND | MS_RDONLY). Before /proc, /dev and /sys are
	 * mounted on top: those stay writable, as they must.
	 * STUB: if (readonly) return fail_todo("10a.2"); */
	if (readonly && mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0)
		return fail_host("rootfs: read-only %s: %m", dir);
	/* END LAB */
	if (chdir(dir) != 0)
		return fail_with("rootfs: chdir %s: %m", dir);

	/* LAB(03.2): mount the container's own filesystems inside the new root,
	 * with paths relative to it (we are in it): a procfs on proc, a tmpfs on
	 * dev filled by dev_populate("dev"), and sysfs on sys, read-only. Use
	 * mount_at() (it makes the mount point); return -1 if one fails.
	 * HINT: man 2 mount: proc and sys get MS_NOSUID|MS_NODEV|MS_NOEXEC, sys
	 * MS_RDONLY too (it can tune the host's kernel); dev gets MS_NOSUID and
	 * "mode=755,size=65536k" (a small tmpfs, not the host's /dev). */
	/* Relative paths from here on: these land inside the new root. */
	if (mount_at("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ||
	    mount_at("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
		     "mode=755,size=65536k") < 0 ||
	    dev_populate("dev") < 0 ||
	    mount_at("sysfs", "sys", "sysfs",
		     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -1;
	/* END LAB */
	return rootfs_pivot(dir);
}

int rootfs_pivot(const char *dir)
{
	/* LAB(03.5): make "." (the new root) the root of this mount namespace,
	 * take the old root away, and go to the new "/"; refusals are
	 * fail_host("rootfs: pivot_root %s: %m", dir), fail_host("rootfs: detach
	 * the old root: %m"), fail_with("rootfs: chdir /: %m").
	 * HINT: man 2 pivot_root, NOTES: pivot_root(".", ".") puts the old root
	 * on top of the new one, so no put_old folder is needed; glibc has no
	 * wrapper (syscall(2), SYS_pivot_root); man 2 umount2: the old root is
	 * busy (the host's mounts), only MNT_DETACH lets go of it. */
	/* pivot_root(".", ".") stacks the old root on top of the new one at
	 * the same place, so no /.old_root folder has to be made inside the
	 * rootfs (runc's trick). Unmounting "." then takes the old root away;
	 * MNT_DETACH because the host's mounts below it are busy. glibc has
	 * no wrapper for pivot_root. */
	if (syscall(SYS_pivot_root, ".", ".") != 0)
		return fail_host("rootfs: pivot_root %s: %m", dir);
	if (umount2(".", MNT_DETACH) != 0)
		return fail_host("rootfs: detach the old root: %m");
	if (chdir("/") != 0)
		return fail_with("rootfs: chdir /: %m");
	/* END LAB */
	return 0;
}

int rootfs_workdir(const char *dir)
{
	/* LAB(10a.4): -w: make DIR if it is missing (mkdir -p, as Docker's -w
	 * does) and chdir into it; refuse a DIR that leads outside the container.
	 * HINT: man 2 chdir, man 3 getcwd: after a chdir through a magic link
	 * (/proc/self/fd/N) getcwd() fails with ENOENT, as the directory has no
	 * path from our root: runc's check since CVE-2024-21626. */
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s", dir);
	for (char *p = path + 1; (p = strchr(p, '/')); p++) { /* mkdir -p */
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	if ((mkdir(path, 0755) != 0 && errno != EEXIST) || chdir(path) != 0)
		return fail_with("-w %s: %m", dir);
	/* A magic link (/proc/self/fd/N, /proc/PID/cwd) can lead anywhere,
	 * the host included; getcwd() then finds no path to the directory
	 * from our root and fails with ENOENT (runc's check since
	 * CVE-2024-21626). */
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd) && errno == ENOENT)
		return fail_with("-w %s: leads outside the container", dir);
	/* END LAB */
	return 0;
}
