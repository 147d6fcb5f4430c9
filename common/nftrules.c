/* nftrules.c — see nftrules.h.                                       (day 10) */
#include "nftrules.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/close_range.h>
#include <linux/membarrier.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_RULES 128 /* two per port, 32 ports (day 10), and room */

/* One line of RULES, understood. */
struct dnat {
	bool add;		/* -A (else -D) */
	char chain[16];		/* PREROUTING or OUTPUT */
	unsigned char proto;	/* IPPROTO_TCP or IPPROTO_UDP */
	unsigned short dport;	/* the host's port */
	struct in_addr to;	/* the container's address */
	unsigned short to_port; /* its port */
	char comment[XT_MAX_COMMENT_LEN];
};

/* "-A PREROUTING -p tcp -m tcp --dport 8080 -m addrtype --dst-type LOCAL
 * -m comment --comment TAG -j DNAT --to-destination 10.10.0.2:80" (ports.c
 * writes it; the options in any order). 0, or -1: not a line we know. */
static int parse_line(char *line, struct dnat *d)
{
	memset(d, 0, sizeof *d);
	bool local = false, dnat = false, have_to = false;
	char *save = NULL, *tok = strtok_r(line, " ", &save);
	if (!tok || (strcmp(tok, "-A") != 0 && strcmp(tok, "-D") != 0))
		return -1;
	d->add = tok[1] == 'A';
	tok = strtok_r(NULL, " ", &save);
	if (!tok || (strcmp(tok, "PREROUTING") != 0 && strcmp(tok, "OUTPUT") != 0))
		return -1;
	snprintf(d->chain, sizeof d->chain, "%s", tok);
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *arg = strtok_r(NULL, " ", &save);
		if (!arg)
			return -1;
		if (strcmp(tok, "-p") == 0 && (strcmp(arg, "tcp") == 0 || strcmp(arg, "udp") == 0))
			d->proto = arg[0] == 't' ? IPPROTO_TCP : IPPROTO_UDP;
		else if (strcmp(tok, "-m") == 0 && (strcmp(arg, "tcp") == 0 || strcmp(arg, "udp") == 0 ||
						   strcmp(arg, "addrtype") == 0 || strcmp(arg, "comment") == 0))
			continue; /* the module of the option that follows */
		else if (strcmp(tok, "--dport") == 0)
			d->dport = (unsigned short)atoi(arg);
		else if (strcmp(tok, "--dst-type") == 0 && strcmp(arg, "LOCAL") == 0)
			local = true;
		else if (strcmp(tok, "--comment") == 0 && strlen(arg) < sizeof d->comment)
			snprintf(d->comment, sizeof d->comment, "%s", arg);
		else if (strcmp(tok, "-j") == 0 && strcmp(arg, "DNAT") == 0)
			dnat = true;
		else if (strcmp(tok, "--to-destination") == 0) {
			char *colon = strchr(arg, ':');
			if (!colon)
				return -1;
			*colon = '\0';
			d->to_port = (unsigned short)atoi(colon + 1);
			have_to = inet_pton(AF_INET, arg, &d->to) == 1;
		} else
			return -1;
	}
	return d->proto && d->dport && local && dnat && have_to && d->to_port && d->comment[0]
		       ? 0
		       : -1;
}

/* ---- messages (libnl builds and parses them; one batch = one buffer) */

static struct nl_msg *message(int type, int flags, int family)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, NLM_F_REQUEST | flags);
	struct nfgenmsg g = {.nfgen_family = (unsigned char)family, .version = NFNETLINK_V0};
	if (type == NFNL_MSG_BATCH_BEGIN || type == NFNL_MSG_BATCH_END)
		g.res_id = htons(NFNL_SUBSYS_NFTABLES); /* the batch is for nf_tables */
	if (m && nlmsg_append(m, &g, sizeof g, NLMSG_ALIGNTO) < 0) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

/* One expression: [ NAME ] with its attributes, put by the caller between
 * expr_begin() and expr_end(). */
static struct nlattr *expr_begin(struct nl_msg *m, const char *name, struct nlattr **data)
{
	struct nlattr *elem = nla_nest_start(m, NLA_F_NESTED | NFTA_LIST_ELEM);
	nla_put_string(m, NFTA_EXPR_NAME, name);
	*data = nla_nest_start(m, NLA_F_NESTED | NFTA_EXPR_DATA);
	return elem;
}

