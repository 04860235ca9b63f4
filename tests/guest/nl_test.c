// SPDX-License-Identifier: GPL-2.0
/*
 * The juris netlink contract, checked at the message level: a rejected
 * request carries an extack text and leaves the active table and policy as
 * they were; a table load is bound to its socket, so an abandoned one is
 * dropped and a second loader is turned away. Requests are validated
 * strictly: an attribute a command does not take, a wrong length, trailing
 * bytes or a non-zero reserved header field are refused. Runs as root in
 * the guest.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <linux/capability.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "juris.h"

struct reply {
	int err;
	int done;
	char extack[256];
	unsigned long long generation;
	char country[3];
	unsigned char allow[2 * 676];
	int nallow;
	unsigned char deny[2 * 676];
	int ndeny;
	int nprefixes;		/* entries of JURIS_A_PREFIXES */
	unsigned char prefix[16];	/* the first one's address */
	int prefix_len, prefix_action;
	int rule;		/* JURIS_A_RULE, or -1 */
	int nuids;		/* entries of JURIS_A_UIDS */
	long uid_first, uid_last;	/* the first one's */
	int verdict;		/* JURIS_A_VERDICT, or -1 */
	int miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
	int bad_attr;		/* the error points at an attribute */
	int counts_ok;		/* TOTALS: three verdicts, each packets + bytes */
	int mode;
	int action, scope;	/* JURIS_A_ACTION, JURIS_A_SCOPE, or -1 */
	int nnat64;		/* entries of JURIS_A_NAT64 */
	int nat64_len;		/* the first one's */
	unsigned char embedded[4];	/* JURIS_A_EMBEDDED */
	long rule_index;	/* JURIS_A_RULE_INDEX, or -1 */
	int locked;		/* JURIS_A_LOCK in a status reply */
	long event_rate, event_burst, log;	/* or -1 */
};

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct reply *r = arg;
	int len = nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(*e);
	struct nlattr *a, *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };

	r->err = e->error;
	r->done = 1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	/* Without NLM_F_CAPPED the request is echoed before the TLVs. */
	a = (struct nlattr *)((char *)(e + 1) +
			      (nlh->nlmsg_flags & NLM_F_CAPPED ? 0 : e->msg.nlmsg_len - NLMSG_HDRLEN));
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		len -= e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, a, len, NULL))
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(r->extack, sizeof(r->extack), "%s", (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		r->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	r->bad_attr = tb[NLMSGERR_ATTR_OFFS] != NULL;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	((struct reply *)arg)->done = 1;
	return NL_STOP;
}

/* Counts are a nest per verdict, each holding two u64 attributes. */
static int counts_nested(struct nlattr *totals)
{
	struct nlattr *v[JURIS_COUNTS_A_MAX + 1], *f[JURIS_COUNT_A_MAX + 1];
	int i;

	if (nla_parse_nested(v, JURIS_COUNTS_A_MAX, totals, NULL))
		return 0;
	for (i = JURIS_COUNTS_A_ALLOWED; i <= JURIS_COUNTS_A_AUDITED; ++i) {
		if (!v[i] || nla_parse_nested(f, JURIS_COUNT_A_MAX, v[i], NULL))
			return 0;
		if (!f[JURIS_COUNT_A_PACKETS] || nla_len(f[JURIS_COUNT_A_PACKETS]) != 8 ||
		    !f[JURIS_COUNT_A_BYTES] || nla_len(f[JURIS_COUNT_A_BYTES]) != 8)
			return 0;
	}
	return 1;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[JURIS_A_MAX + 1];
	struct reply *r = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, JURIS_A_MAX, NULL))
		return NL_SKIP;
	if (tb[JURIS_A_TABLE_GEN])
		r->generation = nla_get_u64(tb[JURIS_A_TABLE_GEN]);
	if (tb[JURIS_A_COUNTRY])
		memcpy(r->country, nla_data(tb[JURIS_A_COUNTRY]), 2);
	if (tb[JURIS_A_ALLOW]) {
		r->nallow = nla_len(tb[JURIS_A_ALLOW]) / 2;
		memcpy(r->allow, nla_data(tb[JURIS_A_ALLOW]), nla_len(tb[JURIS_A_ALLOW]));
	}
	if (tb[JURIS_A_DENY]) {
		r->ndeny = nla_len(tb[JURIS_A_DENY]) / 2;
		memcpy(r->deny, nla_data(tb[JURIS_A_DENY]), nla_len(tb[JURIS_A_DENY]));
	}
	if (tb[JURIS_A_PREFIXES]) {
		struct nlattr *e, *p[JURIS_PREFIX_A_MAX + 1];
		int rem;

		nla_for_each_nested(e, tb[JURIS_A_PREFIXES], rem) {
			if (!r->nprefixes++ &&
			    !nla_parse_nested(p, JURIS_PREFIX_A_MAX, e, NULL) &&
			    p[JURIS_PREFIX_A_ADDR] && p[JURIS_PREFIX_A_LEN] &&
			    p[JURIS_PREFIX_A_ACTION]) {
				memcpy(r->prefix, nla_data(p[JURIS_PREFIX_A_ADDR]),
				       nla_len(p[JURIS_PREFIX_A_ADDR]));
				r->prefix_len = nla_get_u8(p[JURIS_PREFIX_A_LEN]);
				r->prefix_action = nla_get_u8(p[JURIS_PREFIX_A_ACTION]);
			}
		}
	}
	if (tb[JURIS_A_UIDS]) {
		struct nlattr *e, *u[JURIS_UID_A_MAX + 1];
		int rem;

		nla_for_each_nested(e, tb[JURIS_A_UIDS], rem) {
			if (!r->nuids++ && !nla_parse_nested(u, JURIS_UID_A_MAX, e, NULL) &&
			    u[JURIS_UID_A_FIRST] && u[JURIS_UID_A_LAST]) {
				r->uid_first = nla_get_u32(u[JURIS_UID_A_FIRST]);
				r->uid_last = nla_get_u32(u[JURIS_UID_A_LAST]);
			}
		}
	}
	if (tb[JURIS_A_RULE])
		r->rule = nla_get_u8(tb[JURIS_A_RULE]);
	if (tb[JURIS_A_VERDICT])
		r->verdict = nla_get_u8(tb[JURIS_A_VERDICT]);
	if (tb[JURIS_A_MODE])
		r->mode = nla_get_u8(tb[JURIS_A_MODE]);
	if (tb[JURIS_A_ACTION])
		r->action = nla_get_u8(tb[JURIS_A_ACTION]);
	if (tb[JURIS_A_SCOPE])
		r->scope = nla_get_u8(tb[JURIS_A_SCOPE]);
	if (tb[JURIS_A_EMBEDDED] && nla_len(tb[JURIS_A_EMBEDDED]) == 4)
		memcpy(r->embedded, nla_data(tb[JURIS_A_EMBEDDED]), 4);
	if (tb[JURIS_A_RULE_INDEX])
		r->rule_index = nla_get_u32(tb[JURIS_A_RULE_INDEX]);
	r->locked = tb[JURIS_A_LOCK] != NULL;
	r->event_rate = tb[JURIS_A_EVENT_RATE] ? (long)nla_get_u32(tb[JURIS_A_EVENT_RATE]) : -1;
	r->event_burst = tb[JURIS_A_EVENT_BURST] ? (long)nla_get_u32(tb[JURIS_A_EVENT_BURST]) : -1;
	r->log = tb[JURIS_A_LOG] ? nla_get_u8(tb[JURIS_A_LOG]) : -1;
	if (tb[JURIS_A_NAT64]) {
		struct nlattr *e, *p[JURIS_PREFIX_A_MAX + 1];
		int rem;

		nla_for_each_nested(e, tb[JURIS_A_NAT64], rem) {
			if (!r->nnat64++ && !nla_parse_nested(p, JURIS_PREFIX_A_MAX, e, NULL) &&
			    p[JURIS_PREFIX_A_LEN])
				r->nat64_len = nla_get_u8(p[JURIS_PREFIX_A_LEN]);
		}
	}
	if (tb[JURIS_A_TOTALS])
		r->counts_ok = counts_nested(tb[JURIS_A_TOTALS]);
	return NL_SKIP;
}

