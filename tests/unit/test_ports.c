/* test_ports.c — unit tests for common/ports.c: the -p HOST:CTR[/proto] spec.
 *
 * What the parser lets through becomes an iptables rule on the host, so it
 * must take exactly the forms Docker users type (8080:80, 53:53/udp) and
 * refuse everything else with a reason: a missing side, zero, a number out
 * of range, signs, spaces, hex, an unknown protocol.
 *
 * ports_publish()'s refusals (issue 12): a port given twice, one another
 * container holds, one a host program listens on. Each is -1 with the
 * user's one-line reason, nothing recorded, and both locks it took (the
 * container's, then the host's network) released: before, each was an
 * "unlock, then die()" written by hand. In a private /run/tdg/network
 * (private_run.h) and a state root of the test's own; no iptables runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "ports.h"
#include "private_run.h"
#include "registry.h"
#include "state.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

static void accepted(const char *s, unsigned host, unsigned ctr, const char *proto)
{
	struct port p;
	char back[32];
	if (ports_parse(s, &p) != 0)
		fail_msg("\"%s\" refused: %s", s, fail_last.msg);
	if (p.host != host || p.ctr != ctr || strcmp(p.proto, proto) != 0)
		fail_msg("\"%s\" gave %u:%u/%s", s, p.host, p.ctr, p.proto);
	ports_format(&p, back, sizeof back);
	struct port again;
	if (ports_parse(back, &again) != 0 || again.host != p.host ||
	    again.ctr != p.ctr || strcmp(again.proto, p.proto) != 0)
		fail_msg("\"%s\" formatted as \"%s\" does not parse back", s, back);
}

static void refused(const char *s)
{
	struct port p;
	fail_last.msg[0] = '\0';
	if (ports_parse(s, &p) == 0)
		fail_msg("\"%s\" accepted as %u:%u/%s", s, p.host, p.ctr, p.proto);
	if (fail_last.msg[0] == '\0')
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

#define ID "0123456789ab"
static char root[PATH_MAX];

/* A container ID in a state root of our own, and an empty network store. */
static int container(void **state)
{
	char dir[PATH_MAX + 32];
	(void)state;
	snprintf(root, sizeof root, "/tmp/tdg-unit-ports.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	setenv("TDG_ROOT", root, 1);
	snprintf(dir, sizeof dir, "%s/containers", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof dir, "%s/containers/" ID, root);
	return mkdir(dir, 0755);
}

static int remove_root(void **state)
{
	char cmd[PATH_MAX + 16];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* Nobody holds PATH's flock (a lock left held would hang the next tdg). */
static void not_locked(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
		fail_msg("%s is still locked", path);
	close(fd);
}

/* publish P (N of them): -1, REASON in the record, nothing recorded, no
 * lock left held. */
static void refused_publish(const struct port *p, int n, const char *reason)
{
	char dir[PATH_MAX + 32];
	json_t *c = json_pack("{s:s}", "id", ID);
	fail_last.msg[0] = '\0';
	assert_int_equal(ports_publish(c, p, n), -1);
	if (!strstr(fail_last.msg, reason))
		fail_msg("refused with \"%s\", not \"%s\"", fail_last.msg, reason);
	assert_null(json_object_get(c, "ports"));
	json_decref(c);
	snprintf(dir, sizeof dir, "%s/containers/" ID, root);
	not_locked(dir);
	not_locked(TDG_NETWORK_DIR "/leases");
}

static void test_publish_refusals_are_minus_one(void **state)
{
	(void)state;
	if (private_network_dir() != 0)
		skip(); /* not root */
	struct port twice[2] = {{18095, 80, "tcp"}, {18095, 81, "tcp"}};
	refused_publish(twice, 2, "run: -p 18095/tcp given twice");

	/* Held by another container, in the registry. */
	mkdir(TDG_NETWORK_DIR "/ports", 0755);
	assert_int_equal(registry_claim(TDG_NETWORK_DIR "/ports", "udp-18096", "ba9876543210"), 0);
	struct port held = {18096, 53, "udp"};
	refused_publish(&held, 1, "run: -p 18096/udp: already published by container ba9876543210");

	/* A host program listens there (DNAT would steal its traffic). */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof sa;
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &len), 0);
	struct port busy = {ntohs(sa.sin_port), 80, "tcp"};
	char reason[64];
	snprintf(reason, sizeof reason, "-p %u/tcp: the port is in use on the host", busy.host);
	refused_publish(&busy, 1, reason);
	close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test_setup_teardown(test_publish_refusals_are_minus_one, container,
						remove_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
