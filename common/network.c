/* network.c — see network.h.                                         (day 09) */
#include "network.h"
#include "fail.h"
#include "nat.h"
#include "netlink.h"
#include "ports.h"
#include "state.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void subnet_text(const struct subnet *sn, char *out, size_t size)
{
	char ip[INET_ADDRSTRLEN];
	snprintf(out, size, "%s/%d", inet_ntop(AF_INET, &sn->net, ip, sizeof ip), sn->prefix);
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	if (!f)
		return fail_with("net: write %s: %m", path);
	int ok = fputs(text, f) >= 0;
	if (fclose(f) != 0) /* the write itself happens here */
		ok = 0;
	return ok ? 0 : fail_with("net: write %s: %m", path);
}

/* The host's nameservers, minus those on loopback (127.0.0.53 and the like
 * mean nothing inside another network namespace); Docker's fallback if
 * none is left. */
static void resolv_conf(char *out, size_t size)
{
	char line[256], server[128];
	size_t off = 0;
	int servers = 0;
	FILE *f = fopen("/etc/resolv.conf", "re");
	out[0] = '\0';
	while (f && fgets(line, sizeof line, f)) {
		bool keep = strncmp(line, "search", 6) == 0 || strncmp(line, "options", 7) == 0;
		if (sscanf(line, "nameserver %127s", server) == 1 &&
		    strncmp(server, "127.", 4) != 0 && strcmp(server, "::1") != 0) {
			keep = true;
			servers++;
		}
		if (keep && off + strlen(line) < size)
			off += (size_t)snprintf(out + off, size - off, "%s", line);
	}
	if (f)
		fclose(f);
	if (servers == 0 && off + 40 < size)
		snprintf(out + off, size - off, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
}

const char *network_bridge(void)
{
	const char *b = getenv("TDG_BRIDGE");
	if (!b || !*b)
		return TDG_BRIDGE;
	/* A link name (15 bytes at most), and one leakcheck knows as tdg's;
	 * never one of the veths ("td" + a 12-digit id). */
	size_t n = strlen(b);
	bool ok = n >= 3 && n <= 8 && strncmp(b, "td", 2) == 0;
	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)b[i]);
	if (!ok) {
		fail_with("net: TDG_BRIDGE '%s': not a bridge name (td and 1-6 letters or digits)", b);
		return NULL;
	}
	return b;
}

/* The host set-up's notes: BRIDGES/<bridge>/<net>-<prefix>, one per subnet
 * made on it, holding the bridge's ifindex at the time. */
#define BRIDGES_DIR TDG_NETWORK_DIR "/bridges"

static void note_path(char *out, size_t size, const char *bridge, const struct subnet *sn)
{
	char ip[INET_ADDRSTRLEN];
	if (sn)
		snprintf(out, size, "%s/%s/%s-%d", BRIDGES_DIR, bridge,
			 inet_ntop(AF_INET, &sn->net, ip, sizeof ip), sn->prefix);
	else
		snprintf(out, size, "%s/%s", BRIDGES_DIR, bridge);
}

static unsigned note_read(const char *path)
{
	char text[16] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, text, sizeof text - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	return (unsigned)strtoul(text, NULL, 10);
}

/* The bridge, its address, the subnet's rules, route_localnet: made once,
 * then kept (network.h). The lease lock is held: two tdg making them at
 * once take turns, and the second finds the note. */
