/* ports.c — see ports.h.                                             (day 10) */
#include "ports.h"
#include "fail.h"
#include "id.h"
#include "lease.h"
#include "nat.h"
#include "network.h"
#include "registry.h"
#include "state.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* A port number: digits only (no sign, no spaces, no "0x"), 1..65535. */
static int port_number(const char *s, size_t len, unsigned short *out)
{
	unsigned long v = 0;
	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*out = (unsigned short)v;
	return 0;
}

/* SPEC into OUT: NULL, or why not. ports_release() reads its records with
 * it too, and a release must not overwrite the failure being reported. */
static const char *parse(const char *spec, struct port *out)
{
	const char *colon = strchr(spec, ':'), *slash = strchr(spec, '/');
	const char *end = slash ? slash : spec + strlen(spec);
	if (!colon || colon > end)
		return "not HOST:CTR[/tcp|/udp] (e.g. 8080:80)";
	if (port_number(spec, (size_t)(colon - spec), &out->host) != 0 ||
	    port_number(colon + 1, (size_t)(end - colon - 1), &out->ctr) != 0)
		return "ports are numbers from 1 to 65535 (e.g. 8080:80)";
	if (!slash || strcmp(slash, "/tcp") == 0)
		strcpy(out->proto, "tcp");
	else if (strcmp(slash, "/udp") == 0)
		strcpy(out->proto, "udp");
	else
		return "the protocol must be tcp or udp";
	return NULL;
}

int ports_parse(const char *spec, struct port *out)
{
	const char *why = parse(spec, out);
	return why ? fail_with("%s", why) : 0;
}

void ports_format(const struct port *p, char *out, size_t size)
{
	snprintf(out, size, "%u:%u/%s", p->host, p->ctr, p->proto);
}

#define PORTS_DIR TDG_NETWORK_DIR "/ports"
#define MAX_PUBLISHED 64 /* -p of one container, at most (day 10 takes 32) */

/* The port's name in the registry: "tcp-8080". */
static void entry_name(const struct port *p, char *out, size_t size)
{
	snprintf(out, size, "%s-%u", p->proto, p->host);
}

/* Is something on the host itself listening there? DNAT would silently
 * steal its traffic; Docker refuses such a port, and so do we. */
static int host_port_free(const struct port *p)
{
	int s = socket(AF_INET, (strcmp(p->proto, "tcp") == 0 ? SOCK_STREAM : SOCK_DGRAM) |
					SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(p->host),
				 .sin_addr.s_addr = htonl(INADDR_ANY)};
	int ok = s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof sa) == 0;
	int err = errno;
	if (s >= 0)
		close(s);
	errno = err;
	return ok ? 0 : -1;
}

/* The rules of one published port P, to the container's address IP, each
 * tagged TAG, as iptables-save prints them ("-A" to add, "-D" to delete:
 * ACTION), appended to NAT, the nat table's part of one transaction
 * (nat.h). */
static int port_rules(char action, const struct port *p, const char *ip, const char *tag,
		      char *nat, size_t nsize)
{
	/* LAB(10b.1): the rules of one published port P, to the container's
	 * address IP, each tagged with the comment TAG, appended to NAT: a
	 * DNAT for packets from outside and one for the host's own (the
	 * "localhost:8080" case), each a line "-A CHAIN ..." (ACTION 'A') or
	 * "-D CHAIN ..." (ACTION 'D').
	 * HINT: man 8 iptables-extensions, DNAT and addrtype: a packet from the
	 * network passes nat PREROUTING; one the host itself sends passes nat
	 * OUTPUT instead, never PREROUTING. Match only --dst-type LOCAL, or every
	 * packet to that port anywhere is taken. Write them as `iptables-save`
	 * prints such rules (-p tcp -m tcp --dport ...).
	 * STUB: (void)action; (void)p; (void)ip; (void)tag; (void)nat; (void)nsize; return fail_todo("10b.1"); */
	static const char *const chains[2] = {"PREROUTING", "OUTPUT"};
	for (int i = 0; i < 2; i++)
		snprintf(nat + strlen(nat), nsize - strlen(nat),
			 "-%c %s -p %s -m %s --dport %u -m addrtype --dst-type LOCAL "
			 "-m comment --comment %s -j DNAT --to-destination %s:%u\n",
			 action, chains[i], p->proto, p->proto, p->host, tag, ip, p->ctr);
	/* END LAB */
	return 0;
}

/* Container ID's rules for P[0..N) to IP, in one transaction: ACTION 'A' or 'D'.
 * Its status as nat_restore() gives it; ERR: what iptables said. */
static int port_transaction(char action, const char *id, const char *ip, const struct port *p,
			    int n, char *err, size_t errsize)
{
	/* ~190 bytes a rule, two rules a port, MAX_PUBLISHED ports. Only the
	 * nat table: one table is one kernel transaction, and nothing per
	 * port in filter: FORWARD lets DNAT's packets in by a subnet-wide
	 * rule (nat.c). */
	char nat[32768] = "", tag[32], text[32800];
	snprintf(tag, sizeof tag, "tdg-%s", id);
	for (int i = 0; i < n; i++)
		if (port_rules(action, &p[i], ip, tag, nat, sizeof nat) != 0)
			return -1;
	snprintf(text, sizeof text, "*nat\n%sCOMMIT\n", nat);
	return nat_restore(text, err, errsize);
}

