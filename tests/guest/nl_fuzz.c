// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz: generated netlink messages at the juris family, to show that no
 * input crashes, leaks or wedges the module. Half the messages are well
 * formed requests of a random command (so table loads, commits and dumps
 * really happen), mutated now and then; the rest are garbage: random and
 * boundary attribute types and lengths, nested garbage, truncated headers,
 * wrong family ids, reserved fields set, flags a request should not carry.
 * They go out over several sockets, which are closed and reopened at
 * random, so loads are begun, fed, committed, aborted and abandoned in
 * every order.
 *
 *   nl_fuzz COUNT SEED [--uid UID [--userns]]
 *
 * --uid drops to UID first (no capability left); --userns then makes the
 * program root of a new user namespace with a network namespace of its
 * own. Prints "sent N acked A errors E replies R (tables committed C)
 * reopened O" and exits 0
 * unless the socket layer itself fails; the verdict on the module comes
 * from the functional check and the kernel console afterwards.
 */

#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "nlraw.h"
#include "juris.h"

#define NSOCK 4

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static int chance(int percent)
{
	return (int)rnd(100) < percent;
}

static void fill(void *p, int len)
{
	unsigned char *b = p;
	int i;

	for (i = 0; i < len; ++i)
		b[i] = rnd(256);
}

/* A length from the edges the policies care about, or any. */
static int boundary_len(void)
{
	static const int lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 15, 16, 17, 20, 33, 34, 35,
				    68, 255, 256, 1350, 1352, 59990, 60000, 60010, 65000 };

	if (chance(70))
		return lens[rnd(sizeof(lens) / sizeof(lens[0]))];
	return rnd(2048);
}

static void country(unsigned char *cc)
{
	if (chance(90)) {
		cc[0] = 'A' + rnd(26);
		cc[1] = 'A' + rnd(26);
	} else {
		fill(cc, 2);
	}
}

static void put_ranges(struct nlr_msg *m, int v6)
{
	int esize = v6 ? sizeof(struct juris_range6) : sizeof(struct juris_range4);
	int alen = v6 ? 16 : 4, max = JURIS_MAX_CHUNK_BYTES / esize, n, i;
	struct nlattr *a;
	unsigned char *p;

	n = chance(10) ? max : chance(50) ? (int)rnd(8) : (int)rnd(max + 1);
	a = nlr_put(m, v6 ? JURIS_A_RANGES6 : JURIS_A_RANGES4, NULL, n * esize);
	if (!a)
		return;
	p = (unsigned char *)a + NLA_HDRLEN;
	for (i = 0; i < n; ++i, p += esize) {
		fill(p, 2 * alen);
		/* Mostly start <= end: the first byte decides. */
		if (chance(95) && p[0] > p[alen])
			p[alen] = p[0];
		if (chance(95) && p[0] == p[alen])
			memset(p + alen + 1, 0xff, alen - 1);
		country(p + 2 * alen);
	}
}

/*
 * Prefix rules, mostly valid: addresses of either family, lengths near
 * their bound, host bits now and then, an attribute left out now and then.
 */