struct conn {
	struct nl_sock *sk;
	int family;
};

static int conn_open(struct conn *c)
{
	int one = 1;

	c->sk = nl_socket_alloc();
	if (!c->sk || genl_connect(c->sk))
		return -1;
	setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	c->family = genl_ctrl_resolve(c->sk, JURIS_GENL_NAME);
	return c->family < 0 ? -1 : 0;
}

static void conn_close(struct conn *c)
{
	nl_socket_free(c->sk);
	c->sk = NULL;
}

/* put: adds attributes to the request; returns the kernel's errno (0 or negative). */
static int request(struct conn *c, int cmd, void (*put)(struct nl_msg *, const void *),
		   const void *arg, struct reply *r)
{
	struct nl_msg *msg = nlmsg_alloc_size(65536);
	struct nl_cb *cb = nl_cb_alloc(NL_CB_CUSTOM);

	memset(r, 0, sizeof(*r));
	r->miss_type = -1;
	r->rule = -1;
	r->verdict = -1;
	r->action = -1;
	r->scope = -1;
	r->rule_index = -1;
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0, NLM_F_ACK, cmd, JURIS_GENL_VERSION);
	if (put)
		put(msg, arg);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	if (nl_send_auto(c->sk, msg) < 0)
		r->err = -EIO;
	/* A reply and its ACK come in separate reads: wait for the ACK. */
	while (r->err == 0 && !r->done)
		if (nl_recvmsgs(c->sk, cb) < 0 && !r->done)
			r->err = -EIO;
	nl_cb_put(cb);
	nlmsg_free(msg);
	return r->err;
}

struct ranges {
	int attr;
	int len;
	unsigned char data[128];
};

static void put_ranges(struct nl_msg *msg, const void *arg)
{
	const struct ranges *r = arg;

	nla_put(msg, r->attr, r->len, r->data);
}

static void put_addr(struct nl_msg *msg, const void *arg)
{
	const struct ranges *r = arg;

	nla_put(msg, JURIS_A_ADDR, r->len, r->data);
}

static void put_allow(struct nl_msg *msg, const void *arg)
{
	nla_put(msg, JURIS_A_ALLOW, strlen(arg), arg);
}

static void put_deny(struct nl_msg *msg, const void *arg)
{
	nla_put(msg, JURIS_A_DENY, strlen(arg), arg);
}

static void put_allow_and_deny(struct nl_msg *msg, const void *arg)
{
	nla_put(msg, JURIS_A_ALLOW, 2, "IN");
	nla_put(msg, JURIS_A_DENY, 2, "US");
}

/* Mode audit and an allow list: a policy for SET_POLICY or COMMIT. */
static void put_audit_allow(struct nl_msg *msg, const void *arg)
{
	nla_put_u8(msg, JURIS_A_MODE, JURIS_MODE_AUDIT);
	nla_put(msg, JURIS_A_ALLOW, strlen(arg), arg);
}

/* The lock, alone. */
static void put_lock(struct nl_msg *msg, const void *arg)
{
	nla_put_flag(msg, JURIS_A_LOCK);
}

/* An attribute given by its type and a 4-byte value. */
static void put_u32_attr(struct nl_msg *msg, const void *arg)
{
	nla_put_u32(msg, *(const int *)arg, 1);
}

static void put_trailing_bytes(struct nl_msg *msg, const void *arg)
{
	nla_put_u8(msg, JURIS_A_MODE, JURIS_MODE_AUDIT);
	memset(nlmsg_reserve(msg, 3, 1), 0xaa, 3);
}

static void put_reserved(struct nl_msg *msg, const void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));

	g->reserved = 1;
	nla_put_u8(msg, JURIS_A_MODE, JURIS_MODE_AUDIT);
}

/* The mode the kernel reports, or -1. */
static int mode_of(struct conn *c)
{
	struct reply r;

	return request(c, JURIS_CMD_GET_STATUS, NULL, NULL, &r) ? -1 : r.mode;
}

