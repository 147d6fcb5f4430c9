/* stats.c — see stats.h.                                             (day 10) */
#include "stats.h"
#include "fail.h"
#include "state.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

/* The first line of the file FILE in one of C's cgroup folders (v1 has a
 * folder per controller: the file is in one of them), into OUT. */
static bool cgroup_file(json_t *c, const char *file, char *out, size_t size)
{
	size_t i;
	json_t *dir;
	json_array_foreach(json_object_get(c, "cgroup"), i, dir) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/%s", json_string_value(dir), file);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		bool ok = fgets(out, (int)size, f) != NULL;
		fclose(f);
		if (ok)
			return true;
	}
	return false;
}

/* A number file ("123\n"); -1 if there is none or it holds no number. */
static long long cgroup_number(json_t *c, const char *file)
{
	char line[64], *end;
	if (!cgroup_file(c, file, line, sizeof line))
		return -1;
	long long n = strtoll(line, &end, 10);
	return end == line ? -1 : n;
}

/* KEY's value in a "key value" file of C's cgroup (memory.stat, cpu.stat). */
static long long cgroup_key(json_t *c, const char *file, const char *key)
{
	size_t i;
	json_t *dir;
	json_array_foreach(json_object_get(c, "cgroup"), i, dir) {
		char path[PATH_MAX], k[64];
		long long v, found = -1;
		snprintf(path, sizeof path, "%s/%s", json_string_value(dir), file);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		while (found < 0 && fscanf(f, "%63s %lld", k, &v) == 2)
			if (strcmp(k, key) == 0)
				found = v;
		fclose(f);
		return found;
	}
	return -1;
}

static long long veth_counter(const char *veth, const char *name)
{
	char path[128], line[64];
	snprintf(path, sizeof path, "/sys/class/net/%s/statistics/%s", veth, name);
	FILE *f = fopen(path, "re");
	long long n = -1;
	if (f && fgets(line, sizeof line, f))
		n = atoll(line);
	if (f)
		fclose(f);
	return n;
}

void stats_read(json_t *c, struct stats *s)
{
	clock_gettime(CLOCK_MONOTONIC, &s->at);
	/* CPU: v1's cpuacct counts nanoseconds, v2's cpu.stat microseconds. */
	s->cpu_ns = cgroup_number(c, "cpuacct.usage");
	if (s->cpu_ns < 0 && (s->cpu_ns = cgroup_key(c, "cpu.stat", "usage_usec")) >= 0)
		s->cpu_ns *= 1000;
	/* Memory: v1, then v2; minus what the kernel may drop at once. */
	long long inactive = cgroup_key(c, "memory.stat", "total_inactive_file");
	s->mem = cgroup_number(c, "memory.usage_in_bytes");
	s->mem_limit = cgroup_number(c, "memory.limit_in_bytes");
	if (s->mem < 0) {
		inactive = cgroup_key(c, "memory.stat", "inactive_file");
		s->mem = cgroup_number(c, "memory.current");
		s->mem_limit = cgroup_number(c, "memory.max"); /* "max": -1 */
	}
	if (s->mem >= 0 && inactive > 0 && inactive < s->mem)
		s->mem -= inactive;
	if (s->mem_limit < 0 || s->mem_limit >= (1LL << 62)) /* v1's "none" */
		s->mem_limit = 0;
	s->pids = cgroup_number(c, "pids.current");
	/* The host end's counters, seen from the container: swapped. */
	const char *veth = state_str(c, "veth");
	s->rx = *veth ? veth_counter(veth, "tx_bytes") : -1;
	s->tx = *veth ? veth_counter(veth, "rx_bytes") : -1;
}

double stats_cpu_percent(const struct stats *before, const struct stats *now)
{
	if (!before || before->cpu_ns < 0 || now->cpu_ns < 0)
		return -1;
	double wall = (double)(now->at.tv_sec - before->at.tv_sec) * 1e9 +
		      (double)(now->at.tv_nsec - before->at.tv_nsec);
	if (wall <= 0)
		return -1;
	return (double)(now->cpu_ns - before->cpu_ns) / wall * 100;
}