static void expr_end(struct nl_msg *m, struct nlattr *elem, struct nlattr *data)
{
	nla_nest_end(m, data);
	nla_nest_end(m, elem);
}

static void put_be32(struct nl_msg *m, int type, uint32_t v)
{
	nla_put_u32(m, type, htonl(v));
}

/* [ cmp eq reg 1 VALUE ] */
static void cmp_eq(struct nl_msg *m, const void *value, int len)
{
	struct nlattr *data, *e = expr_begin(m, "cmp", &data);
	put_be32(m, NFTA_CMP_SREG, NFT_REG_1);
	put_be32(m, NFTA_CMP_OP, NFT_CMP_EQ);
	struct nlattr *v = nla_nest_start(m, NLA_F_NESTED | NFTA_CMP_DATA);
	nla_put(m, NFTA_DATA_VALUE, len, value);
	nla_nest_end(m, v);
	expr_end(m, e, data);
}

/* An iptables extension, as is: "match" or "target" NAME, revision REV,
 * its struct INFO (the kernel wants it padded to XT_ALIGN). */
static void xt(struct nl_msg *m, const char *kind, const char *name, int rev, const void *info,
	       size_t size)
{
	char buf[XT_ALIGN(sizeof(struct xt_comment_info))] = {0};
	memcpy(buf, info, size);
	struct nlattr *data, *e = expr_begin(m, kind, &data);
	nla_put_string(m, NFTA_MATCH_NAME, name); /* NFTA_TARGET_* are the same numbers */
	put_be32(m, NFTA_MATCH_REV, (uint32_t)rev);
	nla_put(m, NFTA_MATCH_INFO, (int)XT_ALIGN(size), buf);
	expr_end(m, e, data);
}

/* The NEWRULE message of D, appended to its chain. */
static struct nl_msg *new_rule(const struct dnat *d)
{
	struct nl_msg *m = message(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE,
				   NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, NFPROTO_IPV4);
	if (!m)
		return NULL;
	nla_put_string(m, NFTA_RULE_TABLE, "nat");
	nla_put_string(m, NFTA_RULE_CHAIN, d->chain);
	struct nlattr *exprs = nla_nest_start(m, NLA_F_NESTED | NFTA_RULE_EXPRESSIONS), *data, *e;

	e = expr_begin(m, "meta", &data); /* -p */
	put_be32(m, NFTA_META_KEY, NFT_META_L4PROTO);
	put_be32(m, NFTA_META_DREG, NFT_REG_1);
	expr_end(m, e, data);
	cmp_eq(m, &d->proto, 1);

	e = expr_begin(m, "payload", &data); /* --dport: 2 bytes at offset 2 */
	put_be32(m, NFTA_PAYLOAD_DREG, NFT_REG_1);
	put_be32(m, NFTA_PAYLOAD_BASE, NFT_PAYLOAD_TRANSPORT_HEADER);
	put_be32(m, NFTA_PAYLOAD_OFFSET, 2);
	put_be32(m, NFTA_PAYLOAD_LEN, 2);
	expr_end(m, e, data);
	uint16_t port = htons(d->dport);
	cmp_eq(m, &port, 2);

	struct xt_addrtype_info_v1 at = {.dest = XT_ADDRTYPE_LOCAL};
	xt(m, "match", "addrtype", 1, &at, sizeof at);
	struct xt_comment_info ci = {{0}};
	snprintf(ci.comment, sizeof ci.comment, "%s", d->comment);
	xt(m, "match", "comment", 0, &ci, sizeof ci);

	e = expr_begin(m, "counter", &data);
	nla_put_u64(m, NFTA_COUNTER_BYTES, 0);
	nla_put_u64(m, NFTA_COUNTER_PACKETS, 0);
	expr_end(m, e, data);

	struct nf_nat_range2 r = {.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED};
	r.min_addr.ip = r.max_addr.ip = d->to.s_addr;
	r.min_proto.all = r.max_proto.all = htons(d->to_port);
	xt(m, "target", "DNAT", 2, &r, sizeof r);
	nla_nest_end(m, exprs);