/* One range of the variant's family: the documentation prefix, numbered. */
static struct ranges one_range(int v6, int net, const char *cc, int reversed)
{
	struct ranges r = { .attr = v6 ? JURIS_A_RANGES6 : JURIS_A_RANGES4 };
	int alen = v6 ? 16 : 4;
	unsigned char *start = r.data, *end = r.data + alen;

	if (v6) {
		unsigned char p[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, net };

		memcpy(start, p, 16);
		memcpy(end, p, 16);
		memset(end + 6, 0xff, 10);
	} else {
		unsigned char p[4] = { 192, 0, net, 0 };

		memcpy(start, p, 4);
		memcpy(end, p, 4);
		end[3] = 0xff;
	}
	if (reversed) {
		unsigned char tmp[16];

		memcpy(tmp, start, alen);
		memcpy(start, end, alen);
		memcpy(end, tmp, alen);
	}
	memcpy(r.data + 2 * alen, cc, 2);
	r.len = 2 * alen + 2;
	return r;
}

static struct ranges addr_in(int v6, int net)
{
	struct ranges r = one_range(v6, net, "ZZ", 0);

	r.len = v6 ? 16 : 4;
	r.data[r.len - 1] = 1;
	return r;
}

/* Prefix rules for JURIS_A_PREFIXES; a field of -1 is left out. */
struct rules {
	int n;
	struct {
		unsigned char addr[16];
		int alen, len, action;
	} e[1100];
};

static void put_rules(struct nl_msg *msg, const void *arg)
{
	const struct rules *x = arg;
	struct nlattr *outer, *inner;
	int i;

	/* nla_nest_end() would drop an empty nest. */
	if (!x->n) {
		nla_put(msg, JURIS_A_PREFIXES | NLA_F_NESTED, 0, NULL);
		return;
	}
	outer = nla_nest_start(msg, JURIS_A_PREFIXES);

	for (i = 0; i < x->n; ++i) {
		inner = nla_nest_start(msg, i + 1);
		if (x->e[i].alen >= 0)
			nla_put(msg, JURIS_PREFIX_A_ADDR, x->e[i].alen, x->e[i].addr);
		if (x->e[i].len >= 0)
			nla_put_u8(msg, JURIS_PREFIX_A_LEN, x->e[i].len);
		if (x->e[i].action >= 0)
			nla_put_u8(msg, JURIS_PREFIX_A_ACTION, x->e[i].action);
		nla_nest_end(msg, inner);
	}
	nla_nest_end(msg, outer);
}

/* A rule over the variant's documentation net, at len bits. */
static void rule_at(struct rules *x, int v6, int net, int len, int action)
{
	struct ranges a = addr_in(v6, net);
	int i = x->n++;

	memset(x->e[i].addr, 0, 16);
	memcpy(x->e[i].addr, a.data, a.len - 1);	/* the net's first address */
	x->e[i].alen = a.len;
	x->e[i].len = len;
	x->e[i].action = action;
}

/* UID rules for JURIS_A_UIDS; a field of -1 (cc: NULL) is left out. */
struct uidrules {
	int n;
	struct {
		long first, last;
		int action;
		const char *cc;
	} e[300];
};

static void put_uids(struct nl_msg *msg, const void *arg)
{
	const struct uidrules *x = arg;
	struct nlattr *outer, *inner;
	int i;

	if (!x->n) {
		nla_put(msg, JURIS_A_UIDS | NLA_F_NESTED, 0, NULL);
		return;
	}
	outer = nla_nest_start(msg, JURIS_A_UIDS);
	for (i = 0; i < x->n; ++i) {
		inner = nla_nest_start(msg, i + 1);
		if (x->e[i].first >= 0)
			nla_put_u32(msg, JURIS_UID_A_FIRST, x->e[i].first);
		if (x->e[i].last >= 0)
			nla_put_u32(msg, JURIS_UID_A_LAST, x->e[i].last);
		if (x->e[i].action >= 0)
			nla_put_u8(msg, JURIS_UID_A_ACTION, x->e[i].action);
		if (x->e[i].cc)
			nla_put(msg, JURIS_UID_A_COUNTRIES, strlen(x->e[i].cc), x->e[i].cc);
		nla_nest_end(msg, inner);
	}
	nla_nest_end(msg, outer);
}

static void uid_rule(struct uidrules *x, long first, long last, int action, const char *cc)
{
	x->e[x->n].first = first;
	x->e[x->n].last = last;
	x->e[x->n].action = action;
	x->e[x->n++].cc = cc;
}

/* A lookup of an address as if sent by a socket of a UID. */
struct uid_lookup {
	struct ranges addr;
	unsigned int uid;
};

static void put_addr_uid(struct nl_msg *msg, const void *arg)
{
	const struct uid_lookup *l = arg;

	nla_put(msg, JURIS_A_ADDR, l->addr.len, l->addr.data);
	nla_put_u32(msg, JURIS_A_UID, l->uid);
}

FIXTURE(juris) {
	struct conn c;
	unsigned long long generation;
};

FIXTURE_VARIANT(juris) {
	int v6;
};

FIXTURE_VARIANT_ADD(juris, ipv4) { .v6 = 0 };
FIXTURE_VARIANT_ADD(juris, ipv6) { .v6 = 1 };

/* Every test starts from a committed table: net 1 is IN. */
FIXTURE_SETUP(juris)
{
	struct ranges in = one_range(variant->v6, 1, "IN", 0);
	struct reply r;

	ASSERT_EQ(0, conn_open(&self->c)) TH_LOG("is the juris module loaded?");
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_ADD, put_ranges, &in, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_COMMIT, NULL, NULL, &r)) TH_LOG("%s", r.extack);
	self->generation = r.generation;
	ASSERT_NE(0ULL, self->generation);
}

FIXTURE_TEARDOWN(juris)
{
	conn_close(&self->c);
}

static void expect_table_unchanged(struct __test_metadata *_metadata,
				   FIXTURE_DATA(juris) *self, int v6)
{
	struct ranges a = addr_in(v6, 1), b = addr_in(v6, 2);
	struct reply r;

	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(self->generation, r.generation);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_LOOKUP, put_addr, &a, &r));
	EXPECT_STREQ("IN", r.country);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_LOOKUP, put_addr, &b, &r));
	EXPECT_STREQ("", r.country);
}

