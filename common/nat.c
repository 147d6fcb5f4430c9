/* nat.c — see nat.h.                                                 (day 09) */
#include "nat.h"
#include "fail.h"
#include "lease.h"
#include "nftrules.h"
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The subnet-wide rules, as iptables-save prints them (so that a look at
 * its output tells whether each is there), in the table they belong to. */
#define NRULES 6
static void rules(const char *bridge, const char *subnet, char r[NRULES][2][192])
{
	static const char *const tmpl[NRULES][2] = {
		/* out: containers' packets leave with the host's address */
		{"nat", "-A POSTROUTING -s %2$s ! -o %1$s -m comment --comment tdg -j MASQUERADE"},
		/* forwarded from the bridge, and the answers back to it */
		{"filter", "-A FORWARD -i %1$s -m comment --comment tdg -j ACCEPT"},
		{"filter", "-A FORWARD -o %1$s -m conntrack --ctstate RELATED,ESTABLISHED "
			   "-m comment --comment tdg -j ACCEPT"},
		/* (day 10, -p) new connections to a published port: the only
		 * ones DNAT sent into the bridge, and only while its rule is
		 * there. One rule for all, not one per port: a container's
		 * own rules then stay in the nat table, one transaction
		 * (ports.c, nftrules.h) */
		{"filter", "-A FORWARD -o %1$s -m conntrack --ctstate DNAT "
			   "-m comment --comment tdg -j ACCEPT"},
		/* (day 10, -p) a client on 127.0.0.1, or a container calling a
		 * published port: the answer must come back through the host */
		{"nat", "-A POSTROUTING -s 127.0.0.0/8 -o %1$s -m comment --comment tdg -j MASQUERADE"},
		{"nat", "-A POSTROUTING -s %2$s -o %1$s -m conntrack --ctstate DNAT "
			"-m comment --comment tdg -j MASQUERADE"},
	};
	for (int i = 0; i < NRULES; i++) {
		snprintf(r[i][0], sizeof r[i][0], "%s", tmpl[i][0]);
		snprintf(r[i][1], sizeof r[i][1], tmpl[i][1], bridge, subnet);
	}
}

int nat_restore(const char *text, char *err, size_t errsize)
{
	if (err && errsize)
		err[0] = '\0';
	/* (day 10) A published port's rules, tdg sends over netlink itself,
	 * as iptables-nft would, without a process (nftrules.h). */
	int done = nftrules_restore(text);
	if (done != 0) {
		if (done < 0 && err && errsize) /* as iptables-restore would fail */
			snprintf(err, errsize, "a rule to delete is not there");
		return done < 0;
	}
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/.rules.%d", TDG_NETWORK_DIR, (int)getpid());
	FILE *f = fopen(path, "we");
	if (!f)
		return fail_with("write %s: %m", path);
	int ok = fputs(text, f) >= 0;
	if (fclose(f) != 0 || !ok) {
		unlink(path);
		return fail_with("write %s: %m", path);
	}
	/* --noflush: add to (or -D: delete from) the tables, never replace
	 * them; without it the host's own rules would be gone. */
	char *argv[] = {"iptables-restore", "-w", "--noflush", path, NULL};
	int st = spawn_capture(argv, NULL, err, errsize);
	unlink(path);
	return st;
}


/* All rules of the nat and filter tables, as iptables-save prints them,
 * into *OUT (malloc()ed); its status, as spawn_capture() gives it. */
static int save(char **out)
{
	char *argv[] = {"iptables-save", NULL};
	*out = NULL;
	return spawn_capture(argv, out, NULL, 0);
}

