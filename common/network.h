/* network.h — a bridged container's network, from start to end.    (day 09)
 *
 *   host                                    container (own network namespace)
 *   +-----------------------------------+   +-------------------------------+
 *   | td0  bridge, 10.10.0.1/24 (gw)    |   | eth0  10.10.0.2/24            |
 *   |  '-- td<id>  veth, host end  <----+---+-> veth, the peer              |
 *   | iptables: MASQUERADE 10.10.0.0/24 |   | default via 10.10.0.1         |
 *   +-----------------------------------+   +-------------------------------+
 *
 * Two kinds of things, with two lives:
 *   - the host set-up: the bridge, its address and the subnet's rules
 *     (nat.h). Made by the first bridged container, then KEPT, as Docker
 *     keeps docker0: making and removing them cost a bridged run ~100 ms
 *     (docs/bench.md). A note per subnet, /run/tdg/network/bridges/td0/
 *     10.10.0.0-24, holding the bridge's ifindex, tells the next run they
 *     are made (a bridge removed and made again by someone else has
 *     another ifindex: then they are made again). `tdg network rm`
 *     (network_remove) takes them away; `tdg doctor` shows them;
 *   - what names one container: its address, its veth (and day 10's -p
 *     rules). Each is recorded in the container's metadata before it is
 *     made ("ip_address", "veth", ...), so network_release() can undo
 *     exactly that, whoever calls it and however the container ended. */
#ifndef TDG_NETWORK_H
#define TDG_NETWORK_H

#include "lease.h"

#include <jansson.h>
#include <sys/types.h>

#define TDG_BRIDGE "td0" /* TDG_BRIDGE in the environment: another name */
#define TDG_DEFAULT_SUBNET "10.10.0.0/24"

/* The bridge's name: $TDG_BRIDGE (a test's private bridge), or td0. NULL
 * with the failure recorded if TDG_BRIDGE is not a name tdg would use. */
const char *network_bridge(void);

struct network {
	struct subnet subnet;	 /* TDG_SUBNET, or 10.10.0.0/24 */
	struct in_addr addr, gw; /* the container's address, the bridge's */
	char veth[16];		 /* host end: "td" + the id (15 chars at most) */
	char etc[3][4096];	 /* host files to bind over /etc/{hosts,resolv.conf,hostname} */
};

/* Before clone: an address, the host set-up (made if missing), and the
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

/* Undo what C's record says it holds: the veth, the lease, its -p rules.
 * The host set-up stays. Never fails: warns about what it could not undo.
 * Takes lease_lock(): call it holding no lease lock (the container's own
 * lock may be held). */
void network_release(json_t *c);

/* `tdg network rm`: remove the host set-up of the bridge (network_bridge()):
 * its rules, the bridge, the notes, and ip_forward as tdg found it once no
 * bridge of tdg is left. Refused (-1, recorded) while a container holds an
 * address on it. Nothing set up is not an error. Into WHAT (SIZE bytes),
 * one line of what it removed ("" if nothing). Takes lease_lock(). */
int network_remove(char *what, size_t size);

/* For doctor: the bridge's host set-up in one line into OUT ("" if there
 * is no bridge); 1 if it looks whole, 0 if rules are missing, -1 if
 * iptables cannot tell. */
int network_describe(char *out, size_t size);

/* Lock container ID's record, then the host's network: state_lock(ID),
 * then lease_lock(), in the order of state.h. HELD receives both fds.
 * -1 with the failure recorded (then neither is held). network_prepare()
 * and ports_publish() take them to record a resource before they make it. */
int network_lock(const char *id, int held[2]);
void network_unlock(const int held[2]);

#endif
