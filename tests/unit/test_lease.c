/* test_lease.c — unit tests for common/lease.c: subnet_parse() (TDG_SUBNET).
 *
 * Accepted subnets come back as network + prefix and print back the same;
 * refusals say why. Found by the fuzzer (tests/fuzz/fuzz_subnet.c): the
 * prefix went through strtol() alone, which skips leading white space and
 * takes a sign, so "10.10.0.0/ 24", "10.10.0.0/+24" and "10.10.0.0/\n24"
 * were accepted as /24. The lease store, the bridge and the iptables rules
 * all work from this value, so it takes digits only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lease.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static void accepted(const char *s, const char *net, int prefix)
{
	struct subnet sn;
	char why[128] = "", ip[INET_ADDRSTRLEN];
	if (subnet_parse(s, &sn, why, sizeof why) != 0)
		fail_msg("\"%s\" refused: %s", s, why);
	inet_ntop(AF_INET, &sn.net, ip, sizeof ip);
	if (strcmp(ip, net) != 0 || sn.prefix != prefix)
		fail_msg("\"%s\" gave %s/%d", s, ip, sn.prefix);
}

static void refused(const char *s, const char *reason)
{
	struct subnet sn;
	char why[128] = "";
	if (subnet_parse(s, &sn, why, sizeof why) == 0)
		fail_msg("\"%s\" accepted as /%d", s, sn.prefix);
	if (strstr(why, reason) == NULL)
		fail_msg("\"%s\" refused with \"%s\", not \"%s\"", s, why, reason);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_prefix_is_digits_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