TEST_F(juris, commit_bumps_generation)
{
	struct ranges us = one_range(variant->v6, 2, "US", 0);
	struct ranges a = addr_in(variant->v6, 2);
	struct reply r;

	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_ADD, put_ranges, &us, &r));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_COMMIT, NULL, NULL, &r));
	EXPECT_EQ(self->generation + 1, r.generation);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(self->generation + 1, r.generation);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_LOOKUP, put_addr, &a, &r));
	EXPECT_STREQ("US", r.country);
}

TEST_F(juris, bad_range_aborts_load_and_keeps_table)
{
	struct ranges good = one_range(variant->v6, 2, "US", 0);
	struct ranges bad = one_range(variant->v6, 3, "US", 1);
	struct reply r;

	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_ADD, put_ranges, &good, &r));
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_TABLE_ADD, put_ranges, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "after its end")) TH_LOG("extack: '%s'", r.extack);
	EXPECT_TRUE(r.bad_attr);
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_TABLE_COMMIT, NULL, NULL, &r));
	EXPECT_NE(NULL, strstr(r.extack, "no table load")) TH_LOG("extack: '%s'", r.extack);
	expect_table_unchanged(_metadata, self, variant->v6);
}

TEST_F(juris, bad_country_rejected)
{
	struct ranges bad = one_range(variant->v6, 2, "u5", 0);
	struct reply r;

	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r));
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_TABLE_ADD, put_ranges, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "country code")) TH_LOG("extack: '%s'", r.extack);
	expect_table_unchanged(_metadata, self, variant->v6);
}

TEST_F(juris, truncated_entry_rejected)
{
	struct ranges bad = one_range(variant->v6, 2, "US", 0);
	struct reply r;

	bad.len -= 1;
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r));
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_TABLE_ADD, put_ranges, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "multiple of the entry size")) TH_LOG("extack: '%s'", r.extack);
	expect_table_unchanged(_metadata, self, variant->v6);
}

TEST_F(juris, second_loader_is_busy)
{
	struct ranges us = one_range(variant->v6, 2, "US", 0);
	struct conn other;
	struct reply r;

	ASSERT_EQ(0, conn_open(&other));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r));
	EXPECT_EQ(-EBUSY, request(&other, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r));
	EXPECT_NE(NULL, strstr(r.extack, "in progress")) TH_LOG("extack: '%s'", r.extack);
	EXPECT_EQ(-EINVAL, request(&other, JURIS_CMD_TABLE_ADD, put_ranges, &us, &r));
	EXPECT_EQ(0, request(&self->c, JURIS_CMD_TABLE_ABORT, NULL, NULL, &r));
	EXPECT_EQ(0, request(&other, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r));
	EXPECT_EQ(0, request(&other, JURIS_CMD_TABLE_ABORT, NULL, NULL, &r));
	conn_close(&other);
	expect_table_unchanged(_metadata, self, variant->v6);
}

TEST_F(juris, abandoned_load_is_dropped)
{
	struct ranges us = one_range(variant->v6, 2, "US", 0);
	struct conn loader;
	struct reply r;

	ASSERT_EQ(0, conn_open(&loader));
	ASSERT_EQ(0, request(&loader, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r));
	ASSERT_EQ(0, request(&loader, JURIS_CMD_TABLE_ADD, put_ranges, &us, &r));
	conn_close(&loader);	/* as if the loader had been killed */
	EXPECT_EQ(0, request(&self->c, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r)) TH_LOG("%s", r.extack);
	EXPECT_EQ(0, request(&self->c, JURIS_CMD_TABLE_ABORT, NULL, NULL, &r));
	expect_table_unchanged(_metadata, self, variant->v6);
}

TEST_F(juris, lookup_wants_a_whole_address)
{
	struct ranges a = addr_in(variant->v6, 1);
	struct reply r;

	a.len -= 1;
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_LOOKUP, put_addr, &a, &r));
	EXPECT_NE(NULL, strstr(r.extack, "4 or 16 bytes")) TH_LOG("extack: '%s'", r.extack);
	EXPECT_TRUE(r.bad_attr);
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_LOOKUP, NULL, NULL, &r));
	EXPECT_EQ(JURIS_A_ADDR, r.miss_type) TH_LOG("extack: '%s'", r.extack);
}

/* Attributes a command does not take, of any type, are refused. */
TEST_F(juris, strict_attributes)
{
	int unknown = JURIS_A_MAX + 1, addr = JURIS_A_ADDR, mode = JURIS_A_MODE;
	struct reply r;

	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_allow, "IN", &r));
	ASSERT_EQ(JURIS_MODE_OFF, mode_of(&self->c));
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_GET_STATUS, put_u32_attr, &unknown, &r));
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_TABLE_BEGIN, put_u32_attr, &addr, &r));
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_u32_attr, &addr, &r));
	EXPECT_TRUE(r.bad_attr);
	/* JURIS_A_MODE is a u8: four bytes are not one. */
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_u32_attr, &mode, &r));
	EXPECT_TRUE(r.bad_attr);
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_trailing_bytes, NULL, &r));
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_reserved, NULL, &r));
	/* None of them changed the policy. */
	EXPECT_EQ(JURIS_MODE_OFF, mode_of(&self->c));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	ASSERT_EQ(1, r.nallow);
	expect_table_unchanged(_metadata, self, variant->v6);
}

TEST_F(juris, totals_are_nested_u64)
{
	struct reply r;

	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_TRUE(r.counts_ok);
}

TEST_F(juris, family_version)
{
	struct nl_cache *cache;
	struct genl_family *f;

	ASSERT_EQ(0, genl_ctrl_alloc_cache(self->c.sk, &cache));
	f = genl_ctrl_search_by_name(cache, JURIS_GENL_NAME);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(JURIS_GENL_VERSION, genl_family_get_version(f));
	genl_family_put(f);
	nl_cache_free(cache);
}

TEST_F(juris, bad_policy_keeps_policy)
{
	struct reply r;

	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_allow, "INSG", &r));
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_allow, "USx1", &r));
	EXPECT_NE(NULL, strstr(r.extack, "country code")) TH_LOG("extack: '%s'", r.extack);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	ASSERT_EQ(2, r.nallow);
	EXPECT_EQ(0, memcmp(r.allow, "INSG", 4));
	EXPECT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_allow, "", &r));
}

