/* netlink.h — talking to the kernel's network stack.                (day 08)
 *
 * `ip link`, `ip addr` and `ip route` are front ends to rtnetlink, a socket
 * protocol to the kernel. tdg speaks it directly through libnl-route-3
 * instead of running `ip` for every step: no fork and exec per change, and
 * errors come back as errno values, not text to parse. Each call acts in
 * the network namespace of the calling process. */
#ifndef TDG_NETLINK_H
#define TDG_NETLINK_H

/* `ip link set IFNAME up`. Returns 0, or -1 with a reason in errno. */
int netlink_link_up(const char *ifname);

#endif
