/* registry.h — a folder of files, each naming its holder.           (day 09)
 *
 * A few things on the host belong to one container at a time: an address
 * of the bridge's subnet (lease.h), a published host port (ports.h, day
 * 10). Each is a file named after the thing ("10.10.0.2", "tcp-8080") in a
 * folder of its own under /run/tdg/network, holding its holder's id: `ls`
 * and `cat` show who holds what, and a reboot (/run is a tmpfs) frees all.
 *
 * A claim makes the file with its content already in it: the id goes into
 * a temp file ".NAME.ID" first, which is then link()ed to NAME. link()
 * fails with EEXIST if NAME exists, and never replaces it: so NAME is never
 * seen empty, even if tdg is killed half-way (a temp file left that way is
 * removed by its holder's release, which the container's record calls for:
 * it names the thing before the claim). A NAME that is empty or cannot be
 * read anyway (an older tdg wrote the id after making the file, and was
 * killed in between) names nobody: it counts as free, and a claim takes it
 * over, instead of the thing staying taken until a reboot.
 *
 * No lock of its own: every caller holds lease_lock() (lease.h). */
#ifndef TDG_REGISTRY_H
#define TDG_REGISTRY_H

#include <stddef.h>

/* Make DIR/NAME hold ID. -1 with errno (EEXIST: someone else holds it),
 * and the failure recorded (fail.h). */
int registry_claim(const char *dir, const char *name, const char *id);

/* 1 with the holder's id in OUT (SIZE bytes) if DIR/NAME names one; 0 if
 * it is free (no such file, or an empty or unreadable one). */
int registry_holder(const char *dir, const char *name, char *out, size_t size);

/* Remove DIR/NAME if ID holds it (a stale call never frees another's) or
 * it names nobody, and ID's temp file of a claim cut short. Never fails:
 * warns about what it could not remove. */
void registry_release(const char *dir, const char *name, const char *id);

/* How many names DIR holds (temp files aside). */
int registry_count(const char *dir);

#endif
