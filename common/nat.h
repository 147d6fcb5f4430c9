/* nat.h — letting bridged containers out, as Docker does.           (day 09)
 *
 * Containers have private addresses behind the bridge. For their packets
 * to leave the host, the kernel must forward them (net.ipv4.ip_forward)
 * and rewrite their source to the host's address on the way out
 * (MASQUERADE in the nat table's POSTROUTING chain); the filter table's
 * FORWARD chain must let them through. Each rule carries the comment "tdg"
 * (a container's own rules, day 10's -p, "tdg-<id>"), so that
 * `iptables-save | grep tdg` shows every one of them.
 *
 * tdg writes the rules as iptables-save prints them and hands them to ONE
 * `iptables-restore --noflush` per change: one process and one kernel
 * transaction (all of the rules or none), where `iptables -A` per rule was
 * a process and a transaction each. Docker still runs iptables per rule;
 * podman's netavark talks nftables over netlink; tdg links statically and
 * Debian ships no static libnftables, so this is the batch within reach
 * (docs/bench.md has the figures). */
#ifndef TDG_NAT_H
#define TDG_NAT_H

#include <stddef.h>

/* The subnet-wide rules for SUBNET ("10.10.0.0/24") behind BRIDGE: the
 * way out (MASQUERADE), FORWARD in and out, and the two that let replies
 * to a published port (day 10's -p) find their way back. Adds those that
 * are not there yet (one iptables-save to look, one iptables-restore to
 * add) and turns forwarding on. -1 with the failure recorded (fail_host:
 * iptables missing, a rule refused). The caller holds lease_lock(). */
int nat_setup(const char *bridge, const char *subnet);

/* Remove every rule tagged "tdg" that names BRIDGE (of any subnet that
 * used it), in one transaction. Never fails: warns about what it could
 * not undo. The caller holds lease_lock(). */
void nat_teardown(const char *bridge);

/* Put ip_forward back as tdg found it (if tdg turned it on), once no
 * bridge of tdg's is left. */
void nat_forward_restore(void);

/* (day 10) RULES, in iptables-save's words ("*nat\n-A ...\nCOMMIT\n"), as
 * one transaction: `iptables-restore --noflush`. Its status (0: all made;
 * 127: no iptables), the first line it printed on stderr into ERR; -1 if it
 * could not be started (recorded). Records nothing else: a release calls
 * it too, and must not overwrite the failure being reported. The caller
 * holds lease_lock() (the rules go through a file in TDG_NETWORK_DIR). */
int nat_restore(const char *rules, char *err, size_t errsize);

/* (day 10) Delete, in one transaction, every rule whose iptables-save line
 * contains NEEDLE (and ALSO, unless NULL), in the nat and filter tables.
 * Warns about any it could not delete. */
void nat_delete_matching(const char *needle, const char *also);

/* How many rules iptables-save shows that contain NEEDLE (and ALSO);
 * -1 if it cannot tell (no iptables). doctor and `network rm` count them. */
int nat_count_matching(const char *needle, const char *also);

#endif
