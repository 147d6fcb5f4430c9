/* netlink.h — talking to the kernel's network stack.                (day 08)
 *
 * `ip link`, `ip addr` and `ip route` are front ends to rtnetlink, a socket
 * protocol to the kernel. tdg speaks it directly through libnl-route-3
 * instead of running `ip` for every step: no fork and exec per change, and
 * errors come back as errno values, not text to parse. Each call acts in
 * the network namespace of the calling process. */
#ifndef TDG_NETLINK_H
#define TDG_NETLINK_H

#include <netinet/in.h>
#include <sys/types.h>

/* `ip link set IFNAME up`. Returns 0, or -1 with a reason in errno
 * (like every function here). */
int netlink_link_up(const char *ifname);

/* (day 09) `ip link add NAME type bridge; ip addr add GW/PREFIX dev NAME;
 * ip link set NAME up`, each step fine if already done: several tdg may
 * race to make the bridge, and all of them must find it right. */
int netlink_bridge_ensure(const char *name, struct in_addr gw, int prefix);

/* (day 09) How many links have BRIDGE as their master (its ports); -1 if
 * there is no such bridge. */
int netlink_bridge_ports(const char *bridge);

/* (day 09) `ip link del NAME`; 0 if it is gone or never was. */
int netlink_link_delete(const char *name);

/* (day 09) One request: `ip link add HOST_END master BRIDGE up type veth
 * peer name PEER_END netns PID`. The peer is created directly inside the
 * network namespace of process PID (moving it there afterwards costs ~80
 * times more), so PEER_END can be "eth0" without clashing with the host's.
 * The peer's MAC is derived from PEER_IP, its address-to-be (02:74:64 and
 * its last three bytes, as the bridge's is from the gateway's). */
int netlink_veth_create(const char *host_end, const char *bridge,
			const char *peer_end, struct in_addr peer_ip, pid_t pid);

/* (day 10) `ip neigh del ADDR dev DEV`: forget the MAC address the host
 * learnt for ADDR (ARP). A container started again (run --restart) has the
 * same address on a new eth0, with a new MAC; the old entry would send its
 * packets nowhere until it went stale, for half a minute or more. 0 if
 * nothing was cached. */
int netlink_neigh_forget(const char *dev, struct in_addr addr);

/* (day 09) `ip addr add ADDR/PREFIX dev IFNAME`. */
int netlink_addr_add(const char *ifname, struct in_addr addr, int prefix);

/* (day 09) `ip route add default via GW`. */
int netlink_route_default(struct in_addr gw);

#endif
