/* userns.c — see userns.h.                                           (day 10) */
#include "userns.h"
#include "fail.h"
#include "state.h"
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_START 100000UL
#define DEFAULT_COUNT 65536UL

/* START and COUNT of the first "NAME:START:COUNT" line of FILE for NAME in
 * NAMES (in that order of preference); the default range if none. */
static void range(const char *file, unsigned long *start, unsigned long *count)
{
	static const char *const names[] = {"tdg", "root"};
	char line[256], name[64];
	unsigned long s, n;
	*start = DEFAULT_START;
	*count = DEFAULT_COUNT;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		FILE *f = fopen(file, "re");
		if (!f)
			return; /* no register on this host: the default */
		bool found = false;
		while (!found && fgets(line, sizeof line, f))
			found = sscanf(line, "%63[^:]:%lu:%lu", name, &s, &n) == 3 &&
				strcmp(name, names[i]) == 0 && n > 0 && s > 0;
		fclose(f);
		if (found) {
			*start = s;
			*count = n;
			return;
		}
	}
}

int userns_check_reachable(const struct userns *u, const char *path, const char *what)
{
	char dir[PATH_MAX];
	struct stat st;
	snprintf(dir, sizeof dir, "%s", path);
	/* Each folder above PATH must let the container's root (an ordinary
	 * user to the host: "others", unless the folder is its own) look
	 * things up in it. Without a capability over host-owned files it
	 * reaches the host's folders like any other user. */
	for (char *slash = strrchr(dir, '/'); slash; slash = strrchr(dir, '/')) {
		*slash = '\0';
		const char *d = slash == dir ? "/" : dir;
		if (stat(d, &st) != 0)
			return fail_with("run: --userns: %s: %m", d);
		bool x = (st.st_mode & S_IXOTH) ||
			 (st.st_uid == u->uid && (st.st_mode & S_IXUSR)) ||
			 (st.st_gid == u->gid && (st.st_mode & S_IXGRP));
		if (!x)
			return fail_with("run: --userns: %s is closed to others (mode %03o): the "
					 "container's root, host uid %lu, cannot reach %s %s; "
					 "chmod o+x %s", d, st.st_mode & 0777, u->uid, what, path, d);
		if (slash == dir)
			break;
	}
	return 0;
}

int userns_prepare(struct userns *u, json_t *c)
{
	unsigned long gcount;
	char map[64], dir[PATH_MAX], layer[PATH_MAX];
	const char *id = state_str(c, "id");
	range("/etc/subuid", &u->uid, &u->count);
	range("/etc/subgid", &u->gid, &gcount);
	if (gcount < u->count)
		u->count = gcount;
	json_object_set_new(c, "userns", json_true());
	snprintf(map, sizeof map, "0 %lu %lu", u->uid, u->count);
	json_object_set_new(c, "uid_map", json_string(map));
	snprintf(map, sizeof map, "0 %lu %lu", u->gid, u->count);
	json_object_set_new(c, "gid_map", json_string(map));
	static const char *const keys[] = {"userns", "uid_map", "gid_map", NULL};
	if (state_record(c, keys) < 0)
		return -1;

	/* The state folder is 0700 (root's), and the container's root must
	 * pass through it to its layer and mount point. Its group becomes the
	 * range's (the container's root's gid on the host), mode 0710: that
	 * group may look names up in it, not list it; other users of the
	 * host still see nothing of the container's files or log. */
	state_path(dir, sizeof dir, id, NULL);
	if (chown(dir, 0, (gid_t)u->gid) != 0 || chmod(dir, 0710) != 0)
		return fail_with("run: --userns: give %s to group %lu: %m", dir, u->gid);
	/* The overlay layer (none with --read-only): overlayfs writes into it
	 * with the credentials of whoever mounted it, the container's root. */
	static const char *const layers[] = {"upper", "work"};
	for (int i = 0; i < 2; i++) {
		state_path(layer, sizeof layer, id, layers[i]);
		if (chown(layer, (uid_t)u->uid, (gid_t)u->gid) != 0 && errno != ENOENT)
			return fail_with("run: --userns: chown %s: %m", layer);
	}
	/* Nothing here needs undoing on failure: all of it is in the state
	 * folder, which the caller's discard removes. */
	state_path(u->mountpoint, sizeof u->mountpoint, id, "rootfs");
	if (mkdir(u->mountpoint, 0755) != 0)
		return fail_with("run: --userns: mkdir %s: %m", u->mountpoint);
	if (userns_check_reachable(u, u->mountpoint, "its state folder") != 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, u->sock) != 0)
		return fail_with("run: --userns: socketpair: %m");
	return 0;
}