	/* What the xt matches may ask of the rule: its -p (nft_compat) */
	struct nlattr *compat = nla_nest_start(m, NLA_F_NESTED | NFTA_RULE_COMPAT);
	put_be32(m, NFTA_RULE_COMPAT_PROTO, d->proto);
	put_be32(m, NFTA_RULE_COMPAT_FLAGS, 0);
	nla_nest_end(m, compat);
	return m;
}

/* ---- the socket */

/* Open, with a timeout on every answer: a kernel that says nothing must
 * not hang tdg. -1 with errno. */
static int open_socket(void)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (s < 0)
		return -1;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	struct timeval tv = {.tv_sec = 5};
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	return s;
}

/* The closer (below), with ARG the socket: keep nothing else of tdg's
 * open (a shell reading tdg's output to its end, or a watcher its pipes,
 * must not wait for us), wait for a grace period, end; the socket's last
 * copy closes with us. It shares tdg's memory, so it calls nothing but
 * thin wrappers of system calls. */
static int closer(void *arg)
{
	unsigned s = (unsigned)(intptr_t)arg;
	if (s > 0)
		close_range(0, s - 1, 0);
	close_range(s + 1, ~0U, 0);
	syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
	return 0;
}

/* Close S without waiting for the kernel. After rules are deleted, the
 * kernel frees them one RCU grace period later (nothing may still be
 * reading them), and whoever closes an nftables socket before then waits
 * for that free, 5-20 ms here, holding the lock every nftables change
 * takes: the user would wait, and the next `run -p` too. So a process
 * of ours keeps a copy of the socket, waits for a grace period without
 * any lock (membarrier(2): by then the frees are done), and closes it
 * last, off the user's path; our own close is then not the last one and
 * returns at once. tdg does it as it exits (get_socket()). The process
 * shares our memory (CLONE_VM): a fork() would copy tdg's page tables and
 * make every page tdg writes afterwards a copy-on-write fault (~1.3 ms of
 * `run -p` when the closer ran after each delete, mid-run). Its table of
 * open files is its own copy (no CLONE_FILES). */
static void close_later(int s)
{
	static char stack[16384] __attribute__((aligned(16))); /* one closer a process */
	char *top = stack + sizeof stack;
	/* pid < 0: no closer; then we wait ourselves, which is only slower */
	clone(closer, top, CLONE_VM | SIGCHLD, (void *)(intptr_t)s);
	close(s);
}

/* Read away what S still holds: the answers to a transaction cut short
 * by a refusal (the socket is kept for the next one, nftrules_restore). */
static void drain(int s)
{
	static char junk[4096];
	while (recv(s, junk, sizeof junk, MSG_DONTWAIT) > 0)
		;
}

/* MSGS as one batch: BEGIN, the changes, END in one buffer, sent in one
 * sendmsg (the kernel takes a batch only whole, from one message), with
 * sequence numbers 1..n+2. Into *BUF (malloc()ed) and *LEN; -1: ENOMEM. */
