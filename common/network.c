/* network.c — see network.h.                                         (day 09) */
#include "network.h"
#include "fail.h"
#include "nat.h"
#include "netlink.h"
#include "ports.h"
#include "state.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	char sub[32], ip[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
	int held[2] = {-1, -1}, rc = -1;

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
	static const char *const keys[] = {"network", "subnet", "ip_address",
					   "gateway", "veth", NULL};
	if (state_record_locked(c, keys) != 0) /* before the lease: see lease_find */
		goto out;
	if (lease_claim(n->addr, id) != 0) {
		fail_with("net: lease of %s: %m", ip);
		goto out;
	}
	if (netlink_bridge_ensure(TDG_BRIDGE, n->gw, n->subnet.prefix) != 0) {
		fail_host("net: bridge %s with %s/%d: %m%s", TDG_BRIDGE, gw, n->subnet.prefix,
			  errno == EEXIST ? "; td0 has another subnet's address" : "");
		goto out;
	}
	if (nat_setup(TDG_BRIDGE, sub) != 0) {
		fail_context("net");
		goto out;
	}
	rc = 0;
out:
	network_unlock(held);
	return rc == 0 ? etc_files(n, c, ip) : rc;
}

int network_attach(struct network *n, pid_t pid)
{
	return netlink_veth_create(n->veth, TDG_BRIDGE, "eth0", pid);
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
	/* The veth usually went with the container's namespace already; its
	 * host end may outlive it briefly, or be all that is left. */
	if (*veth && netlink_link_delete(veth) != 0)
		warn("warning: net: delete %s: %m", veth);
	if (*ip)
		lease_release(ip, state_str(c, "id"));
	/* The last container off the bridge takes the bridge and the rules
	 * with it: nothing of tdg stays on the host. */
	if (lease_count() == 0 && netlink_bridge_ports(TDG_BRIDGE) <= 0) {
		nat_teardown(TDG_BRIDGE);
		if (netlink_link_delete(TDG_BRIDGE) != 0)
			warn("warning: net: delete %s: %m", TDG_BRIDGE);
	}
	lease_unlock(lock);
}
