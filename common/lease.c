/* lease.c — see lease.h.                                             (day 09) */
#include "lease.h"
#include "fail.h"
#include "registry.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int subnet_parse(const char *s, struct subnet *out)
{
	char ip[INET_ADDRSTRLEN], *end;
	const char *slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof ip)
		return fail_with("not a subnet (e.g. 10.10.0.0/24)");
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	/* strtol() would also take " 24", "+24" and "\n24": digits only. */
	long prefix = strtol(slash + 1, &end, 10);
	if (inet_pton(AF_INET, ip, &out->net) != 1 || *end ||
	    !isdigit((unsigned char)slash[1]))
		return fail_with("not a subnet (e.g. 10.10.0.0/24)");
	if (prefix < 16 || prefix > 29)
		return fail_with("the prefix must be from /16 to /29");
	uint32_t mask = prefix ? htonl(~0u << (32 - prefix)) : 0;
	if (out->net.s_addr & ~mask)
		return fail_with("host bits are set; did you mean %s/%ld?",
				 inet_ntop(AF_INET, &(struct in_addr){out->net.s_addr & mask},
					   ip, sizeof ip),
				 prefix);
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
	if (fd < 0)
		return fail_with("lease: %s: %m", dir);
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR) {
			int err = errno;
			close(fd);
			errno = err;
			return fail_with("lease: %s: %m", dir);
		}
	return fd;
}

void lease_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int lease_find(const struct subnet *sn, struct in_addr *out)
{
	char dir[PATH_MAX], ip[INET_ADDRSTRLEN], holder[64];
	leases_dir(dir, sizeof dir);
	/* LAB(09.1): the lowest free address of SN: from .2 up (.0 is the
	 * network, .1 the gateway, the last one the broadcast), the first whose
	 * lease file names no holder; none left: errno ENOSPC, recorded.
	 * HINT: ntohl()/htonl() to count in host order, inet_ntop() for the file's
	 * name, registry_holder() (an empty file is free); the caller holds the lock.
	 * STUB: fail_todo("09.1"); warn("%s", fail_last.msg); errno = ENOSYS; return -1; */
	uint32_t base = ntohl(sn->net.s_addr), hosts = (1u << (32 - sn->prefix)) - 1;
	/* .0 is the network, .1 the gateway, the last the broadcast. */
	for (uint32_t h = 2; h < hosts; h++) {
		struct in_addr a = {htonl(base + h)};
		inet_ntop(AF_INET, &a, ip, sizeof ip);
		if (!registry_holder(dir, ip, holder, sizeof holder)) {
			*out = a;
			return 0;
		}
	}
	errno = ENOSPC;
	return fail_with("lease: no free address left in %s", dir);
	/* END LAB */
}

int lease_claim(struct in_addr addr, const char *id)
{
	char dir[PATH_MAX], ip[INET_ADDRSTRLEN];
	leases_dir(dir, sizeof dir);
	inet_ntop(AF_INET, &addr, ip, sizeof ip);
	return registry_claim(dir, ip, id);
}

void lease_release(const char *addr, const char *id)
{
	char dir[PATH_MAX];
	leases_dir(dir, sizeof dir);
	registry_release(dir, addr, id);
}

int lease_count(void)
{
	char dir[PATH_MAX];
	leases_dir(dir, sizeof dir);
	return registry_count(dir);
}

int lease_count_in(const struct subnet *sn)
{
	char dir[PATH_MAX], ip[INET_ADDRSTRLEN], holder[64];
	leases_dir(dir, sizeof dir);
	uint32_t base = ntohl(sn->net.s_addr), hosts = (1u << (32 - sn->prefix)) - 1;
	int n = 0;
	for (uint32_t h = 2; h < hosts; h++) {
		inet_ntop(AF_INET, &(struct in_addr){htonl(base + h)}, ip, sizeof ip);
		n += registry_holder(dir, ip, holder, sizeof holder);
	}
	return n;
}
