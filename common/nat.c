/* nat.c — see nat.h.                                                 (day 09) */
#include "nat.h"
#include "fail.h"
#include "lease.h"
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* iptables ARGV... (no shell in between, its output to /dev/null): its
 * status, 127 if it is not installed, -1 if it could not be started
 * (spawn.h runs every helper program tdg needs). */
static int iptables(char *const argv[])
{
	return spawn_capture(argv, NULL, NULL, 0);
}

/* The rules, as iptables arguments after "-w -t TABLE -X CHAIN". */
#define NRULES 3
static void rules(const char *bridge, const char *subnet, char *r[NRULES][16])
{
	static char sub[64], br[32];
	snprintf(sub, sizeof sub, "%s", subnet);
	snprintf(br, sizeof br, "%s", bridge);
	char *const tmpl[NRULES][16] = {
		{"nat", "POSTROUTING", "-s", sub, "!", "-o", br, "-j", "MASQUERADE",
		 "-m", "comment", "--comment", "tdg", NULL},
		{"filter", "FORWARD", "-i", br, "-j", "ACCEPT", "-m", "comment",
		 "--comment", "tdg", NULL},
		{"filter", "FORWARD", "-o", br, "-m", "conntrack", "--ctstate",
		 "RELATED,ESTABLISHED", "-j", "ACCEPT", "-m", "comment", "--comment",
		 "tdg", NULL},
	};
	memcpy(r, tmpl, sizeof tmpl);
}

int nat_rule(char action, char *const r[])
{
	char act[3] = {'-', action, '\0'};
	char *argv[40] = {"iptables", "-w", "-t", r[0], act, r[1]};
	int n = 6;
	for (int i = 2; r[i] && n < 39; i++)
		argv[n++] = r[i];
	argv[n] = NULL;
	return iptables(argv);
}

static void forward_saved(char *out, size_t size)
{
	snprintf(out, size, "%s/ip_forward.before", TDG_NETWORK_DIR);
}

int nat_setup(const char *bridge, const char *subnet)
{
	char *r[NRULES][16];
	rules(bridge, subnet, r);
	/* LAB(09.3): add each of the rules R that is not there yet (iptables
	 * -C, then -A: nat_rule()), then turn on ip_forward, keeping a note
	 * (the file forward_saved() names) that it was off, for nat_teardown().
	 * HINT: man 8 iptables-extensions, MASQUERADE; status 127: no iptables.
	 * /proc/sys/net/ipv4/ip_forward is host-wide: without it, nothing routes. */
	for (int i = 0; i < NRULES; i++) {
		int st = nat_rule('C', r[i]); /* already there? */
		if (st == 0)
			continue;
		if (st == 127)
			return fail_host("iptables is not installed; apt-get install iptables");
		if (nat_rule('A', r[i]) != 0)
			return fail_host("iptables -t %s -A %s failed", r[i][0], r[i][1]);
	}
	/* Forwarding is host-wide: remember what it was, to put it back. */
	char saved[PATH_MAX], was = '0';
	forward_saved(saved, sizeof saved);
	int fd = open("/proc/sys/net/ipv4/ip_forward", O_RDWR | O_CLOEXEC);
	if (fd < 0 || read(fd, &was, 1) != 1) {
		fail_host("read /proc/sys/net/ipv4/ip_forward: %m");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (was == '0') {
		int s = open(saved, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (s >= 0) {
			(void)!write(s, "0", 1);
			close(s);
		}
		if (pwrite(fd, "1", 1, 0) != 1) {
			fail_host("turn on ip_forward: %m");
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
	/* END LAB */
}

void nat_delete_matching(const char *table, const char *needle, const char *also)
{
	char *list = NULL, *next;
	char *show[] = {"iptables", "-w", "-t", (char *)table, "-S", NULL};
	int st = spawn_capture(show, &list, NULL, 0);
	if (st != 0) {
		/* 127: no iptables on this host, so no rule of ours either:
		 * nothing to say (the failure that brought us here says it). */
		if (st != TDG_EXIT_NOT_FOUND)
			warn("warning: iptables -t %s -S failed: its rules with '%s' are left",
			     table, needle);
		free(list);
		return;
	}
	for (char *line = list; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, "-A ", 3) != 0 || !strstr(line, needle) ||
		    (also && !strstr(line, also)))
			continue;
		/* "-A CHAIN ARGS" becomes "-D CHAIN ARGS" */
		char *argv[40] = {"iptables", "-w", "-t", (char *)table, "-D"}, *save;
		int k = 5;
		for (char *t = strtok_r(line + 3, " ", &save); t && k < 39;
		     t = strtok_r(NULL, " ", &save))
			argv[k++] = t;
		argv[k] = NULL;
		if (iptables(argv) != 0)
			warn("warning: iptables -t %s -D %s failed", table, argv[5]);
	}
	free(list);
}

void nat_teardown(const char *bridge)
{
	char saved[PATH_MAX];
	/* Every rule tagged "tdg" that names BRIDGE, whatever its subnet:
	 * containers of several subnets (TDG_SUBNET) may have shared it. */
	nat_delete_matching("nat", "--comment tdg", bridge);
	nat_delete_matching("filter", "--comment tdg", bridge);
	forward_saved(saved, sizeof saved);
	if (access(saved, F_OK) == 0) {
		int fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			warn("warning: net: turn ip_forward back off: %m");
		if (fd >= 0)
			close(fd);
		unlink(saved);
	}
}
