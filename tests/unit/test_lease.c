/* test_lease.c — unit tests for common/lease.c: subnet_parse() (TDG_SUBNET).
 *
 * Accepted subnets come back as network + prefix and print back the same;
 * refusals say why. Found by the fuzzer (tests/fuzz/fuzz_subnet.c): the
 * prefix went through strtol() alone, which skips leading white space and
 * takes a sign, so "10.10.0.0/ 24", "10.10.0.0/+24" and "10.10.0.0/\n24"
 * were accepted as /24. The lease store, the bridge and the iptables rules
 * all work from this value, so it takes digits only.
 *
 * The store (issue 12): lease_find() on a full subnet returns -1 with
 * ENOSPC and a reason (it used to be a die() away from its caller), an
 * empty lease file (a tdg killed between creating and writing it, before
 * the registry) is a free address again, and a lease is released only by
 * its holder. These run in a private /run/tdg/network (private_run.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "lease.h"
#include "private_run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static void accepted(const char *s, const char *net, int prefix)
{
	struct subnet sn;
	char ip[INET_ADDRSTRLEN];
	if (subnet_parse(s, &sn) != 0)
		fail_msg("\"%s\" refused: %s", s, fail_last.msg);
	inet_ntop(AF_INET, &sn.net, ip, sizeof ip);
	if (strcmp(ip, net) != 0 || sn.prefix != prefix)
		fail_msg("\"%s\" gave %s/%d", s, ip, sn.prefix);
}

static void refused(const char *s, const char *reason)
{
	struct subnet sn;
	fail_last.msg[0] = '\0';
	if (subnet_parse(s, &sn) == 0)
		fail_msg("\"%s\" accepted as /%d", s, sn.prefix);
	if (strstr(fail_last.msg, reason) == NULL)
		fail_msg("\"%s\" refused with \"%s\", not \"%s\"", s, fail_last.msg, reason);
}

static void test_accepted(void **state)
{
	(void)state;
	accepted("10.10.0.0/24", "10.10.0.0", 24);
	accepted("10.77.0.0/24", "10.77.0.0", 24);
	accepted("172.16.0.0/16", "172.16.0.0", 16);
	accepted("10.10.0.248/29", "10.10.0.248", 29);
	accepted("10.10.0.0/024", "10.10.0.0", 24);
}

static void test_refused(void **state)
{
	(void)state;
	refused("", "not a subnet");
	refused("10.10.0.0", "not a subnet");
	refused("10.10.0.0/", "not a subnet");
	refused("10.10.0/24", "not a subnet");
	refused("10.10.0.0/24x", "not a subnet");
	refused("10.10.0.0/15", "from /16 to /29");
	refused("10.10.0.0/30", "from /16 to /29");
	refused("10.10.0.0/99999999999999999999", "from /16 to /29");
	refused("10.10.0.1/24", "did you mean 10.10.0.0/24?");
}

/* The bug: strtol's white space and sign. */
static void test_prefix_is_digits_only(void **state)
{
	(void)state;
	refused("10.10.0.0/ 24", "not a subnet");
	refused("10.10.0.0/+24", "not a subnet");
	refused("10.10.0.0/\n24", "not a subnet");
	refused("10.10.0.0/\t24", "not a subnet");
	refused("10.10.0.0/-24", "not a subnet");
}

/* A store of the test's own, empty (skipped where it cannot be had). */
static void store(void)
{
	if (private_network_dir() != 0)
		skip(); /* not root: no mount namespace of our own */
}

static struct in_addr addr(const char *ip)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, ip, &a), 1);
	return a;
}

static const char *found(const struct subnet *sn)
{
	static char ip[INET_ADDRSTRLEN];
	struct in_addr a;
	if (lease_find(sn, &a) != 0)
		return "(none)";
	return inet_ntop(AF_INET, &a, ip, sizeof ip);
}

/* A /29 has 5 addresses for containers (.2 to .6): a sixth finds none. */
static void test_a_full_subnet_is_minus_one_with_a_reason(void **state)
{
	(void)state;
	struct subnet sn;
	char ip[INET_ADDRSTRLEN];
	store();
	assert_int_equal(subnet_parse("10.99.0.248/29", &sn), 0);
	int lock = lease_lock();
	assert_true(lock >= 0);
	for (int h = 250; h <= 254; h++) {
		snprintf(ip, sizeof ip, "10.99.0.%d", h);
		assert_string_equal(found(&sn), ip);
		assert_int_equal(lease_claim(addr(ip), "aaaaaaaaaaaa"), 0);
	}
	assert_int_equal(lease_count(), 5);
	fail_last.msg[0] = '\0';
	struct in_addr a;
	assert_int_equal(lease_find(&sn, &a), -1);
	assert_int_equal(errno, ENOSPC);
	assert_non_null(strstr(fail_last.msg, "no free address"));
	/* Taken is taken: a second claim of one is refused. */
	assert_int_equal(lease_claim(addr("10.99.0.250"), "bbbbbbbbbbbb"), -1);
	assert_int_equal(errno, EEXIST);
	/* One given back is found again. */
	lease_release("10.99.0.252", "aaaaaaaaaaaa");
	assert_string_equal(found(&sn), "10.99.0.252");
	lease_unlock(lock);
}

/* An empty lease file names nobody: its address is free and a claim takes
 * it over (before issue 12 it stayed taken until a reboot). */
static void test_an_empty_lease_file_is_a_free_address(void **state)
{
	(void)state;
	struct subnet sn;
	store();
	assert_int_equal(subnet_parse("10.99.0.0/24", &sn), 0);
	int lock = lease_lock();
	FILE *f = fopen(TDG_NETWORK_DIR "/leases/10.99.0.2", "w");
	assert_non_null(f);
	fclose(f);
	assert_string_equal(found(&sn), "10.99.0.2");
	assert_int_equal(lease_claim(addr("10.99.0.2"), "cccccccccccc"), 0);
	assert_string_equal(found(&sn), "10.99.0.3");
	lease_release("10.99.0.2", "dddddddddddd"); /* not its holder */
	assert_int_equal(lease_count(), 1);
	lease_release("10.99.0.2", "cccccccccccc");
	assert_int_equal(lease_count(), 0);
	lease_unlock(lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_prefix_is_digits_only),
		cmocka_unit_test(test_a_full_subnet_is_minus_one_with_a_reason),
		cmocka_unit_test(test_an_empty_lease_file_is_a_free_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