static void put_prefixes(struct nlr_msg *m)
{
	unsigned int start = m->nlh.nlmsg_len, entry;
	int n = chance(5) ? JURIS_MAX_PREFIXES + rnd(3) : rnd(12), i, alen, len;
	unsigned char addr[20], u8;	/* alen may be up to 19 */
	struct nlattr *outer, *inner;

	outer = nlr_put(m, JURIS_A_PREFIXES | NLA_F_NESTED, NULL, 0);
	if (!outer)
		return;
	for (i = 0; i < n; ++i) {
		entry = m->nlh.nlmsg_len;
		inner = nlr_put(m, (i + 1) | NLA_F_NESTED, NULL, 0);
		if (!inner)
			break;
		alen = chance(50) ? 4 : chance(97) ? 16 : boundary_len() % 20;
		len = chance(90) ? (int)rnd(8 * alen + 1) : (int)rnd(256);
		fill(addr, sizeof(addr));
		/* Mostly no host bits: clear the bits past len. */
		if (chance(85)) {
			for (int b = 0; b < alen; ++b) {
				int keep = len - 8 * b;

				addr[b] &= keep >= 8 ? 0xff : keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
			}
		}
		if (chance(97))
			nlr_put(m, JURIS_PREFIX_A_ADDR, addr, alen);
		u8 = len;
		if (chance(97))
			nlr_put(m, JURIS_PREFIX_A_LEN, &u8, 1);
		u8 = chance(95) ? 1 + rnd(2) : rnd(256);
		if (chance(97))
			nlr_put(m, JURIS_PREFIX_A_ACTION, &u8, 1);
		inner->nla_len = m->nlh.nlmsg_len - entry;
	}
	outer->nla_len = m->nlh.nlmsg_len - start;
}

/*
 * UID rules, mostly valid: ranges, actions with and without countries,
 * a field left out or a range reversed now and then.
 */
static void put_uids(struct nlr_msg *m)
{
	unsigned int start = m->nlh.nlmsg_len, entry;
	int n = chance(5) ? JURIS_MAX_UID_RULES + rnd(3) : rnd(10), i, k;
	unsigned char cc[2 * 8], action;
	struct nlattr *outer, *inner;
	uint32_t first, last;

	outer = nlr_put(m, JURIS_A_UIDS | NLA_F_NESTED, NULL, 0);
	if (!outer)
		return;
	for (i = 0; i < n; ++i) {
		entry = m->nlh.nlmsg_len;
		inner = nlr_put(m, (i + 1) | NLA_F_NESTED, NULL, 0);
		if (!inner)
			break;
		first = chance(80) ? rnd(100000) : rnd(0xffffffffU);
		last = chance(90) ? first + rnd(5000) : rnd(0xffffffffU);
		action = chance(95) ? 1 + rnd(4) : rnd(256);
		if (chance(98))
			nlr_put(m, JURIS_UID_A_FIRST, &first, 4);
		if (chance(70))
			nlr_put(m, JURIS_UID_A_LAST, &last, 4);
		if (chance(98))
			nlr_put(m, JURIS_UID_A_ACTION, &action, 1);
		if ((action >= 3) == chance(95)) {
			k = rnd(8);
			for (int j = 0; j < k; ++j)
				country(cc + 2 * j);
			nlr_put(m, JURIS_UID_A_COUNTRIES, cc, 2 * k);
		}
		inner->nla_len = m->nlh.nlmsg_len - entry;
	}
	outer->nla_len = m->nlh.nlmsg_len - start;
}

/*
 * NAT64 prefixes, mostly valid: IPv6, RFC 6052 lengths, no host bits;
 * now and then a bad length, host bits, an action, or one too many.
 */
static void put_nat64(struct nlr_msg *m)
{
	static const int lens[] = { 32, 40, 48, 56, 64, 96 };
	unsigned int start = m->nlh.nlmsg_len, entry;
	int n = chance(5) ? JURIS_MAX_NAT64 + rnd(3) : rnd(4), i, alen, len;
	unsigned char addr[20], u8;
	struct nlattr *outer, *inner;

	outer = nlr_put(m, JURIS_A_NAT64 | NLA_F_NESTED, NULL, 0);
	if (!outer)
		return;
	for (i = 0; i < n; ++i) {
		entry = m->nlh.nlmsg_len;
		inner = nlr_put(m, (i + 1) | NLA_F_NESTED, NULL, 0);
		if (!inner)
			break;
		alen = chance(95) ? 16 : boundary_len() % 20;
		len = chance(90) ? lens[rnd(6)] : (int)rnd(256);
		fill(addr, sizeof(addr));
		if (chance(90))
			for (int b = 0; b < alen; ++b)
				if (8 * b >= len)
					addr[b] = 0;
		if (chance(97))
			nlr_put(m, JURIS_PREFIX_A_ADDR, addr, alen);
		u8 = len;
		if (chance(97))
			nlr_put(m, JURIS_PREFIX_A_LEN, &u8, 1);
		u8 = 1;
		if (chance(3))
			nlr_put(m, JURIS_PREFIX_A_ACTION, &u8, 1);
		inner->nla_len = m->nlh.nlmsg_len - entry;
	}
	outer->nla_len = m->nlh.nlmsg_len - start;
}

