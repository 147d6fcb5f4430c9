/* test_restart.c — unit tests for common/restart.c (run --restart) and
 * the byte counts of common/stats.c.
 *
 * The policy parser stands between what a user types and whether a crashed
 * service comes back: each of Docker's spellings is accepted, and what a
 * lax parser would take ("on-failure:0", "always:3", "on-failure:+2", a
 * capital, an empty count) is refused with a reason. The back-off is
 * Docker's: 100 ms, doubling, capped at a minute, reset by a long run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "restart.h"
#include "stats.h"

#include <string.h>

static void test_policies_accepted(void **state)
{
	(void)state;
	static const struct {
		const char *spec;
		enum restart_policy policy;
		int max;
		const char *text;
	} ok[] = {
		{"no", RESTART_NO, 0, "no"},
		{"on-failure", RESTART_ON_FAILURE, 0, "on-failure"},
		{"on-failure:2", RESTART_ON_FAILURE, 2, "on-failure:2"},
		{"on-failure:1000000", RESTART_ON_FAILURE, 1000000, "on-failure:1000000"},
		{"always", RESTART_ALWAYS, 0, "always"},
		{"unless-stopped", RESTART_UNLESS_STOPPED, 0, "unless-stopped"},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct restart r;
		char text[32];
		if (restart_parse(ok[i].spec, &r) != 0)
			fail_msg("\"%s\" refused: %s", ok[i].spec, fail_last.msg);
		assert_int_equal(r.policy, ok[i].policy);
		assert_int_equal(r.max, ok[i].max);
		assert_int_equal(r.count, 0);
		restart_format(&r, text, sizeof text);
		assert_string_equal(text, ok[i].text);
	}
}

static void test_policies_refused(void **state)
{
	(void)state;
	const char *bad[] = {"",	     "bogus",	      "Always",	      "no:1",
			     "always:3",     "on-failure:",   "on-failure:0", "on-failure:-1",
			     "on-failure:+2", "on-failure:x", "on-failure:2x", "on-failure:1000001",
			     "on-failure:99999999999999999999", "on-failure2", "always "};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct restart r;
		fail_last.msg[0] = '\0';
		if (restart_parse(bad[i], &r) == 0)
			fail_msg("\"%s\" accepted", bad[i]);
		if (fail_last.msg[0] == '\0')
			fail_msg("\"%s\" refused without a reason", bad[i]);
	}
}

static void test_back_off_doubles_to_a_minute(void **state)
{
	(void)state;
	long d = 0, want = 100;
	for (int i = 0; i < 12; i++) {
		d = restart_next_delay(d, 5);
		assert_int_equal(d, want);
		want = want * 2 > 60000 ? 60000 : want * 2;
	}
	assert_int_equal(d, 60000); /* capped */
	/* A run of 10 s or more starts the back-off again. */
	assert_int_equal(restart_next_delay(60000, 9999), 60000);
	assert_int_equal(restart_next_delay(60000, 10000), 100);
	assert_int_equal(restart_next_delay(400, 20000), 100);
}

static void test_stats_bytes(void **state)
{
	(void)state;
	static const struct {
		long long n;
		int binary;
		const char *want;
	} cases[] = {
		{0, 1, "0B"},	       {1023, 1, "1023B"},	{1024, 1, "1KiB"},
		{67108864, 1, "64MiB"}, {134217728, 1, "128MiB"}, {1536, 0, "1.536kB"},
		{999, 0, "999B"},      {200000, 0, "200kB"},	{25300000000LL, 1, "23.56GiB"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[32];
		stats_bytes(cases[i].n, cases[i].binary, out, sizeof out);
		assert_string_equal(out, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policies_accepted),
		cmocka_unit_test(test_policies_refused),
		cmocka_unit_test(test_back_off_doubles_to_a_minute),
		cmocka_unit_test(test_stats_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
