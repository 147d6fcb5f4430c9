/* lease.c — see lease.h.                                             (day 09) */
#include "lease.h"
#include "fail.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int subnet_parse(const char *s, struct subnet *out, char *why, size_t size)
{
	char ip[INET_ADDRSTRLEN], *end;
	const char *slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof ip) {
		snprintf(why, size, "not a subnet (e.g. 10.10.0.0/24)");
		return -1;
	}
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	/* strtol() would also take " 24", "+24" and "\n24": digits only. */
	long prefix = strtol(slash + 1, &end, 10);
	if (inet_pton(AF_INET, ip, &out->net) != 1 || *end ||
	    !isdigit((unsigned char)slash[1])) {
		snprintf(why, size, "not a subnet (e.g. 10.10.0.0/24)");
		return -1;
	}
	if (prefix < 16 || prefix > 29) {
		snprintf(why, size, "the prefix must be from /16 to /29");
		return -1;
	}
	uint32_t mask = prefix ? htonl(~0u << (32 - prefix)) : 0;
	if (out->net.s_addr & ~mask) {
		snprintf(why, size, "host bits are set; did you mean %s/%ld?",
			 inet_ntop(AF_INET, &(struct in_addr){out->net.s_addr & mask}, ip, sizeof ip),
			 prefix);
		return -1;
	}
	out->prefix = (int)prefix;
	return 0;
}

struct in_addr subnet_gateway(const struct subnet *sn)
{
	return (struct in_addr){htonl(ntohl(sn->net.s_addr) + 1)};
}

static void leases_dir(char *out, size_t size)
{
	snprintf(out, size, "%s/leases", TDG_NETWORK_DIR);
}

int lease_lock(void)
{
	char dir[PATH_MAX];
	leases_dir(dir, sizeof dir);
	mkdir("/run/tdg", 0755);
	mkdir(TDG_NETWORK_DIR, 0755);
	mkdir(dir, 0755);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX) != 0)
		die("lease: %s: %m", dir);
	return fd;
}

void lease_unlock(int fd)
{
	close(fd);
}

int lease_find(const struct subnet *sn, struct in_addr *out)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], ip[INET_ADDRSTRLEN];
	leases_dir(dir, sizeof dir);
	uint32_t base = ntohl(sn->net.s_addr), hosts = (1u << (32 - sn->prefix)) - 1;
	/* .0 is the network, .1 the gateway, the last the broadcast. */
	for (uint32_t h = 2; h < hosts; h++) {
		struct in_addr a = {htonl(base + h)};
		inet_ntop(AF_INET, &a, ip, sizeof ip);
		snprintf(path, sizeof path, "%s/%s", dir, ip);
		if (access(path, F_OK) != 0 && errno == ENOENT) {
			*out = a;
			return 0;
		}
	}
	errno = ENOSPC;
	return -1;
}

int lease_claim(struct in_addr addr, const char *id)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], ip[INET_ADDRSTRLEN];
	leases_dir(dir, sizeof dir);
	inet_ntop(AF_INET, &addr, ip, sizeof ip);
	snprintf(path, sizeof path, "%s/%s", dir, ip);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	int ok = write(fd, id, strlen(id)) == (ssize_t)strlen(id);
	int err = errno;
	close(fd);
	if (!ok) {
		unlink(path);
		errno = err ? err : EIO;
		return -1;
	}
	return 0;
}

void lease_release(const char *addr, const char *id)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], holder[64] = "";
	leases_dir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/%s", dir, addr);
	FILE *f = fopen(path, "re");
	if (f) {
		if (!fgets(holder, sizeof holder, f))
			holder[0] = '\0';
		fclose(f);
		/* Empty: a tdg killed between making the file and writing the
		 * id. Under the lock, only the container whose record names
		 * this address (recorded before the file is made) can be it. */
		if (strcmp(holder, id) == 0 || holder[0] == '\0')
			unlink(path);
	}
}

int lease_count(void)
{
	char dir[PATH_MAX];
	leases_dir(dir, sizeof dir);
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}
