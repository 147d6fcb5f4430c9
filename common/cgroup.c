/* cgroup.c — see cgroup.h.                                           (day 07) */
#include "cgroup.h"
#include "fail.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

/* v1 trees, in the order of cg->dirs. cpuacct only counts CPU time (for
 * whoever wants to measure it); on most hosts "cpu" and "cpuacct" are links
 * to one "cpu,cpuacct" tree, and then one folder serves both. */
static const char *const v1_controllers[] = {"memory", "cpu", "pids", "cpuacct"};

enum cgroup_version cgroup_detect(const char *root)
{
	struct statfs fs;
	char path[PATH_MAX];
	if (statfs(root, &fs) != 0)
		return CGROUP_NONE;
	if (fs.f_type == CGROUP2_SUPER_MAGIC)
		return CGROUP_V2;
	snprintf(path, sizeof path, "%s/memory", root);
	if (statfs(path, &fs) == 0 && fs.f_type == CGROUP_SUPER_MAGIC)
		return CGROUP_V1;
	return CGROUP_NONE;
}

int cgroup_plan(struct cgroup *cg, const char *root, enum cgroup_version v,
		const char *id)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "tdg/%s", id);
	return cgroup_plan_at(cg, root, v, path);
}

int cgroup_plan_at(struct cgroup *cg, const char *root, enum cgroup_version v,
		   const char *path)
{
	memset(cg, 0, sizeof *cg);
	cg->version = v;
	for (int i = 0; i < CGROUP_MAX_DIRS; i++)
		cg->procs[i] = -1;
	if (v == CGROUP_V2) {
		snprintf(cg->dirs[0], PATH_MAX, "%s/%s", root, path);
		cg->ndirs = 1;
	} else if (v == CGROUP_V1) {
		char tree[PATH_MAX], cpu[PATH_MAX], acct[PATH_MAX];
		for (int i = 0; i < 3; i++)
			snprintf(cg->dirs[i], PATH_MAX, "%s/%s/%s", root,
				 v1_controllers[i], path);
		cg->ndirs = 3;
		snprintf(tree, sizeof tree, "%s/cpu", root);
		if (!realpath(tree, cpu))
			cpu[0] = '\0';
		snprintf(tree, sizeof tree, "%s/cpuacct", root);
		if (realpath(tree, acct) && strcmp(acct, cpu) != 0)
			snprintf(cg->dirs[cg->ndirs++], PATH_MAX, "%s/cpuacct/%s", root, path);
	}
	return cg->ndirs;
}

/* Write VALUE into DIR/FILE, as `echo VALUE > DIR/FILE` would. */
static int write_file(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, value, strlen(value));
	int err = errno;
	close(fd);
	errno = err;
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

/* DIR's parent (".../tdg"), into OUT. */
static void parent_of(const char *dir, char *out)
{
	snprintf(out, PATH_MAX, "%s", dir);
	char *slash = strrchr(out, '/');
	if (slash)
		*slash = '\0';
}

bool cgroup_has_controller(const char *dir, const char *name)
{
	char path[PATH_MAX + 32], buf[512], *tok, *save;
	snprintf(path, sizeof path, "%s/cgroup.controllers", dir);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	bool found = false;
	if (fgets(buf, sizeof buf, f))
		for (tok = strtok_r(buf, " \n", &save); tok && !found;
		     tok = strtok_r(NULL, " \n", &save))
			found = strcmp(tok, name) == 0;
	fclose(f);
	return found;
}

/* v2: make ROOT/tdg with memory, cpu and pids enabled for its children. */
static int v2_prepare_parent(const char *parent)
{
	static const char *const need[] = {"memory", "cpu", "pids"};
	char root[PATH_MAX];
	parent_of(parent, root);
	for (int i = 0; i < 3; i++)
		if (!cgroup_has_controller(root, need[i]))
			return fail_host("the host has no '%s' cgroup controller in "
					 "%s/cgroup.controllers; it may be bound to a cgroup v1 "
					 "tree, or disabled by cgroup_disable=%s on the kernel "
					 "command line", need[i], root, need[i]);
	/* LAB(07.1): (cgroup v2 only; a v1 host never runs this) make PARENT,
	 * tdg/, with memory, cpu and pids usable in the folders made under it.
	 * HINT: a controller works in a cgroup only if its parent lists it in
	 * cgroup.subtree_control, all the way down from the root (Documentation/
	 * admin-guide/cgroup-v2.rst, "Enabling and Disabling"); forget it and the
	 * limit files do not exist. A cgroup that holds processes cannot enable
	 * controllers for its children (EBUSY): tdg/ holds none */
	/* The root first, then tdg/: a controller is usable in a cgroup only
	 * if its parent enables it, all the way down. tdg/ itself holds no
	 * process, so the "no internal processes" rule (EBUSY) cannot bite. */
	if (write_file(root, "cgroup.subtree_control", "+memory +cpu +pids") != 0)
		return fail_host("enable controllers in %s/cgroup.subtree_control: %m", root);
	if (mkdir(parent, 0755) != 0 && errno != EEXIST)
		return fail_host("mkdir %s: %m", parent);
	if (write_file(parent, "cgroup.subtree_control", "+memory +cpu +pids") != 0)
		return fail_host("enable controllers in %s/cgroup.subtree_control: %m", parent);
	return 0;
	/* END LAB */
}

