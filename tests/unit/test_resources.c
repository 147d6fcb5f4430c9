/* test_resources.c — unit tests for common/resources.c: --memory, --cpus
 * and --pids-limit.
 *
 * These parsers stand between what a user types and a number written into
 * a cgroup file, where a wrong value is either silently no limit or a
 * container killed at once. So each one gets the examples the contract
 * promises (every memory suffix, in both cases, and a decimal), the exact
 * edges of its range (0.01 CPU, the host's CPU count, pid_max), and the
 * inputs a lax strtod()/strtoll() would let through: "", garbage, zero,
 * negatives, two dots, a leading space, "inf", hex, exponents and values
 * too large for a long long. A refusal must come with a reason to print. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "resources.h"

#include <string.h>

#define KIB 1024LL
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)

/* Each helper parses S and checks it is accepted with WANT, or refused
 * with a non-empty reason (and the output left alone). fail_msg() names
 * the input, so a failure says which of a list went wrong. */
static void memory_ok(const char *s, long long want)
{
	long long bytes = -1;
	if (resources_parse_memory(s, &bytes) != 0)
		fail_msg("\"%s\" refused: %s", s, fail_last.msg);
	if (bytes != want)
		fail_msg("\"%s\" gave %lld bytes, want %lld", s, bytes, want);
}

static void memory_refused(const char *s)
{
	long long bytes = -1;
	fail_last.msg[0] = '\0';
	if (resources_parse_memory(s, &bytes) != -1)
		fail_msg("\"%s\" accepted as %lld bytes", s, bytes);
	if (fail_last.msg[0] == '\0' || bytes != -1)
		fail_msg("\"%s\": no reason given, or the output changed", s);
}

static void test_memory_accepted(void **state)
{
	(void)state;
	memory_ok("128m", 134217728); /* 128 * 1024 * 1024 */
	memory_ok("1.5g", 3 * GIB / 2);
	memory_ok("65536", 65536);	/* no suffix: bytes */
	memory_ok("512K", 512 * KIB);	/* upper case too */
	memory_ok("1b", 1);
	memory_ok("2G", 2 * GIB);
}

static void test_memory_refused(void **state)
{
	(void)state;
	const char *bad[] = {"",    "abc", "0",   "-5m",  "1.5.5m",
			     "m",   " 5m", "inf", "0x10", "99999999999g"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		memory_refused(bad[i]);
}

static void test_memory_too_large_says_so(void **state)
{
	(void)state;
	long long bytes;
	assert_int_equal(resources_parse_memory("99999999999g", &bytes), -1);
	assert_non_null(strstr(fail_last.msg, "too large"));
}

/* With a host of 2 CPUs, as the brief's examples. */
static void cpus_ok(const char *s, long long want)
{
	long long quota = -1;
	if (resources_parse_cpus(s, 2, &quota) != 0)
		fail_msg("\"%s\" refused: %s", s, fail_last.msg);
	if (quota != want)
		fail_msg("\"%s\" gave a quota of %lld, want %lld", s, quota, want);
}

static void cpus_refused(const char *s)
{
	long long quota = -1;
	fail_last.msg[0] = '\0';
	if (resources_parse_cpus(s, 2, &quota) != -1)
		fail_msg("\"%s\" accepted as a quota of %lld", s, quota);
	if (fail_last.msg[0] == '\0' || quota != -1)
		fail_msg("\"%s\": no reason given, or the output changed", s);
}

static void test_cpus_accepted(void **state)
{
	(void)state;
	cpus_ok("0.5", 50000); /* half of each CPU_PERIOD of 100000 us */
	cpus_ok("2", 200000);  /* the host's count: the most allowed */
	cpus_ok("0.01", 1000); /* the least allowed */
	cpus_ok("0.29", 29000); /* 0.29 * 100000 is 28999.999... in a double */
}

static void test_cpus_refused(void **state)
{
	(void)state;
	const char *bad[] = {"0", "0.001", "3", "-1", "", "x", "1e1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cpus_refused(bad[i]);
}

/* Out of range, the reason must tell the user what this host has. */
static void test_cpus_range_names_host_count(void **state)
{
	(void)state;
	cpus_refused("3");
	assert_non_null(strstr(fail_last.msg, "this host has 2 CPUs"));
	cpus_refused("0.001");
	assert_non_null(strstr(fail_last.msg, "this host has 2 CPUs"));

	long long quota;
	assert_int_equal(resources_parse_cpus("2", 1, &quota), -1);
	assert_non_null(strstr(fail_last.msg, "this host has 1 CPU)"));
}

static void pids_ok(const char *s, long long want)
{
	long long pids = -1;
	if (resources_parse_pids(s, &pids) != 0)
		fail_msg("\"%s\" refused: %s", s, fail_last.msg);
	if (pids != want)
		fail_msg("\"%s\" gave %lld, want %lld", s, pids, want);
}

static void pids_refused(const char *s)
{
	long long pids = -1;
	fail_last.msg[0] = '\0';
	if (resources_parse_pids(s, &pids) != -1)
		fail_msg("\"%s\" accepted as %lld", s, pids);
	if (fail_last.msg[0] == '\0' || pids != -1)
		fail_msg("\"%s\": no reason given, or the output changed", s);
}

static void test_pids_accepted(void **state)
{
	(void)state;
	pids_ok("1", 1);
	pids_ok("64", 64);
	pids_ok("4194304", 4194304); /* the kernel's pid_max */
}

static void test_pids_refused(void **state)
{
	(void)state;
	const char *bad[] = {"0", "-1",	     "1.5",
			     "",  "x",	     "4194305",
			     "99999999999999999999"}; /* overflows a long long */
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		pids_refused(bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_accepted),
		cmocka_unit_test(test_memory_refused),
		cmocka_unit_test(test_memory_too_large_says_so),
		cmocka_unit_test(test_cpus_accepted),
		cmocka_unit_test(test_cpus_refused),
		cmocka_unit_test(test_cpus_range_names_host_count),
		cmocka_unit_test(test_pids_accepted),
		cmocka_unit_test(test_pids_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
