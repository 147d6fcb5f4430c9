/* userns.h — `run --userns`: the container's root is not the host's.  (day 10)
 *
 * A user namespace has its own numbering of users and groups: the parent
 * writes /proc/PID/uid_map and gid_map ("0 100000 65536": uid 0 inside is
 * uid 100000 outside, for 65536 ids), and every check the kernel makes
 * against a file, a process or a capability uses the *host's* number. The
 * container's root has every capability again, but only over what its user
 * namespace owns: its mount, network, UTS, IPC and PID namespaces (created
 * with it in the same clone(), so they belong to it), never over the host's
 * files, processes or kernel settings. A file only host root may read stays
 * closed to it even if it escapes every other wall; a file it creates in a
 * volume belongs to uid 100000 on the host.
 *
 * Three things the kernel makes us do:
 *   - the maps are written from outside, by a process with CAP_SETUID and
 *     CAP_SETGID in the parent namespace (tdg), after the clone: the child
 *     waits on a socket until they are there;
 *   - clone() keeps the child's uids: until it calls setresuid(0) *inside*
 *     it is still the host's uid 0 (shown as 65534, unmapped), with the
 *     host's supplementary groups. userns_become_root() drops the groups
 *     and takes uid/gid 0 of the namespace, i.e. 100000 of the host;
 *   - the rootfs folder belongs to the host's root, unmapped inside: the
 *     container would see every file as nobody's and could write none.
 *     The parent makes an *idmapped mount* of it (mount_setattr() with
 *     MOUNT_ATTR_IDMAP, Linux 5.12), a view in which the host's 0 reads as
 *     the namespace's 0, and hands it over as an fd (SCM_RIGHTS); only the
 *     host's root may make one, and the folder itself is not touched. The
 *     container's overlay layer is chowned to the range's root instead
 *     (files it writes there belong to uid 100000 on disk, as with
 *     Docker's userns-remap). Volumes are not idmapped: what the container
 *     makes there belongs to 100000, which is the point.
 *
 * The range: /etc/subuid and /etc/subgid are the host's register of which
 * ranges belong to whom (useradd hands out 100000.., 165536.., ...). An
 * entry "tdg:START:COUNT" (or "root:...") is used if there is one; else
 * 100000 and 65536 ids, what useradd gives the first user. Every --userns
 * container shares that range, as with Docker's userns-remap: they are
 * the same user to the host (kept apart by their namespaces), never root. */
#ifndef TDG_USERNS_H
#define TDG_USERNS_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

struct userns {
	bool on;		  /* --userns */
	unsigned long uid, gid;	  /* the host ids of the container's 0 */
	unsigned long count;	  /* ids mapped from there on */
	int sock[2];		  /* parent -> child: the idmapped rootfs */
	char mountpoint[PATH_MAX]; /* where the child attaches it */
};

/* Each of these returns 0, or -1 with the failure recorded (fail.h). */

/* The parent, before the clone: pick the range, record "userns",
 * "uid_map" and "gid_map" in C, give the overlay layer (if any) to the
 * range's root, make the rootfs mount point in the state folder, and check
 * that the container's root can reach the state folder. What it made is
 * all in the state folder: discarding the container removes it. */
int userns_prepare(struct userns *u, json_t *c);

/* The parent: -1 unless every folder above PATH (a -v volume) is open to
 * the container's root (o+x), which the child needs to bind it. */
int userns_check_reachable(const struct userns *u, const char *path, const char *what);

/* The parent, after the clone: write PID's uid_map and gid_map, make the
 * idmapped mount of ROOTFS and send it to the child. On failure kills and
 * reaps the child (it has run nothing of the user's) before returning -1,
 * so nothing waits for it. */
int userns_map(struct userns *u, pid_t pid, const char *rootfs);

/* The child, after ns_private_mounts(): wait for the maps, become the
 * namespace's root, attach the idmapped rootfs and write its path to
 * ROOTFS (SIZE bytes): from then on that is the folder to mount. */
int userns_enter(struct userns *u, char *rootfs, size_t size);

/* In any process in the namespace: no supplementary groups, uid and gid 0
 * of the namespace. */
int userns_become_root(void);

/* `tdg exec`: join the user namespace of the process behind PIDFD (before
 * its other namespaces, which it owns). 0, or -1 with errno. */
int userns_join(int pidfd);

#endif
