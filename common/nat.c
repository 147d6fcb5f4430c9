/* nat.c — see nat.h.                                                 (day 09) */
#include "nat.h"
#include "lease.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
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

int nat_setup(const char *bridge, const char *subnet, char *why, size_t size)
{
	char *r[NRULES][16];
	rules(bridge, subnet, r);
	for (int i = 0; i < NRULES; i++) {
		int st = nat_rule('C', r[i]); /* already there? */
		if (st == 0)
			continue;
		if (st == 127 || nat_rule('A', r[i]) != 0) {
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

void nat_delete_matching(const char *table, const char *needle, const char *also)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execlp("iptables", "iptables", "-w", "-t", table, "-S", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	FILE *f = pid > 0 ? fdopen(fds[0], "r") : NULL;
	char line[512], *rules[64];
	int n = 0;
	while (f && n < 64 && fgets(line, sizeof line, f))
		if (strncmp(line, "-A ", 3) == 0 && strstr(line, needle) &&
		    (!also || strstr(line, also)))
			rules[n++] = strdup(line + 3);
	if (f)
		fclose(f);
	else
		close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	for (int i = 0; i < n; i++) { /* "-A CHAIN ARGS" becomes "-D CHAIN ARGS" */
		char *argv[40] = {"iptables", "-w", "-t", (char *)table, "-D"}, *save;
		int k = 5;
		for (char *t = strtok_r(rules[i], " \n", &save); t && k < 39;
		     t = strtok_r(NULL, " \n", &save))
			argv[k++] = t;
		argv[k] = NULL;
		iptables(argv);
		free(rules[i]);
	}
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
		if (fd >= 0) {
			(void)!write(fd, "0", 1);
			close(fd);
		}
		unlink(saved);
	}
}
