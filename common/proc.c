/* proc.c — see proc.h.                                               (day 04) */
#include "proc.h"
#include "fail.h" /* lab mode: the stub of hole 04.5 reports with it */

#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Fields 3 (state) and 22 (start time) of /proc/PID/stat; 0 if no such pid. */
static unsigned long long read_stat(pid_t pid, char *state)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';

	/* Field 2 is "(comm)", and comm may itself hold spaces or ')': skip to
	 * the LAST ')', then count fields from field 3. */
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	unsigned long long start = 0;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
	 * utime stime cutime cstime priority nice threads itrealvalue starttime */
	if (sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
			  "%*d %*d %*d %*d %*d %*d %llu", state, &start) != 2)
		return 0;
	return start;
}

unsigned long long proc_start_time(pid_t pid)
{
	char state;
	return read_stat(pid, &state);
}

void proc_boot_id(char out[37])
{
	out[0] = '\0';
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (!f)
		return;
	if (!fgets(out, 37, f))
		out[0] = '\0';
	fclose(f);
}

bool proc_same(pid_t pid, unsigned long long start_time, const char *boot_id)
{
	/* LAB(04.5): true only if PID is still the process that had START_TIME
	 * in the boot BOOT_ID and has not ended: this boot (proc_boot_id), the
	 * same start time and a state that is not a zombie (read_stat).
	 * HINT: man 5 proc, /proc/PID/stat: field 22 (starttime) and field 3
	 * (state: Z zombie, X dead); pids are reused, so kill(pid, 0) would
	 * vouch for a stranger; /proc/sys/kernel/random/boot_id changes at
	 * every boot, where start times begin again.
	 * STUB: fail_todo("04.5"); fail_report(); return false; */
	char now[37];
	if (pid <= 0 || start_time == 0)
		return false;
	proc_boot_id(now);
	if (strcmp(now, boot_id) != 0)
		return false; /* the machine rebooted since: every pid is new */
	char state;
	/* A zombie has ended; only its exit status waits for its parent (and
	 * an orphan's new parent may be slow to collect it). */
	return read_stat(pid, &state) == start_time && state != 'Z' && state != 'X';
	/* END LAB */
}

int proc_pidfd(pid_t pid, unsigned long long start_time, const char *boot_id)
{
	if (pid <= 0)
		return -1;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -1;
	if (!proc_same(pid, start_time, boot_id)) {
		close(fd);
		return -1;
	}
	return fd;
}