/*
 * Whether requests may lock the namespace: only as root of a user namespace
 * of the fuzzer's own, whose network namespace dies with it. A lock there
 * turns the rest of the run's changes into EPERM, so it comes rarely.
 */
static int may_lock;

/* A garbage attribute type, never the lock where it may not be sent. */
static int garbage_type(int type)
{
	if (!may_lock && (type & NLA_TYPE_MASK) == JURIS_A_LOCK)
		type = (type & ~NLA_TYPE_MASK) | JURIS_A_MODE;
	return type;
}

/* SET_POLICY's attributes, which COMMIT takes too (juris apply). */
static void put_policy(struct nlr_msg *m)
{
	unsigned char buf[2 * 676];
	int n;

	if (chance(70)) {
		buf[0] = rnd(JURIS_MODE_MAX + 2);
		nlr_put(m, JURIS_A_MODE, buf, 1);
	}
	if (chance(50)) {
		buf[0] = rnd(JURIS_UNKNOWN_MAX + 2);
		nlr_put(m, JURIS_A_UNKNOWN, buf, 1);
	}
	if (chance(60)) {
		n = rnd(8);
		for (int i = 0; i < n; ++i)
			country(buf + 2 * i);
		/* Now and then both: refused. */
		if (chance(60) || chance(10))
			nlr_put(m, JURIS_A_ALLOW, buf, 2 * n);
		if (chance(40))
			nlr_put(m, JURIS_A_DENY, buf, 2 * n);
	}
	if (chance(40))
		put_prefixes(m);
	if (chance(40))
		put_uids(m);
	if (chance(30))
		put_nat64(m);
	if (chance(30)) {
		buf[0] = rnd(JURIS_ACTION_MAX + 2);
		nlr_put(m, JURIS_A_ACTION, buf, 1);
	}
	if (chance(30)) {
		buf[0] = chance(90) ? 1 + rnd(JURIS_SCOPE_MASK) : rnd(256);
		nlr_put(m, JURIS_A_SCOPE, buf, 1);
	}
	if (chance(20)) {
		__u32 v = chance(90) ? rnd(JURIS_MAX_EVENT_RATE + 2) : rnd(1U << 31);

		nlr_put(m, JURIS_A_EVENT_RATE, &v, 4);
	}
	if (chance(20)) {
		__u32 v = chance(90) ? rnd(JURIS_MAX_EVENT_BURST + 2) : rnd(1U << 31);

		nlr_put(m, JURIS_A_EVENT_BURST, &v, 4);
	}
	if (chance(20)) {
		buf[0] = rnd(JURIS_LOG_MAX + 2);
		nlr_put(m, JURIS_A_LOG, buf, 1);
	}
	/* Rarely, and only in a namespace of the fuzzer's own (see main). */
	if (may_lock && chance(1) && chance(20))
		nlr_put(m, JURIS_A_LOCK, NULL, 0);
}

/* A request as the CLI would send it, for a random command. */
static void well_formed(struct nlr_msg *m, int family)
{
	int cmd = 1 + rnd(JURIS_CMD_MAX), flags = 0;
	unsigned char buf[16];
	int n;

	if (cmd == JURIS_CMD_GET_COUNTERS)
		flags = NLM_F_DUMP;
	nlr_init(m, family, cmd, flags);
	switch (cmd) {
	case JURIS_CMD_SET_POLICY:
		put_policy(m);
		break;
	case JURIS_CMD_TABLE_COMMIT:
		if (chance(30))
			put_policy(m);
		break;
	case JURIS_CMD_TABLE_ADD:
		if (chance(80))
			put_ranges(m, 0);
		if (chance(40))
			put_ranges(m, 1);
		break;
	case JURIS_CMD_LOOKUP:
		n = chance(50) ? 4 : 16;
		fill(buf, n);
		nlr_put(m, JURIS_A_ADDR, buf, n);
		if (chance(30)) {
			uint32_t uid = chance(50) ? rnd(70000) : rnd(0xffffffffU);

			nlr_put(m, JURIS_A_UID, &uid, 4);
		}
		break;
	}
}

