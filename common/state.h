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
 * The JSON itself is built and parsed by jansson, never by hand.
 *
 * Every function here returns -1 (or NULL) with the reason recorded by
 * fail_with() (fail.h) when it fails; none exits.
 *
 * LOCK ORDER. tdg holds three kinds of flock(), always taken in this order
 * and released in reverse:
 *
 *     state_lock_all()  ->  state_lock(id)  ->  lease_lock()
 *     containers/           one container       the host-wide network
 *                                                (leases, ports, bridge)
 *
 * A process never takes one it already holds: a second flock() on a new
 * open file description blocks against the first, even in the same
 * process, for ever. So a function holding one of them may call a release
 * (container_release(), which may take lease_lock) only if that release
 * takes locks further right than the ones it holds: `rm` holds
 * state_lock_all() and releases; container_reconcile() holds state_lock(id)
 * and releases; network.c and ports.c, holding lease_lock(), may record
 * with state_record() only after unlocking it (or before locking it). */
#ifndef TDG_STATE_H
#define TDG_STATE_H

#include <jansson.h>
#include <stddef.h>

/* $TDG_ROOT, or /var/lib/tdg. */
const char *state_root(void);

/* OUT = $TDG_ROOT/containers/ID/FILE (FILE may be NULL for the folder).
 * -1 (and OUT "") if that does not fit in SIZE bytes. */
int state_path(char *out, size_t size, const char *id, const char *file);

/* flock() the containers/ folder, creating it if needed; returns the fd
 * to give to state_unlock(), or -1. The first lock of the order above. */
int state_lock_all(void);

/* flock() one container's folder; -1 (errno ENOENT) if it does not exist. */
int state_lock(const char *id);

void state_unlock(int fd);

/* Make the folder of C (its "id") and write its config.json. Returns -1
 * with errno EEXIST if that id is taken. Hold state_lock_all(). */
int state_create(json_t *c);

/* Write C's config.json atomically: -1 with errno (ENOSPC, EIO, ...) and
 * "state: write PATH: <why>" if the disk refuses; the previous config.json
 * is then left as it was, never half of a new one. */
int state_save(json_t *c);

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
 * EINVAL (not valid JSON: a corrupt or foreign file), and the reason. */
json_t *state_load(const char *id);

/* Every container that has a readable config.json, oldest first; *N is
 * set to the count. Free with state_free_list(). NULL only on failure
 * (out of memory, containers/ unreadable). */
json_t **state_list(size_t *n);
void state_free_list(json_t **list, size_t n);

/* The full id for REF: a full id, a --name, or a unique id prefix, into
 * ID_OUT (13 bytes). -1 if none or several match, the reason recorded
 * ("no such container: 'x'; ...", "'a' matches 2 containers; ..."). */
int state_find(const char *ref, char *id_out);

/* Remove the container's folder and everything in it (a release: it never
 * fails its caller, it warns). */
void state_remove(const char *id);

/* Field access that tolerates missing keys: "" and -1. */
const char *state_str(json_t *c, const char *key);
long long state_int(json_t *c, const char *key);

#endif
