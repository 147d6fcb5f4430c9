/* logs.c — see logs.h.                                               (day 05) */
#include "logs.h"
#include "container.h"
#include "fail.h"
#include "logtimes.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int copy_to_eof(int fd)
{
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		for (ssize_t off = 0; n > 0 && off < n;) {
			ssize_t w = write(STDOUT_FILENO, buf + off, (size_t)(n - off));
			if (w < 0 && errno != EINTR)
				return fail_with("logs: write: %m");
			off += w > 0 ? w : 0;
		}
	return 0;
}

int logs_print(const char *id, bool follow)
{
	char path[PATH_MAX];
	if (state_path(path, sizeof path, id, "container.log") < 0)
		return -1;

	/* LAB(05.5): print the log; with FOLLOW, keep printing as it grows until
	 * the container has exited and its watcher wrote the last byte.
	 * HINT: no log (ENOENT) means a foreground run on a terminal; pass
	 * copy_to_eof as container_wait_exited()'s TICK (container.h): no sleep
	 * loop (man 7 inotify), then one last copy */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return fail_with("logs: %s ran in the foreground on a terminal, so its "
				 "output went there; run it with -d to capture it", id);
	if (fd < 0)
		return fail_with("logs: open %s: %m", path);
	int rc = follow ? container_wait_exited(id, copy_to_eof, fd) : 0;
	if (rc == 0)
		rc = copy_to_eof(fd); /* all of it; or what came with the last record */
	close(fd);
	return rc;
	/* END LAB */
}

/* (day 10) logs --tail, -t, --since: logs.h, logtimes.h. */

/* What logs_show() has printed so far; one `logs` prints one log, and
 * container_wait_exited()'s tick takes only an fd. */
static struct {
	off_t pos;	    /* the next byte of the log to print */
	bool bol;	    /* it starts a line */
	bool stamps;	    /* -t */
	struct logtimes lt; /* the arrival times (-t, --since) */
} shown;

/* Print the log from shown.pos to its end (-t: each line's time first). */
static int print_from(int fd)
{
	char buf[65536], when[64];
	ssize_t n;
	if (shown.stamps)
		logtimes_refresh(&shown.lt); /* written before the bytes they time */
	while ((n = pread(fd, buf, sizeof buf, shown.pos)) > 0 || (n < 0 && errno == EINTR)) {
		for (ssize_t i = 0; i < n;) {
			if (shown.stamps && shown.bol) {
				struct timespec at = logtimes_at(&shown.lt, shown.pos + i);
				struct tm tm;
				gmtime_r(&at.tv_sec, &tm);
				size_t k = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
				snprintf(when + k, sizeof when - k, ".%09ldZ ", at.tv_nsec);
				fputs(when, stdout);
			}
			const char *nl = memchr(buf + i, '\n', (size_t)(n - i));
			ssize_t len = nl ? nl - (buf + i) + 1 : n - i;
			fwrite(buf + i, 1, (size_t)len, stdout);
			shown.bol = nl != NULL;
			i += len;
		}
		shown.pos += n > 0 ? n : 0;
	}
	if (fflush(stdout) != 0 || n < 0)
		return fail_with("logs: %s: %m", n < 0 ? "read" : "write");
	return 0;
}

/* The first line start at or after OFF (a line that began before OFF is
 * left out whole). */
static off_t line_start_from(int fd, off_t off, off_t size)
{
	char c;
	while (off > 0 && off < size) {
		if (pread(fd, &c, 1, off - 1) != 1 || c == '\n')
			break;
		off++;
	}
	return off;
}

/* Where the last N lines of the SIZE bytes of FD start (a last line
 * without its newline counts). */
static off_t tail_start(int fd, off_t size, long lines)
{
	char buf[65536];
	off_t end = size;
	long seen = 0;
	char last;
	if (lines == 0)
		return size;
	if (size > 0 && pread(fd, &last, 1, size - 1) == 1 && last == '\n')
		end--; /* the newline that ends the last line starts none */
	while (end > 0) {
		off_t from = end > (off_t)sizeof buf ? end - (off_t)sizeof buf : 0;
		ssize_t n = pread(fd, buf, (size_t)(end - from), from);
		if (n <= 0)
			break;
		for (ssize_t i = n; i-- > 0;)
			if (buf[i] == '\n' && ++seen == lines)
				return from + i + 1;
		end = from;
	}
	return 0;
}

