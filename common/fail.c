/* fail.c — see fail.h.                                               (day 01) */
#include "fail.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct failure fail_last;
static const char *host_hint; /* fail_host_hint(); NULL before day 10 */

static int record(bool host, const char *fmt, va_list ap)
{
	int err = errno;
	fail_last.errnum = err;
	fail_last.host = host;
	vsnprintf(fail_last.msg, sizeof fail_last.msg, fmt, ap); /* %m: errno's */
	errno = err;
	return -1;
}

int fail_with(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(false, fmt, ap);
	va_end(ap);
	return -1;
}

int fail_host(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(true, fmt, ap);
	va_end(ap);
	return -1;
}

void fail_host_hint(const char *hint)
{
	host_hint = hint;
}

static int add_context(const char *fmt, va_list ap)
{
	int err = errno;
	char ctx[sizeof fail_last.msg], old[sizeof fail_last.msg];
	vsnprintf(ctx, sizeof ctx, fmt, ap);
	memcpy(old, fail_last.msg, sizeof old);
	/* "CTX: OLD", cut to the record's size */
	size_t n = strnlen(ctx, sizeof fail_last.msg - 3);
	memcpy(fail_last.msg, ctx, n);
	memcpy(fail_last.msg + n, ": ", 2);
	size_t m = strnlen(old, sizeof fail_last.msg - n - 3);
	memcpy(fail_last.msg + n + 2, old, m);
	fail_last.msg[n + 2 + m] = '\0';
	errno = err;
	return -1;
}

int fail_context(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_context(fmt, ap);
	va_end(ap);
	return -1;
}

static void say(const char *line)
{
	/* One write per line: stderr is unbuffered, and several fprintf
	 * calls could interleave with the container's own output. */
	char out[sizeof fail_last.msg + 320];
	int n = snprintf(out, sizeof out, "tdg: %s\n", line);
	if (n >= (int)sizeof out)
		n = sizeof out - 1, out[n - 1] = '\n';
	fputs(out, stderr);
}

int fail_report(void)
{
	char line[sizeof fail_last.msg + 256];
	if (fail_last.msg[0] == '\0') /* a bug: a -1 with no reason */
		snprintf(fail_last.msg, sizeof fail_last.msg, "failed (no reason recorded)");
	if (fail_last.host && host_hint)
		snprintf(line, sizeof line, "%s; %s", fail_last.msg, host_hint);
	else
		snprintf(line, sizeof line, "%s", fail_last.msg);
	say(line);
	return TDG_EXIT_FAILED;
}

/* die() releases nothing: main() calls it only before it holds anything
 * (argument parsing); after that, its fail: ladder releases and reports. */
static _Noreturn void report_and_exit(void)
{
	fail_report();
	exit(TDG_EXIT_FAILED);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(false, fmt, ap);
	va_end(ap);
	report_and_exit();
}

void die_host(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(true, fmt, ap);
	va_end(ap);
	report_and_exit();
}

void die_context(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_context(fmt, ap);
	va_end(ap);
	report_and_exit();
}

int fail_todo(const char *hole)
{
	return fail_with("TODO(%s) not written yet; see the lesson's 'Write it yourself'", hole);
}

int warn_todo(const char *hole)
{
	warn("TODO(%s) not written yet; the container runs without it; see the lesson's "
	     "'Write it yourself'", hole);
	return 0;
}

void warn(const char *fmt, ...)
{
	char line[sizeof fail_last.msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	say(line);
}
