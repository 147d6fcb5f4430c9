/* nftrules.h — a published port's rules, made over netlink.          (day 10)
 *
 * `iptables` on Debian and Ubuntu is iptables-nft: it turns each rule into
 * nftables expressions and sends them to the kernel over netlink, into the
 * nftables table `ip nat` it manages. `iptables-restore` costs a fork and
 * an exec of a dynamically linked program that loads its extensions and
 * reads the table before it sends anything: ~2 ms, twice per `run -p`
 * (add, delete), which was most of what `-p` cost over a bridged run.
 *
 * For the one kind of rule day 10 makes per container, the DNAT of a
 * published port, tdg sends the very same expressions itself, in one
 * transaction per change. `iptables -t nat -S` shows them exactly as if
 * iptables had made them (it reads them back from the kernel), so the
 * lessons, the leak checks and `iptables -D` see no difference:
 *
 *   -A PREROUTING -p tcp -m tcp --dport 8080 -m addrtype --dst-type LOCAL
 *      -m comment --comment tdg-<id> -j DNAT --to-destination 10.10.0.2:80
 *
 * is, as iptables-nft 1.8 writes it (`nft --debug=netlink list table ip nat`):
 *
 *   [ meta load l4proto => reg 1 ]       [ cmp eq reg 1 0x06 ]       -p tcp
 *   [ payload load 2b @ transport header + 2 => reg 1 ]
 *   [ cmp eq reg 1 0x901f ]                                   --dport 8080
 *   [ match name addrtype rev 1 ]           --dst-type LOCAL (xt, as is)
 *   [ match name comment rev 0 ]            --comment tdg-<id>
 *   [ counter ]                             (iptables counts every rule)
 *   [ target name DNAT rev 2 ]              --to-destination (xt, as is)
 *
 * "match" and "target" carry the old iptables extension's own struct
 * (nft_compat): the kernel runs the same addrtype and DNAT code either way.
 * Anything else (another kind of line, an iptables-legacy host whose
 * nftables has no `ip nat` table) is not ours to send: the caller uses
 * iptables-restore, which is always right, just slower. */
#ifndef TDG_NFTRULES_H
#define TDG_NFTRULES_H

/* RULES, in iptables-save's words ("*nat\n-A ...\nCOMMIT\n"), if every
 * line is a published port's DNAT of the shape above: "-A" lines added in
 * one transaction; "-D" lines delete, in one transaction, the rules of
 * their chains that carry their comment (a container's rules all carry
 * its tag, and go together). Returns 1 if done; 0 if RULES are not all
 * of that kind, or the kernel refused before changing anything (no such
 * table or chain: iptables-restore makes them): then nothing was changed;
 * -1 (with errno) if a "-D" found fewer rules than it names, after
 * deleting those it found. Records no failure (nat.h). */
int nftrules_restore(const char *rules);

#endif
