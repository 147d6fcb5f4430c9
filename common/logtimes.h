/* logtimes.h — when each piece of a container's log arrived.         (day 10)
 *
 * container.log stays what it always was, the container's bytes exactly
 * (so `logs` of a day 05 log, or of one written before day 10, reads the
 * same). Beside it, container.times has one text line for every chunk the
 * watcher read from the container and appended to the log, written just
 * before the chunk:
 *
 *     OFFSET SECONDS.NANOSECONDS        e.g.  "1042 1796425205.183220114"
 *
 * the chunk's first byte's offset in container.log and the wall-clock time
 * it arrived. A line of output is as old as the chunk its first byte came
 * in (a line the container wrote in two pieces is stamped with the first).
 * Docker's json-file driver stores a JSON object per line instead; a chunk
 * costs one short write, and the log stays a plain file to `cat`.
 *
 * `logs -t` puts the time in front of each line, `logs --since` skips the
 * older lines: the offsets only grow and so do the times, so the lines to
 * show are always a tail of the log. */
#ifndef TDG_LOGTIMES_H
#define TDG_LOGTIMES_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

/* The watcher's side: create container ID's container.times (O_APPEND,
 * close-on-exec) and return its fd, or -1 with the reason recorded. */
int logtimes_create(const char *id);

/* Before appending a chunk to LOG (opened O_APPEND): record that it
 * starts at LOG's current end and arrives now. A failed write (a full
 * disk) is ignored, as the log's own is: the chunk then has no line and
 * takes the time of the one before. */
void logtimes_note(int times, int log);

/* The reader's side: the lines read so far from one container.times. */
struct logtimes {
	FILE *f;
	size_t n, cap;
	struct logtime {
		off_t off;
		struct timespec at;
	} *v;
};

/* Open container ID's container.times into LT and read it. 1 if there is
 * none (a log from before day 10), 0 if read, -1 (recorded). */
int logtimes_open(const char *id, struct logtimes *lt);

/* Read what the watcher added since (for `logs -f`). */
void logtimes_refresh(struct logtimes *lt);

/* When the byte at OFF arrived (the newest chunk starting at or before
 * it; the epoch if none does). */
struct timespec logtimes_at(const struct logtimes *lt, off_t off);

/* The offset of the first chunk that arrived at or after T (the log's
 * size, LOG_SIZE, if none did). */
off_t logtimes_first_since(const struct logtimes *lt, struct timespec t, off_t log_size);

void logtimes_close(struct logtimes *lt);

#endif
