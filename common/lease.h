/* lease.h — an address for each bridged container.                  (day 09)
 *
 * The bridge's subnet (10.10.0.0/24 unless TDG_SUBNET says otherwise) has
 * the gateway at .1, on the bridge itself; containers get the others. The
 * store is a registry (registry.h), /run/tdg/network/leases/, with one file
 * per address in use, named after the address and holding the container's
 * id: `ls` shows who has what. Taking the lowest free one happens under
 * flock(), so two containers starting at once never get the same address.
 * It is host-wide, like the bridge (every TDG_ROOT shares td0), and lives
 * in /run, a tmpfs: after a reboot there is no bridge and no lease either.
 *
 * The lease lock is the last of tdg's locks (state.h has the order):
 * state_lock_all(), then state_lock(id), then lease_lock(). A bridged run
 * takes its container's lock before this one, to record what it is about
 * to take while it holds both; whoever releases a container (reconcile,
 * rm) holds the container's lock and then takes this one. */
#ifndef TDG_LEASE_H
#define TDG_LEASE_H

#include <netinet/in.h>

/* Host-wide network state: leases, the lock, what ip_forward was. */
#define TDG_NETWORK_DIR "/run/tdg/network"
#include <stddef.h>

struct subnet {
	struct in_addr net; /* network address, host bits zero */
	int prefix;	    /* 16..29 */
};

/* "10.10.0.0/24" into OUT; -1 with the reason recorded (fail.h), e.g.
 * "the prefix must be from /16 to /29". */
int subnet_parse(const char *s, struct subnet *out);

/* The gateway: the subnet's first address (.1). */
struct in_addr subnet_gateway(const struct subnet *sn);

/* Lock the store (flock on its folder); every call below needs it held,
 * and the bridge and the published ports (ports.h) are made and removed
 * under it too. Returns the fd, or -1 with the failure recorded. Never
 * take it twice: a second flock() on a new open file waits for the first,
 * even in the same process. */
int lease_lock(void);
void lease_unlock(int fd);

/* The lowest free address of SN, into OUT (an empty lease file holds
 * none: registry.h); -1 with errno ENOSPC when every address is taken.
 * Taking it is two steps, both under the lock: the caller first records
 * OUT in the container's metadata, then claims it, so a tdg killed at any
 * point leaves a lease only where its record says it has one, and
 * whoever finds it dead releases it. */
int lease_find(const struct subnet *sn, struct in_addr *out);

/* Make ADDR's lease file, holding ID (registry_claim). -1 with errno
 * (EEXIST: taken) and the failure recorded. */
int lease_claim(struct in_addr addr, const char *id);

/* Give ADDR back, if ID holds it (a stale call never frees another's),
 * or if its file names nobody (an older tdg died before writing the id).
 * Never fails. */
void lease_release(const char *addr, const char *id);

/* How many leases are held. */
int lease_count(void);

/* How many addresses of SN are held (`tdg network rm` asks, under the
 * lock, whether a container still uses a bridge's subnet). */
int lease_count_in(const struct subnet *sn);

#endif
