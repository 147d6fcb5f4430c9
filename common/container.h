/* container.h — a container's life as its metadata records it.      (day 04)
 *
 * created -> running -> exited. Each step is one locked, atomic update of
 * config.json (see state.h), so any other tdg command, at any moment, reads
 * a whole and current record. */
#ifndef TDG_CONTAINER_H
#define TDG_CONTAINER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* Record a new container (status "created") with a fresh id. NAME may be
 * NULL; HOSTNAME NULL means "the id". Dies (125) if NAME is taken. The
 * returned object is the caller's; its "id" and "hostname" are set. */
json_t *container_new(char *const command[], const char *name,
		      const char *hostname, const char *rootfs);

/* A container that never started: release what it holds and remove its
 * record. Takes a json_t * as void *, to be given to fail_undo(). */
void container_discard(void *c);

/* PID (as the host sees it) now runs the command: status "running". */
void container_started(json_t *c, pid_t pid);

/* It ended with EXIT_CODE (tdg's exit status for it): status "exited".
 * (day 07) C's "oom_killed", if it has one, goes in the same write. */
void container_exited(json_t *c, int exit_code);

/* The truth about a "running" container: if its process and its watcher
 * are gone (or their pids now belong to strangers), record it as exited
 * and release what it held. Returns the up-to-date metadata (the caller
 * frees it), or NULL if ID is gone. */
json_t *container_reconcile(const char *id);

/* (day 07) Release what the record says the container holds on the host:
 * its cgroup folders ("cgroup"); from day 09 its network too. Harmless if already released. Every
 * resource is recorded before it is made, so this also cleans up after a
 * tdg that died halfway through setting one up. */
void container_release(json_t *c);

/* (day 07) Write the in-memory fields KEYS of C into the stored record
 * (under its lock, keeping what others wrote meanwhile). */
void container_record(json_t *c, const char *const keys[]);

/* (day 05) Wait until the container has exited for good: its watcher
 * recorded the end (after saving the last output), or both the watcher and
 * the container are gone (container_reconcile then records it). No polling:
 * inotify reports each new config.json and log write, pidfds report the
 * deaths. TICK(FD), if given, runs first and after every wake-up. */
void container_wait_exited(const char *id, void (*tick)(int fd), int fd);

/* (day 06) Stop a running container: SIGTERM to its PID 1 (the workload,
 * never the watcher), up to TIMEOUT seconds for it to exit, then SIGKILL;
 * returns once the exit is recorded. A container that is not running is
 * left as it is; one whose config.json is not valid is an error (125). */
void container_stop(const char *id, int timeout);

/* `tdg ps`: the table of LIST (running ones only unless ALL). */
void container_print_table(FILE *out, json_t **list, size_t n, bool all);

#endif