/* A deny list approves every country it does not list. */
TEST_F(juris, deny_list)
{
	struct ranges in = addr_in(variant->v6, 1), none = addr_in(variant->v6, 2);
	struct reply r;

	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_deny, "INUS", &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(2, r.ndeny);
	EXPECT_EQ(0, r.nallow);
	EXPECT_EQ(0, memcmp(r.deny, "INUS", 4));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_LOOKUP, put_addr, &in, &r));
	EXPECT_EQ(JURIS_RULE_COUNTRY, r.rule);
	EXPECT_EQ(JURIS_VERDICT_ALLOW, r.verdict) TH_LOG("mode off allows");
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_LOOKUP, put_addr, &none, &r));
	EXPECT_EQ(JURIS_RULE_UNKNOWN, r.rule);
	/* Both at once are refused, and the deny list stays. */
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_allow_and_deny, NULL, &r));
	EXPECT_NE(NULL, strstr(r.extack, "not both")) TH_LOG("extack: '%s'", r.extack);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(2, r.ndeny);
	EXPECT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_allow, "", &r));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(0, r.ndeny);
}

/* Prefix rules come back sorted, decide lookups, and an empty nest clears them. */
TEST_F(juris, prefix_rules)
{
	struct ranges in = addr_in(variant->v6, 1), other = addr_in(variant->v6, 2);
	static struct rules x;
	struct reply r;

	x.n = 0;
	rule_at(&x, variant->v6, 2, variant->v6 ? 48 : 24, JURIS_PREFIX_EXEMPT);
	rule_at(&x, variant->v6, 1, variant->v6 ? 48 : 24, JURIS_PREFIX_BLOCK);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_rules, &x, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(2, r.nprefixes);
	EXPECT_EQ(0, memcmp(r.prefix, x.e[1].addr, x.e[1].alen)) TH_LOG("sorted: net 1 first");
	EXPECT_EQ(JURIS_PREFIX_BLOCK, r.prefix_action);
	EXPECT_EQ(variant->v6 ? 48 : 24, r.prefix_len);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_LOOKUP, put_addr, &in, &r));
	EXPECT_EQ(JURIS_RULE_PREFIX, r.rule);
	EXPECT_STREQ("IN", r.country);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_LOOKUP, put_addr, &other, &r));
	EXPECT_EQ(JURIS_RULE_PREFIX, r.rule);
	x.n = 0;
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_rules, &x, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(0, r.nprefixes);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_LOOKUP, put_addr, &in, &r));
	EXPECT_EQ(JURIS_RULE_COUNTRY, r.rule);
}

/* Each bad rule set is refused with a message; the rules in force stay. */
TEST_F(juris, bad_prefix_rules_keep_rules)
{
	static struct rules good, bad;
	int bits = variant->v6 ? 128 : 32, i;
	struct reply r;

	good.n = 0;
	rule_at(&good, variant->v6, 1, bits - 8, JURIS_PREFIX_EXEMPT);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_rules, &good, &r)) TH_LOG("%s", r.extack);

	bad = good;
	bad.e[0].addr[bad.e[0].alen - 1] = 1;	/* a host inside the prefix */
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_rules, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "bits set past")) TH_LOG("extack: '%s'", r.extack);
	bad = good;
	bad.e[0].len = bits + 1;
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_rules, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "longer than the address")) TH_LOG("extack: '%s'", r.extack);
	bad = good;
	bad.e[0].action = -1;
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_rules, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "needs an address")) TH_LOG("extack: '%s'", r.extack);
	bad = good;
	bad.e[0].action = JURIS_PREFIX_MAX + 1;
	EXPECT_EQ(-ERANGE, request(&self->c, JURIS_CMD_SET_POLICY, put_rules, &bad, &r));
	EXPECT_TRUE(r.bad_attr);
	bad = good;
	bad.e[0].alen = 5;
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_rules, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "4 or 16 bytes")) TH_LOG("extack: '%s'", r.extack);
	bad.n = 0;
	for (i = 0; i <= JURIS_MAX_PREFIXES; ++i)
		rule_at(&bad, variant->v6, i % 256, bits, JURIS_PREFIX_BLOCK);
	EXPECT_EQ(-E2BIG, request(&self->c, JURIS_CMD_SET_POLICY, put_rules, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "limit")) TH_LOG("extack: '%s'", r.extack);
	bad.n = JURIS_MAX_PREFIXES;
	EXPECT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_rules, &bad, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_rules, &good, &r)) TH_LOG("%s", r.extack);

	/* After all of them, the one good rule. */
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(1, r.nprefixes);
	EXPECT_EQ(bits - 8, r.prefix_len);
	good.n = 0;
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_rules, &good, &r));
	expect_table_unchanged(_metadata, self, variant->v6);
}

/* UID rules come back in order; a lookup with a UID finds the first match. */
TEST_F(juris, uid_rules)
{
	struct uid_lookup l = { .addr = addr_in(variant->v6, 1) };
	static struct uidrules x;
	struct reply r;

	x.n = 0;
	uid_rule(&x, 10000, 10999, JURIS_UID_BLOCK, NULL);
	uid_rule(&x, 10500, -1, JURIS_UID_ALLOW, "IN");
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_uids, &x, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(2, r.nuids);
	EXPECT_EQ(10000, r.uid_first);
	EXPECT_EQ(10999, r.uid_last);
	l.uid = 10500;
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_LOOKUP, put_addr_uid, &l, &r)) TH_LOG("%s", r.extack);
	EXPECT_EQ(JURIS_RULE_UID, r.rule);
	l.uid = 11000;
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_LOOKUP, put_addr_uid, &l, &r)) TH_LOG("%s", r.extack);
	EXPECT_EQ(JURIS_RULE_COUNTRY, r.rule);
	x.n = 0;
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_uids, &x, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(0, r.nuids);
}