static int write_map(pid_t pid, const char *file, unsigned long start, unsigned long count)
{
	char path[64], map[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	int n = snprintf(map, sizeof map, "0 %lu %lu\n", start, count);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* One write() of the whole map: the kernel takes exactly one, and
	 * refuses a second. */
	int ok = write(fd, map, (size_t)n) == n;
	int err = errno;
	close(fd);
	errno = err;
	return ok ? 0 : -1;
}

int userns_map(struct userns *u, pid_t pid, const char *rootfs)
{
	int nsfd = -1, tree = -1;
	const char *what; /* the step that failed, for the message */
	close(u->sock[1]); /* the child's end: its EOF if we die */
	/* /proc/PID/setgroups stays "allow". The kernel wants "deny" before
	 * a gid_map only from a writer without CAP_SETGID over the parent
	 * namespace (an unprivileged user mapping itself, who could otherwise
	 * drop a group that *denies* it a file). tdg has it, and the child
	 * needs setgroups() to drop the host groups it was born with. */
	/* LAB(10c.5): --userns, in tdg while the child waits: write the child's
	 * uid_map and gid_map (container 0 = host U->uid, U->count ids; the
	 * same for gids), then make the idmapped rootfs: a detached copy of
	 * ROOTFS's mount whose ids are read through the child's user namespace.
	 * Leave it in TREE (NSFD: the namespace's fd); set WHAT before each
	 * step, so `goto fail` says which one failed.
	 * HINT: man 7 user_namespaces, "Defining user and group ID mappings": one
	 * write() of the whole map, by a process with CAP_SETUID in the parent
	 * namespace (write_map() above). man 2 open_tree (OPEN_TREE_CLONE,
	 * AT_RECURSIVE), man 2 mount_setattr (MOUNT_ATTR_IDMAP, userns_fd: an
	 * fd of /proc/PID/ns/user): only a detached mount can be idmapped.
	 * STUB: what = "TODO(10c.5) not written yet; see the lesson's 'Write it yourself'"; errno = ENOSYS; goto fail; */
	what = "write uid_map";
	if (write_map(pid, "uid_map", u->uid, u->count) != 0)
		goto fail;
	what = "write gid_map";
	if (write_map(pid, "gid_map", u->gid, u->count) != 0)
		goto fail;

	/* The idmapped mount: a detached copy of the rootfs folder's mount
	 * (open_tree's OPEN_TREE_CLONE, a bind that is not attached anywhere
	 * yet), then MOUNT_ATTR_IDMAP with the child's user namespace: its
	 * map, read through the mount, shows host uid 0 as the namespace's 0.
	 * Only a detached mount can be idmapped, and only by someone with
	 * CAP_SYS_ADMIN over the filesystem's own namespace: the host's root,
	 * not the child. */
	char ns[64];
	snprintf(ns, sizeof ns, "/proc/%d/ns/user", (int)pid);
	what = "open its user namespace";
	if ((nsfd = open(ns, O_RDONLY | O_CLOEXEC)) < 0)
		goto fail;
	what = "open_tree of the rootfs";
	tree = open_tree(AT_FDCWD, rootfs, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		goto fail;
	what = "idmapped mount of the rootfs (Linux 5.12+, and a filesystem that supports it)";
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (__u64)nsfd};
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
		goto fail;
	/* END LAB */
	close(nsfd);
	/* It doubles as the word that the maps are there. */
	if (tty_send_fd(u->sock[0], tree) != 0) {
		nsfd = -1;
		what = "send the rootfs to the container";
		goto fail;
	}
	close(tree);
	close(u->sock[0]);
	return 0;
fail:
	/* Give up on the child (it never ran the command): killed and reaped
	 * here, before our end of its socket closes, so it neither waits for
	 * ever nor says anything itself. Then the rest, in reverse. */
	fail_host("run: --userns: %s: %m", what);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (tree >= 0)
		close(tree);
	if (nsfd >= 0)
		close(nsfd);
	close(u->sock[0]);
	return -1;
}

int userns_become_root(void)
{
	int deathsig = 0;
	pid_t parent = getppid();
	prctl(PR_GET_PDEATHSIG, &deathsig);
	/* In this order: setgroups() and setresgid() need CAP_SETGID, which
	 * setresuid() to a non-zero uid would take. 0 here is the map's
	 * first id (100000 on the host). */
	if (setgroups(0, NULL) != 0)
		return fail_with("userns: drop the host's groups: %m");
	if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0)
		return fail_with("userns: become the namespace's root: %m");
	/* A change of uid clears the parent-death signal (so that nobody can
	 * kill a setuid program that way): without setting it again, a
	 * SIGKILLed tdg would leave the container running. If tdg died in
	 * between, the signal will never come: act on it now. */
	if (deathsig) {
		prctl(PR_SET_PDEATHSIG, deathsig);
		if (getppid() != parent)
			raise(deathsig);
	}
	return 0;
}

int userns_enter(struct userns *u, char *rootfs, size_t size)
{
	close(u->sock[0]);
	/* No rootfs comes only if tdg ended without killing us first (when
	 * it fails, userns_map() kills us before our socket closes): then
	 * nobody else says why. */
	int tree = tty_recv_fd(u->sock[1]);
	close(u->sock[1]);
	if (tree < 0)
		return fail_with("userns: tdg ended before it sent the idmapped rootfs");
	/* From here on, the host's files see us as uid 100000. */
	if (userns_become_root() != 0)
		goto fail;
	/* Attached in our own mount namespace (private already), where the
	 * rest of the setup finds it under a name: the overlay's lower layer,
	 * or the root itself with --read-only. */
	if (move_mount(tree, "", AT_FDCWD, u->mountpoint, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
		fail_host("userns: attach the idmapped rootfs on %s: %m", u->mountpoint);
		goto fail;
	}
	close(tree);
	snprintf(rootfs, size, "%s", u->mountpoint);
	return 0;
fail:
	close(tree);
	return -1;
}

int userns_join(int pidfd)
{
	return setns(pidfd, CLONE_NEWUSER);
}
