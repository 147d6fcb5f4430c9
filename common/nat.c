/* nat.c — see nat.h.                                                 (day 09) */
#include "nat.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* iptables ARGV... with no shell in between; its status, 127 if absent. */
static int iptables(char *const argv[])
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execvp("iptables", argv);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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

/* iptables -w -t TABLE ACTION CHAIN RULE... */
static int rule(char action, char *const r[16])
{
	char act[3] = {'-', action, '\0'};
	char *argv[24] = {"iptables", "-w", "-t", r[0], act, r[1]};
	int n = 6;
	for (int i = 2; r[i] && n < 23; i++)
		argv[n++] = r[i];
	argv[n] = NULL;
	return iptables(argv);
}

static void forward_saved(char *out, size_t size)
{
	snprintf(out, size, "%s/network/ip_forward.before", state_root());
}

int nat_setup(const char *bridge, const char *subnet, char *why, size_t size)
{
	char *r[NRULES][16];
	rules(bridge, subnet, r);
	for (int i = 0; i < NRULES; i++) {
		int st = rule('C', r[i]); /* already there? */
		if (st == 0)
			continue;
		if (st == 127 || rule('A', r[i]) != 0) {
			snprintf(why, size, st == 127 ? "iptables is not installed; "
						       "apt-get install iptables"
						     : "iptables -t %s -A %s failed",
				 r[i][0], r[i][1]);
			return -1;
		}
	}
	/* Forwarding is host-wide: remember what it was, to put it back. */
	char saved[PATH_MAX], was = '0';
	forward_saved(saved, sizeof saved);
	int fd = open("/proc/sys/net/ipv4/ip_forward", O_RDWR | O_CLOEXEC);
	if (fd < 0 || read(fd, &was, 1) != 1) {
		snprintf(why, size, "read /proc/sys/net/ipv4/ip_forward: %s", strerror(errno));
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
			snprintf(why, size, "turn on ip_forward: %s", strerror(errno));
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

void nat_teardown(const char *bridge, const char *subnet)
{
	char *r[NRULES][16], saved[PATH_MAX];
	rules(bridge, subnet, r);
	for (int i = 0; i < NRULES; i++)
		while (rule('D', r[i]) == 0) /* every copy */
			;
	forward_saved(saved, sizeof saved);
	if (access(saved, F_OK) == 0) {
		int fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			(void)!write(fd, "0", 1);
			close(fd);
		}
		unlink(saved);
	}
}
