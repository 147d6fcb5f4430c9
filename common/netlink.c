/* netlink.c — see netlink.h.                                         (day 08) */
#include "netlink.h"

#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

/* libnl reports its own error numbers; the nearest errno is what tdg's
 * messages print (through %m). */
static int fail(int nlerr)
{
	errno = nlerr == -NLE_OBJ_NOTFOUND ? ENODEV
		: nlerr == -NLE_PERM	   ? EPERM
		: nlerr == -NLE_EXIST	   ? EEXIST
		: nlerr == -NLE_BUSY	   ? EBUSY
					   : EIO;
	return -1;
}

int netlink_link_up(const char *ifname)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *link = NULL, *change = NULL;
	int err = -NLE_NOMEM;

	if (!sk || (err = nl_connect(sk, NETLINK_ROUTE)) < 0)
		goto out;
	if ((err = rtnl_link_get_kernel(sk, 0, ifname, &link)) < 0)
		goto out;
	change = rtnl_link_alloc();
	if (!change) {
		err = -NLE_NOMEM;
		goto out;
	}
	rtnl_link_set_flags(change, IFF_UP);
	err = rtnl_link_change(sk, link, change, 0);
out:
	rtnl_link_put(change);
	rtnl_link_put(link);
	nl_socket_free(sk);
	return err < 0 ? fail(err) : 0;
}

/* tdg is linked statically (see the Makefile: the watcher stays small).
 * libnl's address and protocol helpers refer to getaddrinfo() and
 * getprotobyname(), which tdg never calls. In a static binary glibc's
 * versions would drag in NSS, which cannot work there (it loads shared
 * libraries at run time), and the linker warns about exactly that. These
 * definitions, linked in with this file, take their place: tdg works with
 * numeric addresses only, and a lookup by name fails cleanly. */
int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res)
{
	(void)node, (void)service, (void)hints;
	*res = NULL;
	return EAI_FAIL;
}

void freeaddrinfo(struct addrinfo *res)
{
	(void)res;
}

struct protoent *getprotobyname(const char *name)
{
	(void)name;
	return NULL;
}

struct protoent *getprotobynumber(int proto)
{
	(void)proto;
	return NULL;
}