int logs_show(const char *id, const struct logs_options *o)
{
	if (o->tail < 0 && !o->timestamps && !o->since_set)
		return logs_print(id, o->follow); /* what days 05-09 print */
	char path[PATH_MAX];
	struct stat st;
	int rc = -1, fd = -1;
	shown.pos = 0, shown.bol = true, shown.stamps = o->timestamps;
	memset(&shown.lt, 0, sizeof shown.lt);
	if (state_path(path, sizeof path, id, "container.log") < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return fail_with("logs: %s ran in the foreground on a terminal, so its "
				 "output went there; run it with -d to capture it", id);
	if (fd < 0 || fstat(fd, &st) != 0)
		return fail_with("logs: open %s: %m", path);
	if (o->timestamps || o->since_set) {
		int have = logtimes_open(id, &shown.lt);
		if (have != 0) {
			if (have > 0)
				fail_with("logs: %s: the log of %s has no arrival times "
					  "(written by a tdg before day 10)",
					  o->timestamps ? "-t" : "--since", id);
			goto out;
		}
	}
	if (o->since_set)
		shown.pos = line_start_from(fd, logtimes_first_since(&shown.lt, o->since,
								     st.st_size), st.st_size);
	if (o->tail >= 0) {
		off_t t = tail_start(fd, st.st_size, o->tail);
		shown.pos = t > shown.pos ? t : shown.pos;
	}
	rc = o->follow ? container_wait_exited(id, print_from, fd) : 0;
	if (rc == 0)
		rc = print_from(fd); /* all of it; or what came with the last record */
out:
	logtimes_close(&shown.lt);
	close(fd);
	return rc;
}

/* "1h30m", "1.5h", "10s", "250ms": seconds into *SECS; -1 if not one. */
static int duration(const char *s, double *secs)
{
	static const struct {
		const char *unit;
		double secs;
	} units[] = {{"ms", 0.001}, {"h", 3600}, {"m", 60}, {"s", 1}};
	*secs = 0;
	if (!*s)
		return -1;
	while (*s) {
		char *end;
		if (!((*s >= '0' && *s <= '9') || *s == '.')) /* no sign, space, inf */
			return -1;
		double v = strtod(s, &end);
		if (end == s)
			return -1;
		size_t i;
		for (i = 0; i < sizeof units / sizeof units[0]; i++)
			if (strncmp(end, units[i].unit, strlen(units[i].unit)) == 0)
				break;
		if (i == sizeof units / sizeof units[0])
			return -1;
		*secs += v * units[i].secs;
		s = end + strlen(units[i].unit);
	}
	return 0;
}

/* T seconds since the epoch into OUT; -1 (recorded) before 1970 or after
 * the year 5000 (and so never a double too large for time_t). */
static int since_seconds(double t, struct timespec *out)
{
	if (!(t >= 0 && t < 95617584000.0))
		return fail_with("before 1970 or after the year 5000");
	double whole = floor(t);
	out->tv_sec = (time_t)whole;
	out->tv_nsec = (long)((t - whole) * 1e9);
	if (out->tv_nsec > 999999999)
		out->tv_nsec = 999999999;
	return 0;
}

int logs_parse_since(const char *s, struct timespec *out)
{
	struct timespec now;
	double secs;
	char *end;
	clock_gettime(CLOCK_REALTIME, &now);
	if (duration(s, &secs) == 0) /* back from now */
		return since_seconds((double)now.tv_sec + now.tv_nsec / 1e9 - secs, out);
	if (*s >= '0' && *s <= '9' && strspn(s, "0123456789.") == strlen(s)) {
		double t = strtod(s, &end); /* Unix seconds */
		if (*end)
			return fail_with("not a time");
		return since_seconds(t, out);
	}
	/* RFC 3339: a date, 'T', a time, a fraction maybe, then Z or ±HH:MM. */
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		return fail_with("not an RFC 3339 time (2026-12-04T10:00:00Z), Unix "
				 "seconds, or a duration (10s, 5m, 1h30m)");
	long nsec = 0, scale = 100000000;
	if (*rest == '.')
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
			nsec += (*rest - '0') * scale;
	long offset = 0;
	int hh, mm, len = 0;
	if (*rest == 'Z' || *rest == 'z')
		rest++;
	else if ((*rest == '+' || *rest == '-') &&
		 sscanf(rest + 1, "%2d:%2d%n", &hh, &mm, &len) == 2 && len == 5) {
		offset = (*rest == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
		rest += 1 + len;
	} else
		return fail_with("an RFC 3339 time needs its zone: Z or +HH:MM");
	if (*rest)
		return fail_with("'%s' after the time", rest);
	time_t t = timegm(&tm);
	if (t == (time_t)-1 || t - offset < 0)
		return fail_with("before 1970");
	out->tv_sec = t - offset;
	out->tv_nsec = nsec;
	return 0;
}
