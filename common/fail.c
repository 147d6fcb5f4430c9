/* fail.c — see fail.h.                                               (day 01) */
#include "fail.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void (*undo_fn)(void *);
static void *undo_arg;
static pid_t undo_pid;
static const char *host_hint; /* fail_host_hint(); NULL before day 10 */

void fail_undo(void (*fn)(void *arg), void *arg)
{
	undo_fn = fn;
	undo_arg = arg;
	undo_pid = getpid();
}

static void say(const char *fmt, va_list ap)
{
	/* One fputs-style write per line: stderr is unbuffered, and several
	 * fprintf calls could interleave with the container's own output. */
	char line[1024];
	vsnprintf(line, sizeof line, fmt, ap);
	fprintf(stderr, "tdg: %s\n", line);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	if (undo_fn && getpid() == undo_pid) {
		void (*fn)(void *) = undo_fn;
		undo_fn = NULL; /* once, even if it fails in turn */
		fn(undo_arg);
	}
	exit(TDG_EXIT_FAILED);
}

void fail_host_hint(const char *hint)
{
	host_hint = hint;
}

void die_host(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap); /* %m: errno is still the failure's */
	va_end(ap);
	if (host_hint)
		die("%s; %s", line, host_hint);
	die("%s", line);
}

void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}
