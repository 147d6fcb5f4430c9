/* resources.h — reading the resource limits a user asks for.      (day 07)
 *
 * `--memory 128m`, `--cpus 0.5`, `--pids-limit 64`, turned into the numbers
 * the cgroup files want. Each parser returns 0, or -1 with the reason
 * recorded (fail.h), so `tdg run` can print one clear line; zero,
 * negative, garbage, empty and overflowing values are all refused. */
#ifndef TDG_RESOURCES_H
#define TDG_RESOURCES_H

#include <stddef.h>

struct limits {
	long long memory;    /* bytes; 0: no limit */
	long long cpu_quota; /* microseconds of CPU per CPU_PERIOD; 0: no limit */
	long long pids;	     /* most processes; 0: no limit */
};

/* The CFS period tdg uses (the kernel's default): 100 ms. */
#define CPU_PERIOD 100000LL

/* "128m", "1.5g", "65536", "512K", "1b": a number (decimals allowed) and an
 * optional suffix b, k, m, g in either case (powers of 1024). */
int resources_parse_memory(const char *s, long long *bytes);

/* "0.5", "2": a fraction of CPUs, from 0.01 to NCPUS (the host's count). */
int resources_parse_cpus(const char *s, int ncpus, long long *quota);

/* A whole number of processes, from 1 to 4194304 (the kernel's pid_max). */
int resources_parse_pids(const char *s, long long *pids);

#endif
