/* network.h — a bridged container's network, from start to end.    (day 09)
 *
 *   host                                    container (own network namespace)
 *   +-----------------------------------+   +-------------------------------+
 *   | td0  bridge, 10.10.0.1/24 (gw)    |   | eth0  10.10.0.2/24            |
 *   |  '-- td<id>  veth, host end  <----+---+-> veth, the peer              |
 *   | iptables: MASQUERADE 10.10.0.0/24 |   | default via 10.10.0.1         |
 *   +-----------------------------------+   +-------------------------------+
 *
 * Every piece is recorded in the container's metadata before it is made
 * ("ip_address", "veth", ...), so network_release() can undo exactly
 * that, whoever calls it and however the container ended. */
#ifndef TDG_NETWORK_H
#define TDG_NETWORK_H

#include "lease.h"

#include <jansson.h>
#include <sys/types.h>

#define TDG_BRIDGE "td0"
#define TDG_DEFAULT_SUBNET "10.10.0.0/24"

struct network {
	struct subnet subnet;	 /* TDG_SUBNET, or 10.10.0.0/24 */
	struct in_addr addr, gw; /* the container's address, the bridge's */
	char veth[16];		 /* host end: "td" + the id (15 chars at most) */
	char etc[3][4096];	 /* host files to bind over /etc/{hosts,resolv.conf,hostname} */
};

/* Before clone: an address, the bridge and NAT (made if missing), and the
 * container's /etc/hosts, resolv.conf and hostname in its state folder.
 * -1 with the failure recorded; what it made is in C's record by then,
 * for the caller's network_release() (no lock is held any more). */
int network_prepare(struct network *n, json_t *c);

/* After clone, while the child waits: the veth pair, its peer made as
 * "eth0" directly inside the namespace of PID. -1 with errno on failure. */
int network_attach(struct network *n, pid_t pid);

/* In the child, once attached: lo and eth0 up, the address, the default
 * route via the bridge. -1 with the failure recorded. */
int network_configure_inside(const struct network *n);

/* Undo what C's record says it holds: the veth, the lease and, once no
 * container is left on the bridge, the bridge and its NAT rules. Never
 * fails: warns about what it could not undo. Takes lease_lock(): call it
 * holding no lease lock (the container's own lock may be held). */
void network_release(json_t *c);

/* Lock container ID's record, then the host's network: state_lock(ID),
 * then lease_lock(), in the order of state.h. HELD receives both fds.
 * -1 with the failure recorded (then neither is held). network_prepare()
 * and ports_publish() take them to record a resource before they make it. */
int network_lock(const char *id, int held[2]);
void network_unlock(const int held[2]);

#endif
