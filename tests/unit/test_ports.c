/* test_ports.c — unit tests for common/ports.c: the -p HOST:CTR[/proto] spec.
 *
 * What the parser lets through becomes an iptables rule on the host, so it
 * must take exactly the forms Docker users type (8080:80, 53:53/udp) and
 * refuse everything else with a reason: a missing side, zero, a number out
 * of range, signs, spaces, hex, an unknown protocol. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ports.h"

#include <string.h>

static void accepted(const char *s, unsigned host, unsigned ctr, const char *proto)
{
	struct port p;
	char why[128] = "", back[32];
	if (ports_parse(s, &p, why, sizeof why) != 0)
		fail_msg("\"%s\" refused: %s", s, why);
	if (p.host != host || p.ctr != ctr || strcmp(p.proto, proto) != 0)
		fail_msg("\"%s\" gave %u:%u/%s", s, p.host, p.ctr, p.proto);
	ports_format(&p, back, sizeof back);
	struct port again;
	if (ports_parse(back, &again, why, sizeof why) != 0 || again.host != p.host ||
	    again.ctr != p.ctr || strcmp(again.proto, p.proto) != 0)
		fail_msg("\"%s\" formatted as \"%s\" does not parse back", s, back);
}

static void refused(const char *s)
{
	struct port p;
	char why[128] = "";
	if (ports_parse(s, &p, why, sizeof why) == 0)
		fail_msg("\"%s\" accepted as %u:%u/%s", s, p.host, p.ctr, p.proto);
	if (why[0] == '\0')
		fail_msg("\"%s\" refused without a reason", s);
}

static void test_accepted(void **state)
{
	(void)state;
	accepted("8080:80", 8080, 80, "tcp");
	accepted("8080:80/tcp", 8080, 80, "tcp");
	accepted("53:53/udp", 53, 53, "udp");
	accepted("1:65535", 1, 65535, "tcp");
	accepted("65535:1/udp", 65535, 1, "udp");
	accepted("08080:080", 8080, 80, "tcp");
}

static void test_refused(void **state)
{
	(void)state;
	const char *bad[] = {"", "80", ":80", "8080:", ":", "0:80", "80:0", "65536:80",
			     "80:65536", "99999999999:80", "-1:80", "+80:80", " 80:80",
			     "80:80 ", "0x50:80", "a:80", "80:b", "80:80/", "80:80/sctp",
			     "80:80/TCP", "80:80/tcp/udp", "80:80:90", "1.5:80", "80/tcp",
			     "80/tcp:90", NULL};
	for (int i = 0; bad[i]; i++)
		refused(bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
