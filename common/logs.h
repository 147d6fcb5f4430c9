/* logs.h — reading a container's captured output.                   (day 05) */
#ifndef TDG_LOGS_H
#define TDG_LOGS_H

#include <stdbool.h>
#include <time.h>

/* Copy container ID's log to stdout. FOLLOW: then keep copying as it grows
 * (inotify tells when; no sleep loop) and return once the container has
 * exited and its watcher has written the last byte. Returns 0, or -1 with
 * the reason recorded (no log, stdout closed). */
int logs_print(const char *id, bool follow);

/* (day 10) What `logs` may be asked for besides -f. */
struct logs_options {
	bool follow;		/* -f: keep printing until it exits */
	long tail;		/* --tail N: only the last N lines (-1: all) */
	bool timestamps;	/* -t: each line's arrival time in front */
	bool since_set;		/* --since: only lines that arrived at or after */
	struct timespec since;
};

/* (day 10) logs_print() with O's choices; -t and --since need the arrival
 * times (logtimes.h), which a log from before day 10 does not have: that
 * is an error then, recorded. */
int logs_show(const char *id, const struct logs_options *o);

/* (day 10) --since VALUE: an RFC 3339 time ("2026-12-04T10:00:00Z",
 * "...+01:00", fractions of a second allowed), Unix seconds ("1796425205"),
 * or a duration back from now ("10s", "5m", "1h30m", "1.5h", "250ms").
 * 0, or -1 with the reason recorded. */
int logs_parse_since(const char *s, struct timespec *out);

#endif