/* Each bad UID rule set is refused with a message; the rules in force stay. */
TEST_F(juris, bad_uid_rules_keep_rules)
{
	static struct uidrules good, bad;
	struct reply r;
	int i;

	good.n = 0;
	uid_rule(&good, 10000, 19999, JURIS_UID_DENY, "CN");
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_uids, &good, &r)) TH_LOG("%s", r.extack);

	bad = good;
	bad.e[0].last = 9999;
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_uids, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "before its first")) TH_LOG("extack: '%s'", r.extack);
	bad = good;
	bad.e[0].action = JURIS_UID_EXEMPT;
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_uids, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "list countries")) TH_LOG("extack: '%s'", r.extack);
	bad = good;
	bad.e[0].cc = NULL;
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_uids, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "list countries")) TH_LOG("extack: '%s'", r.extack);
	bad = good;
	bad.e[0].first = -1;
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_uids, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "needs a first UID")) TH_LOG("extack: '%s'", r.extack);
	bad = good;
	bad.e[0].action = JURIS_UID_MAX + 1;
	EXPECT_EQ(-ERANGE, request(&self->c, JURIS_CMD_SET_POLICY, put_uids, &bad, &r));
	EXPECT_TRUE(r.bad_attr);
	bad = good;
	bad.e[0].cc = "C1";
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_uids, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "country code")) TH_LOG("extack: '%s'", r.extack);
	bad.n = 0;
	for (i = 0; i <= JURIS_MAX_UID_RULES; ++i)
		uid_rule(&bad, i, -1, JURIS_UID_BLOCK, NULL);
	EXPECT_EQ(-E2BIG, request(&self->c, JURIS_CMD_SET_POLICY, put_uids, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "limit")) TH_LOG("extack: '%s'", r.extack);
	bad.n = JURIS_MAX_UID_RULES;
	EXPECT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_uids, &bad, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_uids, &good, &r)) TH_LOG("%s", r.extack);

	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(1, r.nuids);
	EXPECT_EQ(10000, r.uid_first);
	good.n = 0;
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_uids, &good, &r));
	expect_table_unchanged(_metadata, self, variant->v6);
}

/*
 * UIDs are those of the writer's user namespace: in a namespace mapping
 * 0-999 to 100000-100999 (with a network namespace of its own, where it
 * may change juris), a rule over 0-999 is taken and shown as written, one
 * over an unmapped UID refused, as is a lookup with one.
 */
TEST_F(juris, uid_rules_follow_the_user_namespace)
{
	int go[2], ready[2], status;
	char path[64], c;
	pid_t pid;
	FILE *f;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct uid_lookup l = { .addr = addr_in(variant->v6, 1), .uid = 5 };
		static struct uidrules x;
		struct reply r;
		struct conn c2;

		if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
			_exit(2);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(3);
		if (conn_open(&c2))
			_exit(4);
		x.n = 0;
		uid_rule(&x, 0, 999, JURIS_UID_EXEMPT, NULL);
		if (request(&c2, JURIS_CMD_SET_POLICY, put_uids, &x, &r))
			_exit(5);
		if (request(&c2, JURIS_CMD_GET_STATUS, NULL, NULL, &r) || r.nuids != 1 ||
		    r.uid_first != 0 || r.uid_last != 999)
			_exit(6);
		if (request(&c2, JURIS_CMD_LOOKUP, put_addr_uid, &l, &r) || r.rule != JURIS_RULE_UID)
			_exit(7);
		l.uid = 5000;
		if (request(&c2, JURIS_CMD_LOOKUP, put_addr_uid, &l, &r) != -EINVAL)
			_exit(8);
		uid_rule(&x, 5000, -1, JURIS_UID_BLOCK, NULL);
		if (request(&c2, JURIS_CMD_SET_POLICY, put_uids, &x, &r) != -EINVAL ||
		    !strstr(r.extack, "not mapped"))
			_exit(9);
		if (request(&c2, JURIS_CMD_GET_STATUS, NULL, NULL, &r) || r.nuids != 1)
			_exit(10);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "0 100000 1000\n");
	ASSERT_EQ(0, fclose(f));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("the child failed at step %d", WEXITSTATUS(status));
}

