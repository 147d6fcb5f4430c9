/* test_timestamp.c — unit tests for common/timestamp.c.
 *
 * Metadata stores times as RFC 3339 UTC text, which must sort as text
 * (state_list orders containers by it), so timestamp_now() must always
 * give the same fixed-width shape: 27 characters, microseconds, a 'Z'.
 * timestamp_parse() must read that back to the same second, in UTC
 * whatever the local time zone, and refuse anything else with -1 (a
 * corrupt field must not turn into a plausible date). timestamp_ago() is
 * what `tdg ps` prints: "just now", singular and plural, and the switch
 * to the next unit at exactly 60 s, 1 h and 1 day. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "timestamp.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

static void test_now_format(void **state)
{
	(void)state;
	char ts[TDG_TIMESTAMP_LEN];
	regex_t re;
	assert_int_equal(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
				      "[0-9]{2}\\.[0-9]{6}Z$", REG_EXTENDED | REG_NOSUB), 0);
	timestamp_now(ts);
	int match = regexec(&re, ts, 0, NULL, 0);
	regfree(&re);
	assert_int_equal(strlen(ts), 27);
	if (match != 0)
		fail_msg("\"%s\" is not YYYY-MM-DDTHH:MM:SS.uuuuuuZ", ts);
}

static void test_now_round_trip(void **state)
{
	(void)state;
	char ts[TDG_TIMESTAMP_LEN];
	time_t before = time(NULL);
	timestamp_now(ts);
	time_t t = timestamp_parse(ts);
	time_t after = time(NULL);
	assert_true(t >= before - 1 && t <= after + 1);
}

static void test_parse_known_values(void **state)
{
	(void)state;
	/* Values from `date -u -d '...' +%s`. */
	assert_int_equal(timestamp_parse("2024-01-02T03:04:05.123456Z"), 1704164645);
	assert_int_equal(timestamp_parse("2024-01-02T03:04:05Z"), 1704164645);
	assert_int_equal(timestamp_parse("2000-02-29T23:59:59.000000Z"), 951868799);
	assert_int_equal(timestamp_parse("1970-01-01T00:00:00.000000Z"), 0);
}

/* The text is UTC: a local time zone five hours west changes nothing. */
static void test_parse_ignores_local_time_zone(void **state)
{
	(void)state;
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	setenv("TZ", "EST5", 1);
	tzset();
	time_t t = timestamp_parse("2024-01-02T03:04:05.123456Z");
	if (old)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
	assert_int_equal(t, 1704164645);
}

static void test_parse_malformed(void **state)
{
	(void)state;
	const char *bad[] = {
		"",
		"yesterday",
		"2024-01-02",			/* a date alone */
		"2024-01-02T03:04:05",		/* no fraction and no Z */
		"2024-01-02 03:04:05Z",		/* a space for the T */
		"2024-01-02T03:04:05+01:00",	/* an offset: not ours */
		"2024-13-02T03:04:05Z",		/* month 13 */
		"2024-01-02T25:04:05Z",		/* hour 25 */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (timestamp_parse(bad[i]) != -1)
			fail_msg("\"%s\" was parsed, want -1", bad[i]);
}

/* timestamp_ago(NOW - SECONDS, NOW) must print WANT. */
static void expect_ago(long seconds, const char *want)
{
	char out[64];
	time_t now = 1704164645;
	timestamp_ago(now - seconds, now, out, sizeof out);
	assert_string_equal(out, want);
}

static void test_ago(void **state)
{
	(void)state;
	expect_ago(0, "just now");
	expect_ago(-30, "just now"); /* a clock that stepped back */
	expect_ago(1, "1 second ago");
	expect_ago(5, "5 seconds ago");
	expect_ago(59, "59 seconds ago");
	expect_ago(60, "1 minute ago");
	expect_ago(119, "1 minute ago");
	expect_ago(3599, "59 minutes ago");
	expect_ago(2 * 3600, "2 hours ago");
	expect_ago(86399, "23 hours ago");
	expect_ago(86400, "1 day ago");
	expect_ago(3 * 86400 + 5, "3 days ago");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_now_format),
		cmocka_unit_test(test_now_round_trip),
		cmocka_unit_test(test_parse_known_values),
		cmocka_unit_test(test_parse_ignores_local_time_zone),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_ago),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