static void garbage_attrs(struct nlr_msg *m, int depth)
{
	static unsigned char buf[65536];
	int n = rnd(6), i;

	for (i = 0; i < n; ++i) {
		int type = garbage_type(chance(80) ? rnd(JURIS_A_MAX + 3) : rnd(65536));
		int len = boundary_len();
		struct nlattr *a;

		if (chance(10))
			type |= NLA_F_NESTED;
		if (chance(15) && depth < 3) {
			unsigned int start = m->nlh.nlmsg_len;

			a = nlr_put(m, type | NLA_F_NESTED, NULL, 0);
			if (!a)
				return;
			garbage_attrs(m, depth + 1);
			a->nla_len = m->nlh.nlmsg_len - start;
			continue;
		}
		fill(buf, len);
		if (!nlr_put(m, type, buf, len))
			return;
	}
}

static void garbage(struct nlr_msg *m, int family, const int *wrong, int nwrong)
{
	int type = chance(85) ? family : chance(30) ? GENL_ID_CTRL : wrong[rnd(nwrong)];
	int flags = chance(70) ? 0 : rnd(0x1000) & ~NLM_F_REQUEST;

	nlr_init(m, type, chance(90) ? rnd(JURIS_CMD_MAX + 3) : rnd(256), flags);
	if (chance(10))
		((struct genlmsghdr *)NLMSG_DATA(&m->nlh))->reserved = rnd(65536);
	if (chance(5))
		((struct genlmsghdr *)NLMSG_DATA(&m->nlh))->version = rnd(256);
	if (chance(5))
		m->nlh.nlmsg_flags &= ~NLM_F_REQUEST;
	garbage_attrs(m, 0);
}

/* Small damage to an otherwise good message. */
static void mutate(struct nlr_msg *m)
{
	int len = m->nlh.nlmsg_len, hdr = NLMSG_HDRLEN + GENL_HDRLEN;

	switch (rnd(5)) {
	case 0:	/* a random byte past the headers */
		if (len > hdr)
			m->buf[hdr + rnd(len - hdr)] = rnd(256);
		break;
	case 1:	/* the first attribute's length off by a little */
		if (len >= hdr + NLA_HDRLEN)
			((struct nlattr *)(m->buf + hdr))->nla_len += (int)rnd(9) - 4;
		break;
	case 2:	/* an attribute the command does not take */
		nlr_put(m, garbage_type(1 + rnd(JURIS_A_MAX)), m->buf, rnd(20));
		break;
	case 3:	/* trailing bytes */
		m->nlh.nlmsg_len += 1 + rnd(3);
		break;
	case 4:	/* the reserved header field */
		((struct genlmsghdr *)NLMSG_DATA(&m->nlh))->reserved = 1 + rnd(65535);
		break;
	}
}

struct totals {
	unsigned long sent, acked, errors, replies, commits, reopened;
};

/* Read whatever is queued, without waiting. */
static void drain(struct nlr *c, struct totals *t)
{
	static char buf[NLR_BUF];
	ssize_t n;

	while ((n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct nlmsghdr *h;

		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				if (((struct nlmsgerr *)NLMSG_DATA(h))->error)
					t->errors++;
				else
					t->acked++;
			} else {
				struct genlmsghdr *g = NLMSG_DATA(h);

				t->replies++;
				t->commits += h->nlmsg_type == (__u16)c->family &&
					      g->cmd == JURIS_CMD_TABLE_COMMIT;
			}
		}
	}
}