static int host_setup(const char *bridge, const struct subnet *sn, const char *sub)
{
	char note[PATH_MAX], gw[INET_ADDRSTRLEN], path[PATH_MAX];
	struct in_addr gwa = subnet_gateway(sn);
	note_path(note, sizeof note, bridge, sn);
	unsigned index = if_nametoindex(bridge);
	if (index && note_read(note) == index)
		return 0; /* made, and the bridge is still the one they were made on */
	inet_ntop(AF_INET, &gwa, gw, sizeof gw);
	if (netlink_bridge_ensure(bridge, gwa, sn->prefix) != 0)
		return fail_host("net: bridge %s with %s/%d: %m%s", bridge, gw, sn->prefix,
				 errno == EEXIST ? "; the bridge has another subnet's address" : "");
	if (nat_setup(bridge, sub) != 0)
		return fail_context("net");
	/* The kernel drops a packet from 127.0.0.1 routed out of a real
	 * interface ("martian") unless that interface allows it: day 10's -p
	 * answers a client on 127.0.0.1 through the bridge. */
	snprintf(path, sizeof path, "/proc/sys/net/ipv4/conf/%s/route_localnet", bridge);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ok = fd >= 0 && write(fd, "1", 1) == 1;
	if (fd >= 0)
		close(fd);
	if (!ok)
		return fail_host("net: %s: %m", path);
	/* The note last: without it (a full disk, a kill before), the next
	 * run only makes again what is missing. */
	mkdir(BRIDGES_DIR, 0755);
	note_path(path, sizeof path, bridge, NULL);
	mkdir(path, 0755);
	FILE *f = fopen(note, "we");
	if (f) {
		fprintf(f, "%u\n", if_nametoindex(bridge));
		if (fclose(f) != 0)
			unlink(note);
	}
	return 0;
}

int network_lock(const char *id, int held[2])
{
	held[0] = state_lock(id);
	if (held[0] < 0)
		return fail_with("net: lock container %s: %m", id);
	held[1] = lease_lock();
	if (held[1] < 0) {
		state_unlock(held[0]);
		return -1;
	}
	return 0;
}

void network_unlock(const int held[2])
{
	lease_unlock(held[1]);
	state_unlock(held[0]);
}

/* The container's own /etc/hosts, resolv.conf and hostname, in its state
 * folder, to be bind-mounted over the rootfs's: the rootfs folder, shared
 * by every container, is never written. */
static int etc_files(struct network *n, json_t *c, const char *ip)
{
	static const char *const names[3] = {"hosts", "resolv.conf", "hostname"};
	char text[1024];
	for (int i = 0; i < 3; i++)
		state_path(n->etc[i], sizeof n->etc[i], state_str(c, "id"), names[i]);
	snprintf(text, sizeof text, "127.0.0.1\tlocalhost\n::1\tlocalhost\n%s\t%s\n", ip,
		 state_str(c, "hostname"));
	if (write_text(n->etc[0], text) != 0)
		return -1;
	resolv_conf(text, sizeof text);
	if (write_text(n->etc[1], text) != 0)
		return -1;
	snprintf(text, sizeof text, "%s\n", state_str(c, "hostname"));
	return write_text(n->etc[2], text);
}