/* Without CAP_NET_ADMIN: reading works, changing is refused. */
TEST_F(juris, changes_need_cap_net_admin)
{
	struct ranges us = one_range(variant->v6, 2, "US", 0);
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	struct reply r;
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct conn c;

		if (conn_open(&c) || syscall(SYS_capset, &hdr, data))
			_exit(2);
		if (request(&c, JURIS_CMD_GET_STATUS, NULL, NULL, &r))
			_exit(3);
		if (request(&c, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r) != -EPERM)
			_exit(4);
		if (request(&c, JURIS_CMD_TABLE_ADD, put_ranges, &us, &r) != -EPERM ||
		    request(&c, JURIS_CMD_TABLE_COMMIT, put_audit_allow, "US", &r) != -EPERM ||
		    request(&c, JURIS_CMD_SET_POLICY, put_lock, NULL, &r) != -EPERM ||
		    request(&c, JURIS_CMD_TABLE_ABORT, NULL, NULL, &r) != -EPERM)
			_exit(6);
		_exit(request(&c, JURIS_CMD_SET_POLICY, put_allow, "US", &r) == -EPERM ? 0 : 5);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* NAT64 prefixes for JURIS_A_NAT64: address (alen bytes), length, action. */
struct nat64 {
	int n;
	struct {
		unsigned char addr[16];
		int alen, len, action;
	} e[JURIS_MAX_NAT64 + 2];
};

static void put_nat64(struct nl_msg *msg, const void *arg)
{
	const struct nat64 *x = arg;
	struct nlattr *outer, *inner;
	int i;

	if (!x->n) {
		nla_put(msg, JURIS_A_NAT64 | NLA_F_NESTED, 0, NULL);
		return;
	}
	outer = nla_nest_start(msg, JURIS_A_NAT64);
	for (i = 0; i < x->n; ++i) {
		inner = nla_nest_start(msg, i + 1);
		nla_put(msg, JURIS_PREFIX_A_ADDR, x->e[i].alen, x->e[i].addr);
		nla_put_u8(msg, JURIS_PREFIX_A_LEN, x->e[i].len);
		if (x->e[i].action >= 0)
			nla_put_u8(msg, JURIS_PREFIX_A_ACTION, x->e[i].action);
		nla_nest_end(msg, inner);
	}
	nla_nest_end(msg, outer);
}

/* 2001:db8:N::/len */
static void nat64_at(struct nat64 *x, int net, int len)
{
	unsigned char p[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, net };

	memcpy(x->e[x->n].addr, p, 16);
	x->e[x->n].alen = 16;
	x->e[x->n].len = len;
	x->e[x->n].action = -1;
	x->n++;
}

/*
 * A NAT64 address is looked up as the IPv4 one it embeds; bad prefixes
 * are refused with a reason and leave the good ones.
 */
TEST_F(juris, nat64_prefixes)
{
	/* 2001:db8:64::/96 holding net 1's 192.0.1.1. */
	struct ranges a = { .len = 16, .data = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x64, [12] = 192, 0, 1, 1 } };
	struct nat64 good = { 0 }, bad;
	struct reply r;
	int i;

	if (variant->v6)
		SKIP(return, "the embedded address is IPv4");
	nat64_at(&good, 0x64, 96);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_nat64, &good, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_LOOKUP, put_addr, &a, &r));
	EXPECT_STREQ("IN", r.country);
	EXPECT_EQ(0, memcmp(r.embedded, a.data + 12, 4));

	bad = good;
	bad.e[0].len = 33;
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_nat64, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "RFC 6052")) TH_LOG("extack: '%s'", r.extack);
	bad = good;
	bad.e[0].addr[15] = 1;
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_nat64, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "bits set past")) TH_LOG("extack: '%s'", r.extack);
	bad = good;
	bad.e[0].action = JURIS_PREFIX_BLOCK;
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_SET_POLICY, put_nat64, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "no action")) TH_LOG("extack: '%s'", r.extack);
	bad = good;
	bad.e[0].alen = 4;
	/* The kernel's exact-length check: ERANGE, pointing at the address. */
	EXPECT_GT(0, request(&self->c, JURIS_CMD_SET_POLICY, put_nat64, &bad, &r));
	EXPECT_TRUE(r.bad_attr);
	bad.n = 0;
	for (i = 0; i <= JURIS_MAX_NAT64; ++i)
		nat64_at(&bad, i, 48);
	EXPECT_EQ(-E2BIG, request(&self->c, JURIS_CMD_SET_POLICY, put_nat64, &bad, &r));
	EXPECT_NE(NULL, strstr(r.extack, "limit")) TH_LOG("extack: '%s'", r.extack);
	bad.n = JURIS_MAX_NAT64;
	EXPECT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_nat64, &bad, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_nat64, &good, &r));

	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(1, r.nnat64);
	EXPECT_EQ(96, r.nat64_len);
	good.n = 0;
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_nat64, &good, &r));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(0, r.nnat64);
}

static void put_u8_pair(struct nl_msg *msg, const void *arg)
{
	const int *v = arg;

	nla_put_u8(msg, v[0], v[1]);
}

TEST_F(juris, action_and_scope)
{
	static const int reject[2] = { JURIS_A_ACTION, JURIS_ACTION_REJECT };
	static const int bad_action[2] = { JURIS_A_ACTION, JURIS_ACTION_MAX + 1 };
	static const int local[2] = { JURIS_A_SCOPE, JURIS_SCOPE_LOCAL };
	static const int no_scope[2] = { JURIS_A_SCOPE, 0 };
	static const int bad_scope[2] = { JURIS_A_SCOPE, JURIS_SCOPE_MASK + 1 };
	static const int drop[2] = { JURIS_A_ACTION, JURIS_ACTION_DROP };
	static const int all[2] = { JURIS_A_SCOPE, JURIS_SCOPE_MASK };
	struct reply r;

	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(JURIS_ACTION_DROP, r.action);
	EXPECT_EQ(JURIS_SCOPE_MASK, r.scope);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_u8_pair, reject, &r));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_u8_pair, local, &r));
	EXPECT_EQ(-ERANGE, request(&self->c, JURIS_CMD_SET_POLICY, put_u8_pair, bad_action, &r));
	EXPECT_TRUE(r.bad_attr);
	EXPECT_EQ(-ERANGE, request(&self->c, JURIS_CMD_SET_POLICY, put_u8_pair, no_scope, &r));
	EXPECT_EQ(-ERANGE, request(&self->c, JURIS_CMD_SET_POLICY, put_u8_pair, bad_scope, &r));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(JURIS_ACTION_REJECT, r.action);
	EXPECT_EQ(JURIS_SCOPE_LOCAL, r.scope);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_u8_pair, drop, &r));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_u8_pair, all, &r));
}

/* juris apply: a COMMIT carrying a policy switches both together. */
TEST_F(juris, commit_with_policy)
{
	static const int mode_off[2] = { JURIS_A_MODE, JURIS_MODE_OFF };
	struct ranges us = one_range(variant->v6, 2, "US", 0);
	struct ranges a = addr_in(variant->v6, 2);
	struct reply r;

	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_ADD, put_ranges, &us, &r));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_COMMIT, put_audit_allow, "US", &r))
		TH_LOG("%s", r.extack);
	EXPECT_EQ(self->generation + 1, r.generation);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(self->generation + 1, r.generation);
	EXPECT_EQ(JURIS_MODE_AUDIT, r.mode);
	ASSERT_EQ(1, r.nallow);
	EXPECT_EQ(0, memcmp(r.allow, "US", 2));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_LOOKUP, put_addr, &a, &r));
	EXPECT_STREQ("US", r.country);
	EXPECT_EQ(JURIS_VERDICT_ALLOW, r.verdict);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_u8_pair, mode_off, &r));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_allow, "", &r));
}

