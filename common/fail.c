/* fail.c — see fail.h.                                               (day 01) */
#include "fail.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
	exit(TDG_EXIT_FAILED);
}

void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}