int network_prepare(struct network *n, json_t *c)
{
	const char *id = state_str(c, "id"), *env = getenv("TDG_SUBNET");
	const char *bridge = network_bridge();
	char sub[32], ip[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
	int held[2] = {-1, -1}, rc = -1;

	if (!bridge)
		return -1;
	if (subnet_parse(env && *env ? env : TDG_DEFAULT_SUBNET, &n->subnet) != 0)
		return fail_context("net: TDG_SUBNET '%s'", env);
	subnet_text(&n->subnet, sub, sizeof sub);
	n->gw = subnet_gateway(&n->subnet);
	snprintf(n->veth, sizeof n->veth, "td%s", id);

	/* The container's lock, then the host's (lease.h): the address is
	 * recorded, under both, before it is taken. On failure both are
	 * released before the caller undoes what the record names. */
	if (network_lock(id, held) != 0)
		return -1;
	if (lease_find(&n->subnet, &n->addr) != 0) {
		fail_with("net: no free address left in %s", sub);
		goto out;
	}
	inet_ntop(AF_INET, &n->addr, ip, sizeof ip);
	inet_ntop(AF_INET, &n->gw, gw, sizeof gw);
	json_object_set_new(c, "network", json_string("bridge"));
	json_object_set_new(c, "subnet", json_string(sub));
	json_object_set_new(c, "ip_address", json_string(ip));
	json_object_set_new(c, "gateway", json_string(gw));
	json_object_set_new(c, "veth", json_string(n->veth));
	json_object_set_new(c, "bridge", json_string(bridge));
	static const char *const keys[] = {"network", "subnet", "ip_address",
					   "gateway", "veth", "bridge", NULL};
	if (state_record_locked(c, keys) != 0) /* before the lease: see lease_find */
		goto out;
	if (lease_claim(n->addr, id) != 0) {
		fail_with("net: lease of %s: %m", ip);
		goto out;
	}
	if (host_setup(bridge, &n->subnet, sub) != 0)
		goto out;
	rc = 0;
out:
	network_unlock(held);
	return rc == 0 ? etc_files(n, c, ip) : rc;
}

int network_attach(struct network *n, pid_t pid)
{
	const char *bridge = network_bridge();
	return bridge ? netlink_veth_create(n->veth, bridge, "eth0", n->addr, pid) : -1;
}

int network_configure_inside(const struct network *n)
{
	/* LAB(09.6): inside the container's namespace: lo up, N's address on
	 * eth0, eth0 up, then the default route via the gateway; each failure
	 * recorded with fail_host() ("net: ...: %m").
	 * HINT: netlink.h's calls; man 8 ip-route: a route via GW needs GW on a
	 * link that is up, so the order matters (else the kernel says ENETUNREACH,
	 * which nl_fail() reports as "Input/output error"). */
	if (netlink_link_up("lo") != 0)
		return fail_host("net: bring up lo: %m");
	if (netlink_addr_add("eth0", n->addr, n->subnet.prefix) != 0)
		return fail_host("net: address on eth0: %m");
	if (netlink_link_up("eth0") != 0)
		return fail_host("net: bring up eth0: %m");
	if (netlink_route_default(n->gw) != 0)
		return fail_host("net: default route: %m");
	return 0;
	/* END LAB */
}

void network_release(json_t *c)
{
	const char *veth = state_str(c, "veth"), *ip = state_str(c, "ip_address");
	if (!*veth && !*ip)
		return;
	int lock = lease_lock();
	if (lock < 0) {
		warn("warning: %s; the network of container %s is not released",
		     fail_last.msg, state_str(c, "id"));
		return;
	}
	ports_release(c); /* day 10: its published ports (-p) */
	/* The veth: not deleted here. A veth pair goes with the network
	 * namespace of either end, and the container's went with its last
	 * process: the kernel's clean-up worker (cleanup_net) deletes the pair
	 * a few ms later, off the user's path. Deleting it here ourselves
	 * waits for an RCU grace period inside the kernel, ~25 ms of a
	 * bridged run (docs/bench.md). Whoever releases a container calls this
	 * once its processes are gone (container.h), so the pair always goes. */
	(void)veth;
	if (*ip)
		lease_release(ip, state_str(c, "id"));
	/* The bridge and the subnet's rules stay for the next container:
	 * they are the host's set-up now, until `tdg network rm`. */
	lease_unlock(lock);
}

/* How many addresses are held in the subnets BRIDGE serves: those of its
 * own addresses (its gateways), whoever made it. The lease lock is held:
 * no container takes one meanwhile. */
static int bridge_users(const char *bridge)
{
	struct ifaddrs *all, *a;
	int n = 0;
	if (getifaddrs(&all) != 0)
		return lease_count(); /* cannot tell: every lease counts */
	for (a = all; a; a = a->ifa_next) {
		if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || !a->ifa_netmask ||
		    strcmp(a->ifa_name, bridge) != 0)
			continue;
		uint32_t mask = ((struct sockaddr_in *)a->ifa_netmask)->sin_addr.s_addr;
		struct subnet sn = {
			.net.s_addr = ((struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr & mask,
			.prefix = __builtin_popcount(mask),
		};
		if (sn.prefix >= 16 && sn.prefix <= 29)
			n += lease_count_in(&sn);
	}
	freeifaddrs(all);
	return n;
}

/* Remove BRIDGE's notes, and the folder that holds them. */
static void notes_remove(const char *bridge)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	note_path(dir, sizeof dir, bridge, NULL);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

int network_remove(char *what, size_t size)
{
	const char *bridge = network_bridge();
	what[0] = '\0';
	if (!bridge)
		return -1;
	int lock = lease_lock();
	if (lock < 0)
		return -1;
	int rc = -1;
	int users = bridge_users(bridge), ports = netlink_bridge_ports(bridge);
	/* A container that has just ended holds no lease any more, but its
	 * veth is still on the bridge for a few ms: the kernel deletes the
	 * pair with its network namespace, in a worker (network_release()).
	 * With no lease held, wait for that, 2 s at most (under the lock: no
	 * new container attaches meanwhile). */
	for (int i = 0; users == 0 && ports > 0 && i < 200; i++) {
		usleep(10 * 1000);
		ports = netlink_bridge_ports(bridge);
	}
	if (users > 0 || ports > 0) {
		fail_with("network rm: %s is in use by %d container(s); stop them first (tdg ps)",
			  bridge, users > ports ? users : ports);
		goto out;
	}
	char tagged[40];
	snprintf(tagged, sizeof tagged, " %s ", bridge);
	int rules = nat_count_matching("--comment tdg ", tagged);
	nat_teardown(bridge);
	bool had = if_nametoindex(bridge) != 0;
	if (had && netlink_link_delete(bridge) != 0) {
		fail_host("network rm: delete %s: %m", bridge);
		goto out;
	}
	notes_remove(bridge);
	/* ip_forward is the host's: back as tdg found it once no bridge of
	 * tdg's is left. */
	DIR *d = opendir(BRIDGES_DIR);
	struct dirent *e;
	bool others = false;
	while (d && (e = readdir(d)))
		others = others || e->d_name[0] != '.';
	if (d)
		closedir(d);
	if (!others)
		nat_forward_restore();
	if (rules > 0)
		snprintf(what, size, "%s%s%d iptables rule%s tagged tdg", had ? bridge : "",
			 had ? " and " : "", rules, rules == 1 ? "" : "s");
	else if (had)
		snprintf(what, size, "%s", bridge);
	rc = 0;
out:
	lease_unlock(lock);
	return rc;
}

int network_describe(char *out, size_t size)
{
	const char *bridge = network_bridge();
	char dir[PATH_MAX], subnets[256] = "", tagged[40];
	out[0] = '\0';
	if (!bridge || !if_nametoindex(bridge))
		return 1;
	note_path(dir, sizeof dir, bridge, NULL);
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t off = 0;
	int nsub = 0;
	unsigned index = if_nametoindex(bridge);
	char path[PATH_MAX * 2];
	while (d && (e = readdir(d))) {
		/* a note of an earlier bridge of that name (ifindex) is stale */
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || note_read(path) != index)
			continue;
		if (off + strlen(e->d_name) + 2 < sizeof subnets) {
			off += (size_t)snprintf(subnets + off, sizeof subnets - off, "%s%s",
						nsub++ ? ", " : "", e->d_name);
			char *dash = strrchr(subnets, '-');
			if (dash)
				*dash = '/';
		}
	}
	if (d)
		closedir(d);
	snprintf(tagged, sizeof tagged, " %s ", bridge);
	int rules = nat_count_matching("--comment tdg ", tagged);
	int ports = netlink_bridge_ports(bridge);
	snprintf(out, size, "bridge %s (subnet %s), %d iptables rules tagged tdg, %d container%s on it",
		 bridge, nsub ? subnets : "none noted: the next bridged run completes it", rules,
		 ports, ports == 1 ? "" : "s");
	if (rules < 0)
		return -1;
	/* Per bridge 3 (FORWARD in and out, 127.0.0.0/8), per subnet 2; with
	 * no note, the next run makes what is missing. */
	return nsub == 0 || rules >= 3 + 2 * nsub;
}