/* Returns how many of CG's folders it made (all of them on success), or
 * -(that number) - 1 on failure: undo must remove only what we made. */
static int make_dirs(struct cgroup *cg)
{
	char parent[PATH_MAX];
	int i;
	for (i = 0; i < cg->ndirs; i++) {
		parent_of(cg->dirs[i], parent);
		/* Another tdg may remove an empty tdg/ between our mkdirs
		 * (cgroup_remove tidies it away): then make it again. */
		for (int tries = 0;; tries++) {
			if (cg->version == CGROUP_V2) {
				if (v2_prepare_parent(parent) != 0)
					return -i - 1;
			} else if (mkdir(parent, 0755) != 0 && errno != EEXIST) {
				fail_host("mkdir %s: %m%s", parent,
					  errno == ENOENT ? "; the host has no such cgroup "
							    "controller mounted" : "");
				return -i - 1;
			}
			if (mkdir(cg->dirs[i], 0755) == 0)
				break;
			if (errno != ENOENT || tries == 3) {
				fail_host("mkdir %s: %m", cg->dirs[i]);
				return -i - 1;
			}
		}
	}
	return i;
}

static int write_limits(struct cgroup *cg, const struct limits *l)
{
	char v[64];
	const char *dir = NULL, *file = NULL;
#define SET(d, f, ...)                                                  \
	do {                                                            \
		dir = (d), file = (f);                                  \
		snprintf(v, sizeof v, __VA_ARGS__);                     \
		if (write_file(dir, file, v) != 0)                      \
			goto fail;                                      \
	} while (0)

	/* LAB(07.2): write each limit asked for (0: none) into its file: on v2
	 * all in dirs[0]; on v1 memory in dirs[0], cpu in dirs[1], pids in dirs[2].
	 * HINT: Documentation/admin-guide/cgroup-v2.rst (memory.max, cpu.max is
	 * "QUOTA PERIOD", pids.max) and cgroup-v1/ (memory.limit_in_bytes,
	 * cpu.cfs_period_us, cpu.cfs_quota_us); without swap off, a memory limit
	 * swaps instead of killing; SET() writes one file or jumps to fail
	 * STUB: return l->memory || l->cpu_quota || l->pids ? fail_todo("07.2") : 0; */
	if (cg->version == CGROUP_V2) {
		const char *d = cg->dirs[0];
		if (l->memory) {
			SET(d, "memory.max", "%lld", l->memory);
			/* Or the limit overflows into swap instead of an OOM kill. */
			if (write_file(d, "memory.swap.max", "0") != 0 && errno != ENOENT)
				goto fail;
		}
		if (l->cpu_quota)
			SET(d, "cpu.max", "%lld %lld", l->cpu_quota, CPU_PERIOD);
		if (l->pids)
			SET(d, "pids.max", "%lld", l->pids);
	} else {
		if (l->memory) {
			SET(cg->dirs[0], "memory.limit_in_bytes", "%lld", l->memory);
			/* memory+swap, where swap accounting is on (else ENOENT). */
			snprintf(v, sizeof v, "%lld", l->memory);
			write_file(cg->dirs[0], "memory.memsw.limit_in_bytes", v);
		}
		if (l->cpu_quota) {
			SET(cg->dirs[1], "cpu.cfs_period_us", "%lld", CPU_PERIOD);
			SET(cg->dirs[1], "cpu.cfs_quota_us", "%lld", l->cpu_quota);
		}
		if (l->pids)
			SET(cg->dirs[2], "pids.max", "%lld", l->pids);
	}
	return 0;
	/* END LAB */
fail:
	return fail_host("write %s to %s/%s: %m", v, dir, file);
#undef SET
}

int cgroup_create(struct cgroup *cg, const struct limits *limits)
{
	int made = make_dirs(cg);
	if (made < 0) {
		made = -made - 1;
		goto fail;
	}
	if (write_limits(cg, limits) != 0 || cgroup_open_procs(cg) != 0)
		goto fail;
	return 0;
fail: /* what we made, in reverse; the failure stays recorded */
	for (int i = made - 1; i >= 0; i--) /* never one that was there before */
		cgroup_remove(cg->dirs[i]);
	return -1;
}

