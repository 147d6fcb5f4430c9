/* stats.h — what the kernel counts for a container: `tdg stats`, `tdg top`. (day 10)
 *
 * Day 07 made the limits; the same cgroup also counts what the container
 * uses, whatever process of it used it (a fork, an exec'd shell), in files
 * next to the limits:
 *
 *                 cgroup v1 (a tree per controller)     cgroup v2 (one tree)
 *   CPU time      cpuacct/.../cpuacct.usage (ns)        cpu.stat usage_usec
 *   memory        memory/.../memory.usage_in_bytes      memory.current
 *     its limit   memory.limit_in_bytes (huge: none)    memory.max ("max": none)
 *   processes     pids/.../pids.current                 pids.current
 *
 * The memory figure is Docker's: usage minus the page cache the kernel may
 * drop at once (inactive_file in memory.stat), so reading a big file does
 * not look like a leak. A tmpfs file counts: it can only go to swap.
 * CPU % is CPU time over wall time between two readings (100% = one CPU
 * busy; --cpus 0.5 caps it near 50%). The network bytes are the counters of
 * the veth's host end (/sys/class/net/td<id>/statistics): what the host
 * end receives, the container sent. */
#ifndef TDG_STATS_H
#define TDG_STATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

struct stats {
	struct timespec at;	/* when read (CLOCK_MONOTONIC) */
	long long cpu_ns;	/* CPU time used so far; -1 unknown */
	long long mem;		/* bytes in use (minus inactive file cache); -1 */
	long long mem_limit;	/* bytes; 0: none (the host's memory then) */
	long long pids;		/* processes; -1 unknown */
	long long rx, tx;	/* the container's network bytes in, out; -1: no veth */
};

/* Read running container C's figures (its record's "cgroup" folders and
 * "veth") into S. Always fills S (-1 where a file is missing). */
void stats_read(json_t *c, struct stats *s);

/* CPU % between two readings of the same container (-1: unknown). */
double stats_cpu_percent(const struct stats *before, const struct stats *now);

/* Bytes as Docker shows them: binary for memory ("64.2MiB"), decimal for
 * the network ("1.5kB"). */
void stats_bytes(long long n, bool binary, char *out, size_t size);

/* The table `tdg stats` prints: a header (HEADER true), or one line of C
 * (NOW and BEFORE its readings; BEFORE NULL: no CPU % yet; NOW NULL: not
 * running, dashes). */
void stats_print(FILE *out, bool header, json_t *c, const struct stats *before,
		 const struct stats *now);

/* `tdg top`: the processes in the PID namespace of host process PID (the
 * container's PID 1), each with its host pid and its pid inside (the last
 * NSpid of /proc/P/status), parent, user, CPU time and command. 0, or -1
 * with the failure recorded. */
int stats_top(FILE *out, pid_t pid);

#endif
