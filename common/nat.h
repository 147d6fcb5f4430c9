/* nat.h — letting bridged containers out, as Docker does.           (day 09)
 *
 * Containers have private addresses behind the bridge. For their packets
 * to leave the host, the kernel must forward them (net.ipv4.ip_forward)
 * and rewrite their source to the host's address on the way out
 * (MASQUERADE in the nat table's POSTROUTING chain); the filter table's
 * FORWARD chain must let them through. tdg runs iptables for that, like
 * Docker; each rule carries the comment "tdg" so anyone can find it. */
#ifndef TDG_NAT_H
#define TDG_NAT_H


/* Add the rules for SUBNET ("10.10.0.0/24") behind BRIDGE, each only if
 * it is not there yet (iptables -C first), and turn forwarding on. -1
 * with the failure recorded (fail_host: iptables missing, a rule refused). */
int nat_setup(const char *bridge, const char *subnet);

/* Remove every rule tagged "tdg" that names BRIDGE (of any subnet that
 * used it), and put ip_forward back as tdg found it. Never fails: warns
 * about what it could not undo. */
void nat_teardown(const char *bridge);

/* (day 10) iptables -w -t R[0] -ACTION R[1] R[2]... (R ends with NULL),
 * no shell in between: its exit status, 127 if iptables is missing, -1
 * (recorded) if it could not be started. */
int nat_rule(char action, char *const r[]);

/* (day 10) Delete every rule of TABLE whose `iptables -S` line contains
 * NEEDLE (and ALSO, unless NULL). Warns about any it could not delete. */
void nat_delete_matching(const char *table, const char *needle, const char *also);

#endif