void stats_bytes(long long n, bool binary, char *out, size_t size)
{
	static const char *const bin[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	static const char *const dec[] = {"B", "kB", "MB", "GB", "TB"};
	double v = (double)n, base = binary ? 1024 : 1000;
	int u = 0;
	while (v >= base && u < 4) {
		v /= base;
		u++;
	}
	if (u == 0)
		snprintf(out, size, "%lld%s", n, "B");
	else
		snprintf(out, size, "%.4g%s", v, binary ? bin[u] : dec[u]);
}

void stats_print(FILE *out, bool header, json_t *c, const struct stats *before,
		 const struct stats *now)
{
	static const char fmt[] = "%-14s%-16s%-9s%-22s%-9s%-20s%s\n";
	if (header) {
		fprintf(out, fmt, "CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %",
			"NET I/O", "PIDS");
		return;
	}
	char cpu[16] = "--", mem[48] = "-- / --", memp[16] = "--", net[48] = "--", pids[24] = "--";
	if (now) {
		double pc = stats_cpu_percent(before, now);
		if (pc >= 0)
			snprintf(cpu, sizeof cpu, "%.2f%%", pc);
		/* No limit of its own: the host's memory is the limit. */
		struct sysinfo si;
		long long limit = now->mem_limit;
		if (!limit && sysinfo(&si) == 0)
			limit = (long long)si.totalram * si.mem_unit;
		char a[16], b[16];
		if (now->mem >= 0) {
			stats_bytes(now->mem, true, a, sizeof a);
			stats_bytes(limit, true, b, sizeof b);
			snprintf(mem, sizeof mem, "%s / %s", a, b);
			if (limit > 0)
				snprintf(memp, sizeof memp, "%.2f%%", (double)now->mem * 100 / (double)limit);
		}
		if (now->rx >= 0 && now->tx >= 0) {
			stats_bytes(now->rx, false, a, sizeof a);
			stats_bytes(now->tx, false, b, sizeof b);
			snprintf(net, sizeof net, "%s / %s", a, b);
		} else
			snprintf(net, sizeof net, "0B / 0B"); /* --net host or none: no veth */
		if (now->pids >= 0)
			snprintf(pids, sizeof pids, "%lld", now->pids);
	}
	const char *name = state_str(c, "name");
	fprintf(out, fmt, state_str(c, "id"), *name ? name : "-", cpu, mem, memp, net, pids);
}

/* "Key:\tvalue" of /proc/PID/status into OUT (the whole rest of the line). */
static bool status_field(pid_t pid, const char *key, char *out, size_t size)
{
	char path[64], line[512];
	size_t len = strlen(key);
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	bool found = false;
	while (f && !found && fgets(line, sizeof line, f))
		if (strncmp(line, key, len) == 0 && line[len] == ':') {
			snprintf(out, size, "%s", line + len + 1 + strspn(line + len + 1, " \t"));
			out[strcspn(out, "\n")] = '\0';
			found = true;
		}
	if (f)
		fclose(f);
	return found;
}

/* /proc/PID/cmdline with spaces between the arguments, or "[comm]" for a
 * process without one (a kernel thread; a zombie). */
static void command_line(pid_t pid, char *out, size_t size)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, out, size - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n > 0) {
		out[n] = '\0';
		for (ssize_t i = 0; i < n - 1; i++)
			if (out[i] == '\0')
				out[i] = ' ';
		return;
	}
	char comm[64] = "?";
	status_field(pid, "Name", comm, sizeof comm);
	snprintf(out, size, "[%s]", comm);
}

/* utime + stime of /proc/PID/stat, in clock ticks (fields 14 and 15,
 * after the command name, which may itself hold spaces and parentheses). */
static unsigned long long cpu_ticks(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long ut = 0, st = 0;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (f && fgets(buf, sizeof buf, f)) {
		char *p = strrchr(buf, ')');
		if (p)
			sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st);
	}
	if (f)
		fclose(f);
	return ut + st;
}

static bool same_pid_ns(pid_t pid, const struct stat *ns)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)pid);
	return stat(path, &st) == 0 && st.st_dev == ns->st_dev && st.st_ino == ns->st_ino;
}

int stats_top(FILE *out, pid_t pid)
{
	char path[64];
	struct stat ns;
	snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)pid);
	if (stat(path, &ns) != 0)
		return fail_with("top: %s: %m", path);
	DIR *d = opendir("/proc");
	if (!d)
		return fail_with("top: /proc: %m");
	long hz = sysconf(_SC_CLK_TCK);
	struct dirent *e;
	fprintf(out, "%-9s%-9s%-9s%-7s%-10s%s\n", "PID", "CPID", "PPID", "UID", "TIME", "COMMAND");
	while ((e = readdir(d))) {
		pid_t p = (pid_t)atoi(e->d_name);
		char nspid[128], ppid[16] = "?", uid[16] = "?", cmd[256];
		/* A process of the namespace; NSpid lists its pid in each PID
		 * namespace from the host's down: the last is the container's. */
		if (p <= 0 || !same_pid_ns(p, &ns) || !status_field(p, "NSpid", nspid, sizeof nspid))
			continue;
		char *inside = strrchr(nspid, '\t');
		inside = inside ? inside + 1 : nspid;
		status_field(p, "PPid", ppid, sizeof ppid);
		if (status_field(p, "Uid", uid, sizeof uid))
			uid[strcspn(uid, "\t ")] = '\0'; /* the real uid, as the host sees it */
		command_line(p, cmd, sizeof cmd);
		unsigned long long s = hz > 0 ? cpu_ticks(p) / (unsigned long long)hz : 0;
		char t[32];
		snprintf(t, sizeof t, "%02llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
		fprintf(out, "%-9d%-9s%-9s%-7s%-10s%s\n", (int)p, inside, ppid, uid, t, cmd);
	}
	closedir(d);
	return 0;
}