static int reopen(struct nlr *c, int family)
{
	int one = 1;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (chance(50))
		setsockopt(c->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	c->family = family;
	return 0;
}

static int drop_to(uid_t uid, int userns)
{
	char map[64];
	int fd, ok = 1;

	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		return -1;
	if (!userns)
		return 0;
	prctl(PR_SET_DUMPABLE, 1);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return -1;
	snprintf(map, sizeof(map), "0 %d 1", (int)uid);
	fd = open("/proc/self/setgroups", O_WRONLY);
	ok &= fd >= 0 && write(fd, "deny", 4) == 4;
	close(fd);
	fd = open("/proc/self/uid_map", O_WRONLY);
	ok &= fd >= 0 && write(fd, map, strlen(map)) == (ssize_t)strlen(map);
	close(fd);
	fd = open("/proc/self/gid_map", O_WRONLY);
	ok &= fd >= 0 && write(fd, map, strlen(map)) == (ssize_t)strlen(map);
	close(fd);
	return ok ? 0 : -1;
}

int main(int argc, char *argv[])
{
	static struct nlr_msg m;
	struct nlr socks[NSOCK];
	struct totals t = { 0 };
	int wrong[3], family, i, userns = 0;
	unsigned long count;
	uid_t uid = 0;

	if (argc < 3)
		goto usage;
	count = strtoul(argv[1], NULL, 0);
	rng = strtoull(argv[2], NULL, 0) * 0x9e3779b97f4a7c15ULL | 1;
	for (i = 3; i < argc; ++i) {
		if (!strcmp(argv[i], "--uid") && i + 1 < argc)
			uid = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--userns"))
			userns = may_lock = 1;
		else
			goto usage;
	}
	if (uid && drop_to(uid, userns)) {
		perror("nl_fuzz: dropping privileges");
		return 2;
	}
	if (nlr_open(&socks[0], JURIS_GENL_NAME)) {
		fprintf(stderr, "nl_fuzz: no juris family\n");
		return 2;
	}
	family = socks[0].family;
	/* Ids no family holds: the dynamic range ends at 1023. */
	wrong[0] = 0xfff0;
	wrong[1] = 1023;
	wrong[2] = 0;
	for (i = 1; i < NSOCK; ++i) {
		socks[i].fd = -1;
		if (reopen(&socks[i], family))
			return 2;
	}
	for (t.sent = 0; t.sent < count; ++t.sent) {
		struct nlr *c = &socks[rnd(NSOCK)];
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
		int len;

		if (chance(1)) {
			if (reopen(c, family))
				return 2;
			t.reopened++;
		}
		if (chance(50)) {
			well_formed(&m, family);
			if (chance(20))
				mutate(&m);
		} else {
			garbage(&m, family, wrong, 3);
		}
		if (chance(60))
			m.nlh.nlmsg_flags |= NLM_F_ACK;
		m.nlh.nlmsg_seq = ++c->seq;
		len = m.nlh.nlmsg_len;
		/* Truncated: the header promises more than is sent, or less. */
		if (chance(3))
			len = rnd(len + 1);
		else if (chance(2))
			m.nlh.nlmsg_len = rnd(len + 1);
		if (len > NLR_BUF)
			len = NLR_BUF;
		sendto(c->fd, m.buf, len, 0, (struct sockaddr *)&sa, sizeof(sa));
		drain(c, &t);
	}
	for (i = 0; i < NSOCK; ++i) {
		drain(&socks[i], &t);
		close(socks[i].fd);
	}
	printf("sent %lu acked %lu errors %lu replies %lu (tables committed %lu) reopened %lu\n",
	       t.sent, t.acked, t.errors, t.replies, t.commits, t.reopened);
	return 0;
usage:
	fprintf(stderr, "usage: nl_fuzz COUNT SEED [--uid UID [--userns]]\n");
	return 2;
}
