/* container.h — a container's life as its metadata records it.      (day 04)
 *
 * created -> running -> exited. Each step is one locked, atomic update of
 * config.json (see state.h), so any other tdg command, at any moment, reads
 * a whole and current record.
 *
 * This file orchestrates; it does not know which resources a container
 * holds. Each mechanism records its own resource (state_record) before it
 * makes it, and the day's main() registers that mechanism's release
 * (container_on_release): day 04's binary links no cgroup or network code. */
#ifndef TDG_CONTAINER_H
#define TDG_CONTAINER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* Record a new container (status "created") with a fresh id. NAME may be
 * NULL; HOSTNAME NULL means "the id". NULL (the reason recorded) if NAME
 * is taken or the disk refuses. The returned object is the caller's; its
 * "id" and "hostname" are set. */
json_t *container_new(char *const command[], const char *name,
		      const char *hostname, const char *rootfs);

/* A container that never started: release what it holds and remove its
 * record. A release: it never fails (it warns). */
void container_discard(json_t *c);

/* PID (as the host sees it) now runs the command: status "running".
 * -1 if the disk refuses the record (the caller then ends PID). */
int container_started(json_t *c, pid_t pid);

/* It ended with EXIT_CODE (tdg's exit status for it): status "exited".
 * (day 07) C's "oom_killed", if it has one, goes in the same write. */
void container_exited(json_t *c, int exit_code);

/* The truth about a "running" container: if its process and its watcher
 * are gone (or their pids now belong to strangers), record it as exited
 * and release what it held. Returns the up-to-date metadata (the caller
 * frees it), or NULL if ID is gone. */
json_t *container_reconcile(const char *id);

/* (day 10) Remove container ID for good: release what it still holds and
 * remove its folder (its layer, its log), holding state_lock_all(), so
 * the caller must hold no state lock. `run --rm` does this when the
 * container ends; for one whose watcher died first, container_reconcile()
 * does (and then returns NULL, errno ENOENT). A release: it warns. */
void container_remove(const char *id);

/* (day 10) state_list(), each record reconciled (what the files say may be
 * stale: a killed tdg never wrote "exited"), without those that are gone
 * (a `run --rm` one whose watcher died is removed now). Hold no state
 * lock. Free with state_free_list(); NULL on failure (recorded). */
json_t **container_list_reconciled(size_t *n);

/* (day 07) Register RELEASE, which frees one kind of resource that C's
 * record says it holds on the host (cgroup_release, network_release). A
 * day's main() registers its releases once, before any command runs, in
 * the order its run makes the resources. A release never fails: it does
 * what it can and warns, and is harmless if already done. */
void container_on_release(void (*release)(json_t *c));

/* Run the registered releases on C, in reverse order of registration (the
 * last resource made is released first). Every resource is recorded
 * before it is made, so this also cleans up after a tdg that died halfway
 * through setting one up. Takes lease_lock at most (state.h's order). */
void container_release(json_t *c);

/* (day 05) Wait until the container has exited for good: its watcher
 * recorded the end (after saving the last output), or both the watcher and
 * the container are gone (container_reconcile then records it). No polling:
 * inotify reports each new config.json and log write, pidfds report the
 * deaths. TICK(FD), if given, runs first and after every wake-up; a -1
 * from it stops the wait. 0, or -1 with the reason recorded. */
int container_wait_exited(const char *id, int (*tick)(int fd), int fd);

/* (day 06) Stop a running container: SIGTERM to its PID 1 (the workload,
 * never the watcher), up to TIMEOUT seconds for it to exit, then SIGKILL;
 * returns once the exit is recorded. A container that is not running is
 * left as it is (0); one whose config.json is not valid is an error (-1). */
int container_stop(const char *id, int timeout);

/* `tdg ps`: the table of LIST (running ones only unless ALL). */
void container_print_table(FILE *out, json_t **list, size_t n, bool all);

#endif
