/* proc.h — is that pid still our container?                         (day 04)
 *
 * The kernel reuses pids. A state file that says "pid 4242" is a claim about
 * a process that may have died long ago, with a stranger now wearing its
 * number. Checking kill(pid, 0) alone would report (and later signal) that
 * stranger. A process is identified by its pid AND its start time (field 22
 * of /proc/<pid>/stat, in clock ticks since boot) AND the boot it belongs
 * to (/proc/sys/kernel/random/boot_id), which together are never reused. */
#ifndef TDG_PROC_H
#define TDG_PROC_H

#include <stdbool.h>
#include <sys/types.h>

/* The start time of PID, or 0 if there is no such process. */
unsigned long long proc_start_time(pid_t pid);

/* This boot's id (36 characters + NUL) into OUT; "" if unreadable. */
void proc_boot_id(char out[37]);

/* True if PID is still the process that had START_TIME in boot BOOT_ID,
 * and has not ended (a zombie has). */
bool proc_same(pid_t pid, unsigned long long start_time, const char *boot_id);

/* (day 05) A pidfd for PID if it is still that process, else -1. A pidfd
 * names one process for good: a signal sent through it can never reach a
 * later process that reuses the number, and poll() on it reports when the
 * process ends, even for a process that is not our child. It is opened
 * first and checked second, so the check is about the process it names. */
int proc_pidfd(pid_t pid, unsigned long long start_time, const char *boot_id);

#endif
