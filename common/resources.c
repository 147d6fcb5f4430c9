/* resources.c — see resources.h.                                   (day 07) */
#include "resources.h"
#include "fail.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* strtod accepts "inf", "nan", hex floats and leading spaces; a user's
 * size is plain digits with at most one '.', so check that first. */
static int plain_decimal(const char *s, size_t len)
{
	int dots = 0, digits = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.')
			dots++;
		else if (isdigit((unsigned char)s[i]))
			digits++;
		else
			return 0;
	}
	return digits > 0 && dots <= 1;
}

int resources_parse_memory(const char *s, long long *bytes)
{
	static const char suffixes[] = "bkmg";
	static const double units[] = {1, 1024, 1024 * 1024, 1024 * 1024 * 1024};
	size_t len = strlen(s);
	double unit = 1;
	const char *suffix = len ? strchr(suffixes, tolower((unsigned char)s[len - 1])) : NULL;

	if (suffix && *suffix) {
		unit = units[suffix - suffixes];
		len--;
	}
	if (!plain_decimal(s, len))
		return fail_with("not a size (e.g. 128m, 1.5g, 65536)");
	double v = strtod(s, NULL) * unit;
	if (v < 1)
		return fail_with("must be at least 1 byte");
	if (v > 9.0e18) /* fits a long long, with room to spare */
		return fail_with("too large");
	*bytes = (long long)v;
	return 0;
}

int resources_parse_cpus(const char *s, int ncpus, long long *quota)
{
	if (!plain_decimal(s, strlen(s)))
		return fail_with("not a number of CPUs (e.g. 0.5, 2)");
	double v = strtod(s, NULL);
	if (v < 0.01 || v > ncpus)
		return fail_with("must be from 0.01 to %d (this host has %d CPU%s)",
				 ncpus, ncpus, ncpus == 1 ? "" : "s");
	*quota = (long long)(v * CPU_PERIOD + 0.5);
	return 0;
}

int resources_parse_pids(const char *s, long long *pids)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || *end || errno)
		return fail_with("not a whole number of processes");
	if (v < 1 || v > 4194304)
		return fail_with("must be from 1 to 4194304");
	*pids = v;
	return 0;
}