static int batch(struct nl_msg **msgs, int n, char **buf, size_t *len)
{
	struct nl_msg *all[MAX_RULES + 2] = {message(NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC)};
	for (int i = 0; i < n; i++)
		all[i + 1] = msgs[i];
	all[n + 1] = message(NFNL_MSG_BATCH_END, 0, AF_UNSPEC);
	*buf = NULL;
	*len = 0;
	if (all[0] && all[n + 1]) {
		for (int i = 0; i < n + 2; i++)
			*len += NLMSG_ALIGN(nlmsg_hdr(all[i])->nlmsg_len);
		*buf = calloc(1, *len);
	}
	for (size_t i = 0, off = 0; *buf && i < (size_t)n + 2; i++) {
		struct nlmsghdr *h = nlmsg_hdr(all[i]);
		h->nlmsg_seq = (uint32_t)i + 1;
		memcpy(*buf + off, h, h->nlmsg_len);
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	for (int i = 0; i < n + 2; i += n + 1)
		if (all[i])
			nlmsg_free(all[i]);
	if (!*buf) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Send a batch of N changes on S and read the answers: one ack each, or
 * the first refusal. 0, or the errno (the kernel's refusal: then nothing
 * was changed). */
static int exchange(int s, const char *buf, size_t len, int n)
{
	char reply[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	drain(s);
	if (sendto(s, buf, len, 0, (struct sockaddr *)&kernel, sizeof kernel) != (ssize_t)len)
		return errno;
	/* The kernel applies the batch within that call, all of it or none;
	 * then come the acks (one per change), or the refusal of the first
	 * change it could not make. */
	for (int acks = 0; acks < n;) {
		ssize_t got = recv(s, reply, sizeof reply, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got == 0 ? EIO : errno; /* EAGAIN: the timeout */
		for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, (size_t)got);
		     h = NLMSG_NEXT(h, got)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			struct nlmsgerr *e = NLMSG_DATA(h);
			if (e->error)
				return -e->error;
			acks++;
		}
	}
	return 0;
}

/* MSGS as one transaction on S: 0, or -1 with errno. */
static int transaction(int s, struct nl_msg **msgs, int n)
{
	char *buf;
	size_t len;
	if (batch(msgs, n, &buf, &len) != 0)
		return -1;
	int err = exchange(s, buf, len, n);
	free(buf);
	errno = err;
	return err ? -1 : 0;
}

/* The handles of the rules in CHAIN (table ip nat) whose comment is TAG,
 * into HANDLES (room for MAX): how many; -1 with errno. */
static int find_tagged(int s, const char *chain, const char *tag, uint64_t *handles, int max)
{
	struct nl_msg *m = message(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETRULE, NLM_F_DUMP,
				   NFPROTO_IPV4);
	if (!m) {
		errno = ENOMEM;
		return -1;
	}
	nla_put_string(m, NFTA_RULE_TABLE, "nat");
	nla_put_string(m, NFTA_RULE_CHAIN, chain);
	drain(s);
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	struct nlmsghdr *req = nlmsg_hdr(m);
	ssize_t sent = sendto(s, req, req->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel);
	nlmsg_free(m);
	if (sent < 0)
		return -1;
	static char reply[65536] __attribute__((aligned(NLMSG_ALIGNTO)));
	int n = 0;
	for (;;) {
		ssize_t got = recv(s, reply, sizeof reply, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				errno = EIO;
			return -1;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, (size_t)got);
		     h = NLMSG_NEXT(h, got)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return n;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				errno = e->error ? -e->error : EIO;
				return -1;
			}
			struct nlattr *tb[NFTA_RULE_MAX + 1];
			if (nlmsg_parse(h, sizeof(struct nfgenmsg), tb, NFTA_RULE_MAX, NULL) < 0 ||
			    !tb[NFTA_RULE_HANDLE] || !tb[NFTA_RULE_EXPRESSIONS])
				continue;
			/* Its [ match name comment ]: the one our tag would be in */
			struct nlattr *elem;
			int rem;
			bool ours = false;
			nla_for_each_nested(elem, tb[NFTA_RULE_EXPRESSIONS], rem) {
				struct nlattr *ex[NFTA_EXPR_MAX + 1], *mt[NFTA_MATCH_MAX + 1];
				if (nla_parse_nested(ex, NFTA_EXPR_MAX, elem, NULL) < 0 ||
				    !ex[NFTA_EXPR_NAME] || !ex[NFTA_EXPR_DATA] ||
				    strcmp(nla_get_string(ex[NFTA_EXPR_NAME]), "match") != 0 ||
				    nla_parse_nested(mt, NFTA_MATCH_MAX, ex[NFTA_EXPR_DATA], NULL) < 0 ||
				    !mt[NFTA_MATCH_NAME] || !mt[NFTA_MATCH_INFO] ||
				    strcmp(nla_get_string(mt[NFTA_MATCH_NAME]), "comment") != 0 ||
				    nla_len(mt[NFTA_MATCH_INFO]) < (int)sizeof(struct xt_comment_info))
					continue;
				const struct xt_comment_info *ci = nla_data(mt[NFTA_MATCH_INFO]);
				ours = strncmp(ci->comment, tag, sizeof ci->comment) == 0;
			}
			if (ours && n < max)
				handles[n++] = be64toh(nla_get_u64(tb[NFTA_RULE_HANDLE]));
		}
	}
}

/* The DELRULE message of rule HANDLE in CHAIN. */
static struct nl_msg *delete_rule(const char *chain, uint64_t handle)
{
	struct nl_msg *m = message(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_DELRULE, NLM_F_ACK,
				   NFPROTO_IPV4);
	if (m) {
		nla_put_string(m, NFTA_RULE_TABLE, "nat");
		nla_put_string(m, NFTA_RULE_CHAIN, chain);
		nla_put_u64(m, NFTA_RULE_HANDLE, htobe64(handle));
	}
	return m;
}