/* Is LINE (no newline) a whole line of TEXT? */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; p && (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

static void forward_saved(char *out, size_t size)
{
	snprintf(out, size, "%s/ip_forward.before", TDG_NETWORK_DIR);
}

int nat_setup(const char *bridge, const char *subnet)
{
	char r[NRULES][2][192], err[256], *now = NULL;
	rules(bridge, subnet, r);
	/* LAB(09.3): add, in one transaction, the rules R that are not there
	 * yet: look with save() (iptables-save), write the missing ones as
	 * "*TABLE\n-A ...\nCOMMIT\n" and hand them to nat_restore(). Then turn
	 * on ip_forward, keeping a note (the file forward_saved() names) that it
	 * was off, for nat_forward_restore().
	 * HINT: man 8 iptables-restore (--noflush), man 8 iptables-extensions
	 * (MASQUERADE); status 127: no iptables. /proc/sys/net/ipv4/ip_forward is
	 * host-wide: without it, nothing routes. */
	int st = save(&now);
	if (st == TDG_EXIT_NOT_FOUND) {
		free(now);
		return fail_host("iptables is not installed; apt-get install iptables");
	}
	if (st != 0) {
		free(now);
		return fail_host("iptables-save failed (status %d)", st);
	}
	/* Only what is missing: a rule added twice would stay once removed. */
	char text[4096];
	size_t off = 0;
	static const char *const tables[] = {"nat", "filter"};
	for (int t = 0; t < 2; t++) {
		size_t start = off;
		off += (size_t)snprintf(text + off, sizeof text - off, "*%s\n", tables[t]);
		int added = 0;
		for (int i = 0; i < NRULES; i++)
			if (strcmp(r[i][0], tables[t]) == 0 && !has_line(now, r[i][1])) {
				off += (size_t)snprintf(text + off, sizeof text - off, "%s\n", r[i][1]);
				added++;
			}
		if (added)
			off += (size_t)snprintf(text + off, sizeof text - off, "COMMIT\n");
		else
			off = start; /* nothing for this table */
		text[off] = '\0';
	}
	free(now);
	if (off > 0) {
		st = nat_restore(text, err, sizeof err);
		if (st == TDG_EXIT_NOT_FOUND)
			return fail_host("iptables is not installed; apt-get install iptables");
		if (st != 0)
			return fail_host("iptables-restore of the NAT rules for %s failed%s%s", subnet,
					 *err ? ": " : "", err);
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

/* The "-D" lines of every rule in SAVED (iptables-save's output) that
 * contains NEEDLE (and ALSO), per table, into OUT; how many. */
static int matching(char *saved, const char *needle, const char *also, char **out)
{
	size_t size = strlen(saved) + 64, off = 0;
	int n = 0;
	char *text = malloc(size), *next, *table = NULL;
	if (!text)
		return -1;
	for (char *line = saved; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '*') { /* a table begins */
			table = line;
			off += (size_t)snprintf(text + off, size - off, "%s\n", line);
		} else if (strcmp(line, "COMMIT") == 0 && table) {
			off += (size_t)snprintf(text + off, size - off, "COMMIT\n");
		} else if (table && strncmp(line, "-A ", 3) == 0 && strstr(line, needle) &&
			   (!also || strstr(line, also))) {
			/* "-A CHAIN ARGS" becomes "-D CHAIN ARGS" */
			off += (size_t)snprintf(text + off, size - off, "-D %s\n", line + 3);
			n++;
		}
	}
	*out = text;
	return n;
}

int nat_count_matching(const char *needle, const char *also)
{
	char *now = NULL, *text = NULL;
	int n = save(&now) == 0 ? matching(now, needle, also, &text) : -1;
	free(now);
	free(text);
	return n;
}

void nat_delete_matching(const char *needle, const char *also)
{
	char *now = NULL, *text = NULL, err[256];
	int st = save(&now);
	if (st != 0) {
		/* 127: no iptables on this host, so no rule of ours either:
		 * nothing to say (the failure that brought us here says it). */
		if (st != TDG_EXIT_NOT_FOUND)
			warn("warning: iptables-save failed: its rules with '%s' are left", needle);
		free(now);
		return;
	}
	int n = matching(now, needle, also, &text);
	if (n > 0 && nat_restore(text, err, sizeof err) != 0)
		warn("warning: iptables-restore: %d rules with '%s' are left%s%s", n, needle,
		     *err ? ": " : "", err);
	free(now);
	free(text);
}

void nat_teardown(const char *bridge)
{
	/* Every rule tagged "tdg" that names BRIDGE, whatever its subnet:
	 * containers of several subnets (TDG_SUBNET) may have shared it.
	 * The space after it: td0 is not td01. */
	char name[40];
	snprintf(name, sizeof name, " %s ", bridge);
	nat_delete_matching("--comment tdg ", name);
}

void nat_forward_restore(void)
{
	char saved[PATH_MAX];
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
