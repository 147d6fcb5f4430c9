/* timestamp.c — see timestamp.h.                                     (day 04) */
#include "timestamp.h"

#include <stdio.h>
#include <string.h>

void timestamp_now(char *out)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, TDG_TIMESTAMP_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, TDG_TIMESTAMP_LEN - n, ".%06ldZ", ts.tv_nsec / 1000);
}

time_t timestamp_parse(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest || (*rest != '.' && *rest != 'Z'))
		return -1;
	return timegm(&tm);
}

void timestamp_ago(time_t then, time_t now, char *out, size_t size)
{
	static const struct {
		long secs;
		const char *unit;
	} units[] = {{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}};
	long d = now > then ? (long)(now - then) : 0;

	if (d < 1) {
		snprintf(out, size, "just now");
		return;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (d >= units[i].secs) {
			long n = d / units[i].secs;
			snprintf(out, size, "%ld %s%s ago", n, units[i].unit,
				 n == 1 ? "" : "s");
			return;
		}
}