/* One socket for the process's life: opened at its first change, kept
 * for the delete at the container's end (a -d run's watcher has a copy),
 * and handed to a closer when the process ends. One closer per process:
 * by then the last delete is the process's own, and its grace period is
 * what the closer waits out; a closer after the add would close in the
 * middle of the next run and make it wait. */
static int sock = -1;

static void close_at_exit(void)
{
	if (sock >= 0)
		close_later(sock);
	sock = -1;
}

static int get_socket(void)
{
	static bool registered;
	if (sock < 0)
		sock = open_socket();
	if (sock >= 0 && !registered)
		registered = atexit(close_at_exit) == 0;
	return sock;
}

/* RULES ("*nat", the lines, "COMMIT": nothing else) into D (MAX_RULES):
 * how many lines, all "-A" or all "-D"; 0 if they are not all ours. */
static int parse_rules(const char *rules, struct dnat *d)
{
	char *text = strdup(rules), *save = NULL, *line;
	int n = 0;
	bool committed = false;
	if (!text || !(line = strtok_r(text, "\n", &save)) || strcmp(line, "*nat") != 0)
		goto no;
	while ((line = strtok_r(NULL, "\n", &save))) {
		if (committed)
			goto no; /* a second table */
		if (strcmp(line, "COMMIT") == 0)
			committed = true;
		else if (n == MAX_RULES || parse_line(line, &d[n]) != 0 || d[n].add != d[0].add)
			goto no;
		else
			n++;
	}
	free(text);
	return committed ? n : 0;
no:
	free(text);
	return 0;
}

/* The NEWRULE messages of D[0..N) into MSGS; -1 (ENOMEM) with none. */
static int new_rules(const struct dnat *d, int n, struct nl_msg **msgs)
{
	for (int i = 0; i < n; i++)
		if (!(msgs[i] = new_rule(&d[i]))) {
			while (i-- > 0)
				nlmsg_free(msgs[i]);
			errno = ENOMEM;
			return -1;
		}
	return 0;
}

/* The DELRULE messages for D[0..N) into MSGS (each chain and tag once:
 * every rule there with that comment), and into *MISSING how many of D's
 * lines had no rule. How many messages; -1 if a chain cannot be read. */
static int delete_rules(int s, const struct dnat *d, int n, struct nl_msg **msgs, int *missing)
{
	int nmsg = 0;
	*missing = 0;
	for (int i = 0; i < n; i++) {
		bool seen = false;
		int lines = 0;
		for (int j = 0; j < n; j++) {
			bool same = strcmp(d[i].chain, d[j].chain) == 0 &&
				    strcmp(d[i].comment, d[j].comment) == 0;
			seen = seen || (same && j < i);
			lines += same;
		}
		if (seen)
			continue;
		uint64_t handles[MAX_RULES];
		int found = find_tagged(s, d[i].chain, d[i].comment, handles, MAX_RULES - nmsg);
		if (found < 0)
			goto fail; /* no such chain: iptables-restore will say */
		*missing += lines > found ? lines - found : 0;
		for (int k = 0; k < found; k++)
			if (!(msgs[nmsg++] = delete_rule(d[i].chain, handles[k])))
				goto fail;
	}
	return nmsg;
fail:
	while (nmsg-- > 0)
		if (msgs[nmsg])
			nlmsg_free(msgs[nmsg]);
	return -1;
}

int nftrules_restore(const char *rules)
{
	struct dnat *d = calloc(MAX_RULES, sizeof *d);
	struct nl_msg *msgs[MAX_RULES];
	int n = d ? parse_rules(rules, d) : 0, rc = 0, nmsg = 0, missing = 0;
	if (n == 0 || get_socket() < 0)
		goto out;
	if (d[0].add)
		nmsg = new_rules(d, n, msgs) == 0 ? n : -1;
	else
		nmsg = delete_rules(sock, d, n, msgs, &missing);
	if (nmsg < 0)
		goto out;
	if (nmsg == 0 || transaction(sock, msgs, nmsg) == 0)
		rc = missing ? (errno = ENOENT, -1) : 1;
	for (int i = 0; i < nmsg; i++)
		nlmsg_free(msgs[i]);
out:
	free(d);
	return rc;
}