/* A COMMIT whose policy is refused commits nothing and ends the load. */
TEST_F(juris, bad_commit_keeps_table_and_policy)
{
	struct ranges us = one_range(variant->v6, 2, "US", 0);
	struct reply r;

	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_allow, "IN", &r));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_ADD, put_ranges, &us, &r));
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_TABLE_COMMIT, put_allow_and_deny, NULL, &r));
	EXPECT_NE(NULL, strstr(r.extack, "not both")) TH_LOG("extack: '%s'", r.extack);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r));
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_TABLE_ADD, put_ranges, &us, &r));
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_TABLE_COMMIT, put_audit_allow, "U1", &r));
	EXPECT_NE(NULL, strstr(r.extack, "country code")) TH_LOG("extack: '%s'", r.extack);
	EXPECT_EQ(-EINVAL, request(&self->c, JURIS_CMD_TABLE_COMMIT, NULL, NULL, &r));
	EXPECT_NE(NULL, strstr(r.extack, "no table load")) TH_LOG("extack: '%s'", r.extack);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(JURIS_MODE_OFF, r.mode);
	ASSERT_EQ(1, r.nallow);
	EXPECT_EQ(0, memcmp(r.allow, "IN", 2));
	expect_table_unchanged(_metadata, self, variant->v6);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_allow, "", &r));
}

/*
 * A lock, in a network namespace of the test's own (locking the initial
 * one would hold the module until reboot): every change is then refused
 * with "policy is locked", reads still work.
 */
TEST_F(juris, lock_refuses_every_change)
{
	struct ranges us = one_range(variant->v6, 2, "US", 0);
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct reply r;
		struct conn c;

		if (unshare(CLONE_NEWNET) || conn_open(&c))
			_exit(2);
		if (request(&c, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r) ||
		    request(&c, JURIS_CMD_TABLE_ADD, put_ranges, &us, &r) ||
		    request(&c, JURIS_CMD_TABLE_COMMIT, put_lock, NULL, &r))
			_exit(3);
		if (request(&c, JURIS_CMD_GET_STATUS, NULL, NULL, &r) || !r.locked)
			_exit(4);
		if (request(&c, JURIS_CMD_SET_POLICY, put_allow, "US", &r) != -EPERM ||
		    !strstr(r.extack, "policy is locked"))
			_exit(5);
		if (request(&c, JURIS_CMD_TABLE_BEGIN, NULL, NULL, &r) != -EPERM ||
		    request(&c, JURIS_CMD_TABLE_ADD, put_ranges, &us, &r) != -EPERM ||
		    request(&c, JURIS_CMD_TABLE_COMMIT, NULL, NULL, &r) != -EPERM ||
		    request(&c, JURIS_CMD_TABLE_ABORT, NULL, NULL, &r) != -EPERM ||
		    request(&c, JURIS_CMD_SET_POLICY, put_lock, NULL, &r) != -EPERM)
			_exit(6);
		if (request(&c, JURIS_CMD_GET_STATUS, NULL, NULL, &r) || r.generation != 1 ||
		    r.nallow != 0)
			_exit(7);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Event settings for SET_POLICY: rate, burst, log; -1 leaves one out. */
static void put_events(struct nl_msg *msg, const void *arg)
{
	const long *v = arg;

	if (v[0] >= 0)
		nla_put_u32(msg, JURIS_A_EVENT_RATE, v[0]);
	if (v[1] >= 0)
		nla_put_u32(msg, JURIS_A_EVENT_BURST, v[1]);
	if (v[2] >= 0)
		nla_put_u8(msg, JURIS_A_LOG, v[2]);
}

/* Status reports the event settings; values out of range change nothing. */
TEST_F(juris, event_settings)
{
	static const long set[3] = { 50, 7, JURIS_LOG_KERNEL };
	static const long defaults[3] = { JURIS_DEFAULT_EVENT_RATE, JURIS_DEFAULT_EVENT_BURST,
					  JURIS_LOG_OFF };
	static const long bad[][3] = {
		{ JURIS_MAX_EVENT_RATE + 1, -1, -1 },
		{ -1, 0, -1 },
		{ -1, JURIS_MAX_EVENT_BURST + 1, -1 },
		{ -1, -1, JURIS_LOG_MAX + 1 },
	};
	struct reply r;
	size_t i;

	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_events, set, &r)) TH_LOG("%s", r.extack);
	for (i = 0; i < ARRAY_SIZE(bad); ++i) {
		/* The kernel's own range checks answer ERANGE. */
		EXPECT_EQ(-ERANGE, request(&self->c, JURIS_CMD_SET_POLICY, put_events, bad[i], &r))
			TH_LOG("bad setting %zu accepted", i);
		EXPECT_TRUE(r.bad_attr) TH_LOG("bad setting %zu: no attribute named", i);
	}
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_GET_STATUS, NULL, NULL, &r));
	EXPECT_EQ(50, r.event_rate);
	EXPECT_EQ(7, r.event_burst);
	EXPECT_EQ(JURIS_LOG_KERNEL, r.log);
	ASSERT_EQ(0, request(&self->c, JURIS_CMD_SET_POLICY, put_events, defaults, &r));
}

/* Joins the events group on a socket of its own: 0 or -errno. */
static int join_events(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int group, ret;

	if (!sk || genl_connect(sk))
		return -EIO;
	group = genl_ctrl_resolve_grp(sk, JURIS_GENL_NAME, JURIS_MCGRP_EVENTS);
	if (group < 0)
		ret = -ENOENT;
	else
		ret = setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				 &group, sizeof(group)) ? -errno : 0;
	nl_socket_free(sk);
	return ret;
}

/*
 * Events tell who talks to whom: only CAP_NET_ADMIN over the namespace
 * may listen. Not a process without it, not root of a user namespace of
 * its own towards a namespace it does not own; but that root may listen
 * to a namespace of its own.
 */
TEST_F(juris, events_need_cap_net_admin)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	int status;
	pid_t pid;

	if (variant->v6)
		SKIP(return, "no address family involved");
	ASSERT_EQ(0, join_events());
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(syscall(SYS_capset, &hdr, data) ? 1 : join_events() == -EPERM ? 0 : 2);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("without CAP_NET_ADMIN: step %d", WEXITSTATUS(status));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(setresuid(65534, 65534, 65534) ? 1 : join_events() == -EPERM ? 0 : 2);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("as uid 65534: step %d", WEXITSTATUS(status));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setresuid(65534, 65534, 65534) || unshare(CLONE_NEWUSER))
			_exit(1);
		if (join_events() != -EPERM)
			_exit(2);
		if (unshare(CLONE_NEWNET))
			_exit(3);
		_exit(join_events() ? 4 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("user namespace root: step %d", WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
