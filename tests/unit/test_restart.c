/* test_restart.c — unit tests for common/restart.c (run --restart) and
 * what common/stats.c reads from a cgroup (v1 and v2 layouts, made in a
 * temporary folder) and how it prints bytes.
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Write TEXT into DIR/NAME. */
static void put(const char *dir, const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A record whose "cgroup" lists DIRS (NULL-ended). */
static json_t *record(const char *const dirs[])
{
	json_t *c = json_object(), *a = json_array();
	for (int i = 0; dirs[i]; i++)
		json_array_append_new(a, json_string(dirs[i]));
	json_object_set_new(c, "cgroup", a);
	json_object_set_new(c, "id", json_string("0123456789ab"));
	return c;
}

/* cgroup v1: a folder per controller, the figures in each one's files;
 * memory minus total_inactive_file; v1's "no limit" is a huge number. */
static void test_stats_read_v1(void **state)
{
	(void)state;
	char top[] = "/tmp/test_stats_v1.XXXXXX", mem[4200], cpu[4200], pids[4200];
	assert_non_null(mkdtemp(top));
	snprintf(mem, sizeof mem, "%s/memory", top);
	snprintf(cpu, sizeof cpu, "%s/cpuacct", top);
	snprintf(pids, sizeof pids, "%s/pids", top);
	mkdir(mem, 0755), mkdir(cpu, 0755), mkdir(pids, 0755);
	put(mem, "memory.usage_in_bytes", "70000000\n");
	put(mem, "memory.limit_in_bytes", "134217728\n");
	put(mem, "memory.stat", "cache 100\ninactive_file 9\ntotal_inactive_file 3000000\n");
	put(cpu, "cpuacct.usage", "123456789\n");
	put(pids, "pids.current", "4\n");
	const char *const dirs[] = {mem, cpu, pids, NULL};
	json_t *c = record(dirs);
	struct stats s;
	stats_read(c, &s);
	assert_int_equal(s.mem, 67000000);
	assert_int_equal(s.mem_limit, 134217728);
	assert_int_equal(s.cpu_ns, 123456789);
	assert_int_equal(s.pids, 4);
	assert_int_equal(s.rx, -1); /* no veth */
	put(mem, "memory.limit_in_bytes", "9223372036854771712\n");
	stats_read(c, &s);
	assert_int_equal(s.mem_limit, 0);
	json_decref(c);
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf %s", top);
	assert_int_equal(system(cmd), 0);
}

/* cgroup v2: one folder; CPU in microseconds, "max" for no limit. */
static void test_stats_read_v2(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_stats_v2.XXXXXX";
	assert_non_null(mkdtemp(dir));
	put(dir, "memory.current", "5000000\n");
	put(dir, "memory.max", "max\n");
	put(dir, "memory.stat", "anon 100\ninactive_file 1000000\nactive_file 5\n");
	put(dir, "cpu.stat", "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n");
	put(dir, "pids.current", "2\n");
	const char *const dirs[] = {dir, NULL};
	json_t *c = record(dirs);
	struct stats s, later;
	stats_read(c, &s);
	assert_int_equal(s.mem, 4000000);
	assert_int_equal(s.mem_limit, 0);
	assert_int_equal(s.cpu_ns, 2500000);
	assert_int_equal(s.pids, 2);
	put(dir, "memory.max", "268435456\n");
	stats_read(c, &later);
	assert_int_equal(later.mem_limit, 268435456);
	/* Half a second of CPU in a second of wall time: 50%. */
	later.cpu_ns = s.cpu_ns + 500000000;
	later.at = s.at;
	later.at.tv_sec += 1;
	double pc = stats_cpu_percent(&s, &later);
	assert_true(pc > 49.99 && pc < 50.01);
	assert_true(stats_cpu_percent(NULL, &later) < 0);
	json_decref(c);
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policies_accepted),
		cmocka_unit_test(test_policies_refused),
		cmocka_unit_test(test_back_off_doubles_to_a_minute),
		cmocka_unit_test(test_stats_bytes),
		cmocka_unit_test(test_stats_read_v1),
		cmocka_unit_test(test_stats_read_v2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
