/* cgroup.h — limiting what a container may use.                     (day 07)
 *
 * Namespaces decide what a process sees; control groups decide what it may
 * use. Each container gets one cgroup named after its id under a `tdg`
 * parent, its limits written into the cgroup's files, and its process
 * moved in before it runs a single instruction of the user's command.
 *
 *   cgroup v2 (unified): one tree.        cgroup v1: one tree per controller.
 *   /sys/fs/cgroup/tdg/<id>/              /sys/fs/cgroup/memory/tdg/<id>/
 *       memory.max  cpu.max  pids.max         memory.limit_in_bytes
 *       cgroup.procs  memory.events       /sys/fs/cgroup/cpu/tdg/<id>/
 *                                             cpu.cfs_quota_us  cpu.cfs_period_us
 *                                         /sys/fs/cgroup/pids/tdg/<id>/pids.max
 *                                         /sys/fs/cgroup/cpuacct/tdg/<id>/cpuacct.usage
 *
 * On v2 a controller works in a cgroup only if its parent lists it in
 * cgroup.subtree_control: tdg enables memory, cpu and pids in the root's
 * and in tdg/'s before it makes <id>/ (forgetting this is the classic trap:
 * the limit files simply do not exist). */
#ifndef TDG_CGROUP_H
#define TDG_CGROUP_H

#include <jansson.h>

#include "resources.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

enum cgroup_version { CGROUP_NONE = 0, CGROUP_V1 = 1, CGROUP_V2 = 2 };

#define CGROUP_MAX_DIRS 4 /* v1: memory, cpu, pids (+ cpuacct); v2: one */

struct cgroup {
	enum cgroup_version version;
	int ndirs;
	char dirs[CGROUP_MAX_DIRS][PATH_MAX]; /* .../tdg/<id> in each tree */
	int procs[CGROUP_MAX_DIRS];	      /* their cgroup.procs (v1: tasks), open */
};

/* Which layout ROOT (normally /sys/fs/cgroup) has: v2 if it is a cgroup2
 * mount, v1 if it holds per-controller cgroup mounts, else none. */
enum cgroup_version cgroup_detect(const char *root);

/* v2: is controller NAME ("memory") listed in DIR/cgroup.controllers, so
 * that DIR can enable it for its children? (`tdg doctor` asks the same.) */
bool cgroup_has_controller(const char *dir, const char *name);

/* The folders the cgroup of container ID will have, without making them
 * (to record them in the metadata first: whoever finds the container ended
 * can then remove them even if tdg died halfway). Returns how many. */
int cgroup_plan(struct cgroup *cg, const char *root, enum cgroup_version v,
		const char *id);
/* (day 10) The same for the cgroup PATH ("a/b", relative to each tree's
 * root) instead of tdg/<id>: the OCI bundle's linux.cgroupsPath. */
int cgroup_plan_at(struct cgroup *cg, const char *root, enum cgroup_version v,
		   const char *path);

/* Make the folders planned, enable the controllers (v2), write LIMITS, and
 * open cgroup.procs. On failure removes what it made and returns -1, the
 * failure recorded as the host's (e.g. "the host has no 'pids' cgroup
 * controller; ..."). */
int cgroup_create(struct cgroup *cg, const struct limits *limits);

/* Open CG's cgroup.procs files (v1: tasks, see cgroup.c) (cgroup_create() does), for the next
 * child to join with; close them once it is started (it has its copies).
 * (day 10) run --restart opens them again for each start. 0, or -1 with
 * the failure recorded (then none is open). */
int cgroup_open_procs(struct cgroup *cg);
void cgroup_close_procs(struct cgroup *cg);

/* In the container, before anything else: move ourselves in (writing "0"
 * to cgroup.procs, or v1's tasks, means "the writer"). 0, or -1 (recorded). */
int cgroup_join(struct cgroup *cg);

/* (day 10) Move the calling process into the cgroup folder DIR (for
 * `tdg exec`: what it runs counts against the container's limits). 0, or
 * -1 with errno, as a system call (the caller names the step). */
int cgroup_enter(const char *dir);

/* Did the kernel's OOM killer kill a process of this cgroup? Read from
 * memory.events (v2) or memory.oom_control (v1): "oom_kill N". */
bool cgroup_oom_killed(const char *dir);

/* Remove one cgroup folder (killing any process still in it), then its
 * `tdg` parent if that is now empty. Missing folders are fine; a folder
 * that will not go is warned about, never a failure of the caller. */
void cgroup_remove(const char *dir);

/* Release what container C's record names under "cgroup" (each folder,
 * as cgroup_remove()). Day 07's main() registers it with
 * container_on_release(); it never fails its caller. */
void cgroup_release(json_t *c);

#endif
