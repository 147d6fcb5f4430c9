/* restart.h — `run --restart`: the watcher starts a crashed command again. (day 10)
 *
 * Docker's restart policies, kept by the container's watcher (watcher.h),
 * which is its parent anyway and the first to know that it ended:
 *
 *   no               never (the default)
 *   on-failure[:N]   when it exits with a status other than 0, at most N
 *                    times (no N: without bound)
 *   always           whatever the status
 *   unless-stopped   as always: Docker tells them apart only when its
 *                    daemon restarts, and tdg has no daemon
 *
 * Each start is a fresh set of namespaces. A PID namespace cannot outlive
 * its PID 1: when the command (PID 1) dies the kernel kills everything else
 * in it and refuses it new processes (fork() there fails with ENOMEM), so
 * "the same namespaces" would need a PID 1 that is not the command. A fresh
 * set also leaves nothing of the crashed run behind (a stray child, a
 * half-made mount, a wedged socket), which is what a restart is for.
 * What stays is what the host holds for the container, each kept for its
 * whole supervised life, not one run: the cgroup (the limits, and what it
 * counted), the address lease (so the same address), the published ports'
 * rules (they name that address), the overlay layer (its files) and the
 * log. Only the veth is made again, in the new network namespace.
 *
 * Between two starts the watcher waits, as Docker does: 100 ms after the
 * first end, doubling each time up to a minute, back to 100 ms once a run
 * lasted 10 seconds (a service that ran well for a while and then crashed
 * is not in a crash loop). Meanwhile the record says "restarting": true
 * (ps: "restarting (1) 2 seconds ago"); "restart_count" counts the starts
 * after the first. The status stays "running": the container is still
 * supervised (Docker's inspect says Running and Restarting, too).
 *
 * `tdg stop` ends the supervision for good: it records "stop_requested"
 * before it signals the command, and the watcher reads the record before
 * each start and once more after it (a stop that came in between ends the
 * new run at once). A signal to end the watcher itself (Ctrl-C of a
 * foreground run, SIGTERM) ends it too. A start that fails before the
 * command runs (126, 127, 125: tdg's own setup) is not tried again: the
 * same start would fail the same way. */
#ifndef TDG_RESTART_H
#define TDG_RESTART_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum restart_policy { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS, RESTART_UNLESS_STOPPED };

#define RESTART_FIRST_DELAY_MS 100   /* Docker's back-off: 100 ms, */
#define RESTART_MAX_DELAY_MS 60000   /* doubling up to a minute, */
#define RESTART_RESET_AFTER_MS 10000 /* reset by a run of 10 s */

struct restart {
	enum restart_policy policy;
	int max;	       /* on-failure:N: at most N restarts; 0: no bound */
	int count;	       /* restarts so far */
	long delay_ms;	       /* the wait before the next start */
	struct timespec began; /* when the current run started (CLOCK_MONOTONIC) */
};

/* "no", "on-failure", "on-failure:N" (N 1..1000000), "always",
 * "unless-stopped" into R; -1 with the reason recorded. */
int restart_parse(const char *spec, struct restart *r);

/* The policy back as text ("on-failure:2"), as the record keeps it. */
void restart_format(const struct restart *r, char *out, size_t size);

/* The wait before the next start, given the last one (0: none yet) and
 * how long the run that just ended lasted. */
long restart_next_delay(long last_ms, long ran_ms);

/* Record R's policy in C ("restart_policy", "restart_count": 0,
 * "restarting": false) before the first start. 0, or -1 (recorded). */
int restart_record(json_t *c, const struct restart *r);

/* A run is starting now: its time, for the back-off's reset. */
void restart_began(struct restart *r);

/* A run of container C ended with STATUS (tdg's exit status for it).
 * Start it again? 1 after the back-off (recorded as "restarting" with the
 * run's exit code and end meanwhile); 0 if the policy says no, a stop was
 * recorded, or a signal to end reached the watcher (SIGNALLED: during the
 * run; or during the wait, which it cuts short). Holds no lock on return. */
int restart_again(struct restart *r, json_t *c, int status, bool signalled);

/* After container_started() of a restart: record the count and the end
 * of "restarting". -1 if a stop was recorded meanwhile (the caller ends
 * the new run at once: restart_again() then says no) or the disk refuses. */
int restart_started(struct restart *r, json_t *c);

/* Did a `tdg stop` ask container ID's supervision to end? */
bool restart_stop_requested(const char *id);

#endif
