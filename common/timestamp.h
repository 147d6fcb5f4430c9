/* timestamp.h — times as the metadata stores and `ps` shows them.    (day 04)
 *
 * Stored as RFC 3339 in UTC ("2026-11-23T18:40:05.123456Z"), which sorts
 * as text, reads the same in every time zone, and is what Docker's inspect
 * prints. */
#ifndef TDG_TIMESTAMP_H
#define TDG_TIMESTAMP_H

#include <stddef.h>
#include <time.h>

#define TDG_TIMESTAMP_LEN 32

/* Now, as RFC 3339 UTC with microseconds, into OUT (TDG_TIMESTAMP_LEN). */
void timestamp_now(char *out);

/* Parse one of ours back into seconds since the epoch; -1 if malformed. */
time_t timestamp_parse(const char *s);

/* "5 seconds ago", "3 minutes ago", "2 hours ago", "4 days ago". */
void timestamp_ago(time_t then, time_t now, char *out, size_t size);

#endif
