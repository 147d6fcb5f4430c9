/* ports.h — publishing a container's port on the host (`-p`).      (day 10)
 *
 * A bridged container's address (10.10.0.2) is private to the host. To
 * reach its port 80 as the host's port 8080, tdg does what Docker does
 * without its userland proxy: destination NAT in the kernel.
 *
 *   nat PREROUTING  (packets arriving: other hosts, other containers)
 *   nat OUTPUT      (packets the host itself sends, 127.0.0.1 included)
 *       -p tcp --dport 8080 -m addrtype --dst-type LOCAL
 *       -j DNAT --to-destination 10.10.0.2:80
 *
 * Three more rules, shared by every published port, are part of the host
 * set-up (network.h, nat.h), made once with the bridge: FORWARD accepts
 * what DNAT sent into the bridge (-m conntrack --ctstate DNAT), and two
 * MASQUERADEs make the replies find their way back. A client on 127.0.0.1
 * has a source address that must never leave the host, and a client
 * container on the same bridge would get the answer straight from the
 * server's address, not the one it called; MASQUERADE gives both the
 * bridge's address as their source (127.0.0.1 may be routed out of td0 at
 * all only with route_localnet, set on td0 with it). A container's own
 * rules are made, and deleted, in one transaction each: over netlink,
 * as iptables-nft writes them (nftrules.h), or by iptables-restore.
 * Each container's rules carry the comment "tdg-<id>", so releasing them
 * is exact; a host-wide registry (registry.h: /run/tdg/network/ports/
 * tcp-8080 holding the id, under the lease lock) tells two containers
 * apart that want the same port. */
#ifndef TDG_PORTS_H
#define TDG_PORTS_H

#include <jansson.h>
#include <netinet/in.h>
#include <stddef.h>

struct port {
	unsigned short host, ctr; /* 1..65535 */
	char proto[4];		  /* "tcp" or "udp" */
};

/* "HOST:CTR[/tcp|/udp]" into OUT; -1 with the reason recorded (fail.h),
 * e.g. "the protocol must be tcp or udp". */
int ports_parse(const char *spec, struct port *out);

/* The spec back, "8080:80/tcp", as the metadata records it. */
void ports_format(const struct port *p, char *out, size_t size);

/* Publish the N ports of bridged container C: checked (free, not twice),
 * recorded in C's metadata first, so network_release() can undo them
 * whatever happens next, and claimed in the registry. -1 with the failure
 * recorded if a port is taken; no lock is held by then. */
int ports_publish(json_t *c, const struct port *p, int n);

/* Then, once the container exists and has its address ADDR: container
 * ID's rules, in one transaction, made while the container sets itself up
 * (it waits for them before its command). The replies' rules are the host
 * set-up's (nat.h). -1 with the failure recorded. */
int ports_make_rules(const char *id, const struct port *p, int n, struct in_addr addr);

/* After network_attach(): let the bridge send a frame back out of the port
 * it came in on (VETH's "hairpin" mode). Where bridged traffic also passes
 * iptables (br_netfilter, as Docker hosts have), a container calling its
 * own published port through the bridge's address needs that: the DNAT
 * happens while the bridge forwards, and the answer is for the same port.
 * -1 with errno on failure. */
int ports_hairpin(const char *veth);

/* Remove C's rules and registry entries (the lease lock held: it is
 * network_release()'s). Never fails: warns about what it could not. */
void ports_release(json_t *c);

#endif