/* The container whose ports this process released last: once is enough.
 * `run --rm` releases the container at its end and again as it removes it,
 * and a second -D of rules already gone fails, then searches
 * (iptables-save) for nothing. A publish (run --restart's next start)
 * makes them releasable again. */
static char released[TDG_ID_LEN + 1];

int ports_publish(json_t *c, const struct port *p, int n)
{
	const char *id = state_str(c, "id");
	char spec[32], name[16], holder[64];
	int held[2] = {-1, -1}, rc = -1;
	if (n == 0)
		return 0;
	released[0] = '\0';

	/* Under the container's lock and the host's (lease.h): two containers
	 * asking for one port at once see each other, and the ports are
	 * recorded before anything is made. Both are released before the
	 * caller's undo (network_release) runs: it takes the host's again. */
	if (network_lock(id, held) != 0)
		return -1;
	for (int i = 0; i < n; i++) { /* all checked before anything is made */
		for (int j = 0; j < i; j++)
			if (p[j].host == p[i].host && strcmp(p[j].proto, p[i].proto) == 0) {
				fail_with("run: -p %u/%s given twice", p[i].host, p[i].proto);
				goto out;
			}
		entry_name(&p[i], name, sizeof name);
		if (registry_holder(PORTS_DIR, name, holder, sizeof holder)) {
			fail_with("run: -p %u/%s: already published by container %s", p[i].host,
				  p[i].proto, holder);
			goto out;
		}
		if (host_port_free(&p[i]) != 0) {
			fail_with("run: -p %u/%s: %s on the host: %m", p[i].host, p[i].proto,
				  errno == EADDRINUSE ? "the port is in use" : "cannot check the port");
			goto out;
		}
	}
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		ports_format(&p[i], spec, sizeof spec);
		json_array_append_new(list, json_string(spec));
	}
	json_object_set_new(c, "ports", list);
	static const char *const keys[] = {"ports", NULL};
	if (state_record_locked(c, keys) != 0) /* from here on, release finds them */
		goto out;

	mkdir(PORTS_DIR, 0755);
	for (int i = 0; i < n; i++) {
		entry_name(&p[i], name, sizeof name);
		if (registry_claim(PORTS_DIR, name, id) != 0) {
			fail_with("run: -p: %s/%s: %m", PORTS_DIR, name);
			goto out;
		}
	}
	rc = 0; /* the rules: ports_make_rules(), once the container exists */
out:
	network_unlock(held);
	return rc;
}

int ports_make_rules(const char *id, const struct port *p, int n, struct in_addr addr)
{
	char ip[INET_ADDRSTRLEN], err[256];
	if (n == 0)
		return 0;
	inet_ntop(AF_INET, &addr, ip, sizeof ip);
	/* Every port's rules in one transaction: all made, or none. The
	 * replies' rules are the host set-up's (nat.h). */
	int st = port_transaction('A', id, ip, p, n, err, sizeof err);
	if (st > 0)
		return fail_host("run: -p: iptables-restore of the DNAT rules failed%s%s",
				 *err ? ": " : "", err);
	return st; /* -1: could not be started, recorded */
}

int ports_hairpin(const char *veth)
{
	char path[128];
	snprintf(path, sizeof path, "/sys/class/net/%s/brport/hairpin_mode", veth);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int ok = write(fd, "1", 1) == 1;
	int err = errno;
	close(fd);
	errno = err;
	return ok ? 0 : -1;
}

void ports_release(json_t *c)
{
	const char *id = state_str(c, "id");
	json_t *list = json_object_get(c, "ports"), *v;
	size_t i;
	int n = 0;
	char tag[40], name[16], err[256];
	struct port p[MAX_PUBLISHED];
	if (!json_array_size(list) || strcmp(released, id) == 0)
		return;
	snprintf(released, sizeof released, "%s", id);
	json_array_foreach(list, i, v)
		if (n < MAX_PUBLISHED && json_is_string(v) && !parse(json_string_value(v), &p[n]))
			n++;
	/* What it made, deleted as one transaction, in one process. That
	 * fails whole if a rule is not there (its publish never got that
	 * far, or someone deleted one): then whatever carries its tag. */
	struct failure keep = fail_last; /* a release must not overwrite the failure */
	if (port_transaction('D', id, state_str(c, "ip_address"), p, n, err, sizeof err) != 0) {
		snprintf(tag, sizeof tag, "--comment tdg-%s ", id);
		nat_delete_matching(tag, NULL);
	}
	fail_last = keep;
	for (int k = 0; k < n; k++) {
		entry_name(&p[k], name, sizeof name);
		registry_release(PORTS_DIR, name, id); /* a stale call never frees another's */
	}
}
