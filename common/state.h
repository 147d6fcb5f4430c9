/* state.h — what tdg remembers about each container.                (day 04)
 *
 * $TDG_ROOT (default /var/lib/tdg) holds containers/<id>/config.json, a JSON
 * object with the contract's fields (id, name, command, hostname, rootfs,
 * status, pid, created_at, started_at, finished_at, exit_code, ...). Several
 * tdg processes read and write it at once (a run recording its exit while a
 * `ps` looks), so:
 *   - a write never changes the file in place: it writes a temp file in the
 *     same folder and rename()s it over, which readers see as all-or-nothing;
 *   - a read-modify-write holds flock() on the container's folder, so two
 *     writers never lose each other's update (state_lock / state_unlock);
 *   - creating or removing a container holds the lock on containers/, so a
 *     --name is checked and taken in one step (state_lock_all).
 * The JSON itself is built and parsed by jansson, never by hand. */
#ifndef TDG_STATE_H
#define TDG_STATE_H

#include <jansson.h>
#include <stddef.h>

/* $TDG_ROOT, or /var/lib/tdg. */
const char *state_root(void);

/* OUT = $TDG_ROOT/containers/ID/FILE (FILE may be NULL for the folder). */
void state_path(char *out, size_t size, const char *id, const char *file);

/* flock() the containers/ folder, creating it if needed; returns the fd
 * to give to state_unlock(). Dies (125) if it cannot. */
int state_lock_all(void);

/* flock() one container's folder; -1 (errno ENOENT) if it does not exist. */
int state_lock(const char *id);

void state_unlock(int fd);

/* Make the folder of C (its "id") and write its config.json. Returns -1
 * with errno EEXIST if that id is taken. Hold state_lock_all(). */
int state_create(json_t *c);

/* Write C's config.json atomically. Dies (125) if the disk refuses. */
void state_save(json_t *c);

/* (day 10) The same, but -1 with errno (ENOSPC, ...) if the disk refuses;
 * the previous config.json is then left as it was. */
int state_try_save(json_t *c);

/* Write C's in-memory fields KEYS into its stored record, under the
 * container's lock (state_lock), keeping what other tdg processes wrote
 * meanwhile; a key C lacks stays as stored. A record removed under us
 * (rm -f) is not an error: there is nothing left to record in. -1 with
 * fail_with() recorded if the disk refuses (ENOSPC, EIO); the stored record
 * is then as it was. Recording is state's job: the mechanisms that hold
 * a resource (network, ports, cgroup) call this before they make it. */
int state_record(json_t *c, const char *const keys[]);

/* state_record() for a caller that already holds state_lock() of C. */
int state_record_locked(json_t *c, const char *const keys[]);

/* Read ID's config.json; NULL with errno ENOENT (no such container) or
 * EINVAL (not valid JSON: a corrupt or foreign file). */
json_t *state_load(const char *id);

/* Every container that has a readable config.json, oldest first; *N is
 * set to the count. Free with state_free_list(). */
json_t **state_list(size_t *n);
void state_free_list(json_t **list, size_t n);

/* The full id for REF: a full id, a --name, or a unique id prefix, into
 * ID_OUT (13 bytes). Dies (125) if none or several match. */
void state_resolve(const char *ref, char *id_out);

/* (day 10) state_resolve() without dying: -1 with the reason in WHY, so a
 * caller (or a fuzzer, tests/fuzz) can go on. */
int state_find(const char *ref, char *id_out, char *why, size_t size);

/* Remove the container's folder and everything in it. */
void state_remove(const char *id);

/* Field access that tolerates missing keys: "" and -1. */
const char *state_str(json_t *c, const char *key);
long long state_int(json_t *c, const char *key);

#endif