int cgroup_open_procs(struct cgroup *cg)
{
	for (int i = 0; i < cg->ndirs; i++) {
		char path[PATH_MAX + 32];
		/* v1: the child joins through "tasks", not "cgroup.procs". A
		 * process moved through cgroup.procs takes a host-wide lock
		 * whose first taker after a quiet moment waits for an RCU grace
		 * period (the cold join, ~6-20 ms: docs/bench.md); a thread that
		 * moves itself ("0" into tasks) needs no such lock, and the
		 * child is still a single thread, so it moves whole
		 * (cgroup_procs_write_start() in the kernel's cgroup.c skips
		 * the lock then; an older kernel takes it, and is no slower).
		 * v2 has no tasks file (cgroup.threads is for threaded cgroups
		 * only). */
		snprintf(path, sizeof path, "%s/%s", cg->dirs[i],
			 cg->version == CGROUP_V1 ? "tasks" : "cgroup.procs");
		/* Opened here, used by the child: after pivot_root the child
		 * can no longer see /sys/fs/cgroup, but an open fd still works. */
		cg->procs[i] = open(path, O_WRONLY | O_CLOEXEC);
		if (cg->procs[i] < 0) {
			fail_host("open %s: %m", path);
			cgroup_close_procs(cg);
			return -1;
		}
	}
	return 0;
}

void cgroup_close_procs(struct cgroup *cg)
{
	for (int i = 0; i < cg->ndirs; i++)
		if (cg->procs[i] >= 0) {
			close(cg->procs[i]);
			cg->procs[i] = -1;
		}
}

int cgroup_join(struct cgroup *cg)
{
	/* LAB(07.3): move the calling process into each of CG's folders (this
	 * part, and its call in container_main, main.c).
	 * HINT: writing "0" to a cgroup.procs (v1: tasks) means "the writer" (cgroup-v2.rst,
	 * cgroup-v1/cgroups.rst); the files were opened in cgroup_create, before
	 * pivot_root hid /sys/fs/cgroup from the child */
	for (int i = 0; i < cg->ndirs; i++)
		if (write(cg->procs[i], "0", 1) != 1)
			return fail_host("cgroup: join %s: %m", cg->dirs[i]);
	return 0;
	/* END LAB */
}

int cgroup_enter(const char *dir)
{
	return write_file(dir, "cgroup.procs", "0");
}

bool cgroup_oom_killed(const char *dir)
{
	/* LAB(07.4): did the OOM killer kill a process of the cgroup DIR? (this
	 * part, and its use in finish_cgroup, main.c)
	 * HINT: an OOM kill and `kill -9` both end the command by SIGKILL (137);
	 * only the cgroup counts OOM kills: "oom_kill N" in memory.events (v2)
	 * or memory.oom_control (v1); read it before the cgroup is removed
	 * STUB: return fail_todo("07.4") == 0; */
	static const char *const files[] = {"memory.events", "memory.oom_control"};
	char path[PATH_MAX + 32], key[64];
	long long n;
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		bool killed = false;
		while (fscanf(f, "%63s %lld", key, &n) == 2)
			if (strcmp(key, "oom_kill") == 0 && n > 0)
				killed = true;
		fclose(f);
		return killed;
	}
	return false;
	/* END LAB */
}

/* Kill whatever is still in DIR (there should be nothing: when a PID
 * namespace's init dies, the kernel kills the rest before we can reap
 * it; this is for a container whose watcher died). */
static void kill_all(const char *dir)
{
	if (write_file(dir, "cgroup.kill", "1") == 0) /* v2, Linux 5.14+ */
		return;
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/cgroup.procs", dir);
	FILE *f = fopen(path, "re");
	int pid;
	while (f && fscanf(f, "%d", &pid) == 1)
		kill(pid, SIGKILL); /* the cgroup is ours: these are ours */
	if (f)
		fclose(f);
}

void cgroup_remove(const char *dir)
{
	char parent[PATH_MAX];
	/* rmdir of a cgroup fails with EBUSY while a process is in it, even
	 * one that is exiting; SIGKILLed processes leave within moments. */
	int tries = 0;
	while (rmdir(dir) != 0 && errno != ENOENT) {
		if (errno != EBUSY || ++tries == 200) { /* say so, and go on */
			warn("cgroup: remove %s: %m", dir);
			break;
		}
		kill_all(dir);
		usleep(5000);
	}
	parent_of(dir, parent);
	rmdir(parent); /* only succeeds once the last container is gone */
}

void cgroup_release(json_t *c)
{
	size_t i;
	json_t *dir;
	json_array_foreach(json_object_get(c, "cgroup"), i, dir)
		cgroup_remove(json_string_value(dir));
}
