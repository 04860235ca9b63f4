// SPDX-License-Identifier: GPL-2.0
/*
 * The "juris" generic netlink family: policy, table transactions, lookups
 * and counters. The protocol is documented in uapi/juris.h.
 */

#include <linux/ctype.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <net/netlink.h>

#include "compat.h"
#include "digest.h"
#include "events.h"
#include "hooks.h"
#include "juris.h"
#include "netlink.h"

struct juris_txn {
	u32 portid;		/* the socket that began it */
	/*
	 * COMMIT is building the table from the rows, outside jn->lock:
	 * nothing else may touch or free them until it takes the lock again.
	 */
	bool committing;
	u32 seq;		/* rows added so far, both families */
	struct juris_load load[2];
};

static struct genl_family juris_family;

/*
 * What one pending load may hold, both families together: any user can
 * open one in a network namespace of its own. 2^20 ranges is about twice
 * the world's tables: 48 MiB while loading if they overlap, 6 (IPv4) or 18
 * (IPv6) bytes a range if they come sorted and disjoint.
 */
static unsigned int max_rows = 1U << 20;
module_param(max_rows, uint, 0644);
MODULE_PARM_DESC(max_rows, "most ranges one table load may hold (default 1048576)");

/*
 * Length rules the policy types cannot say. The kernel checks the maximum
 * (.len) first and leaves the message to us (a literal, for extack): point
 * it at the attribute.
 */
static int validate_allow(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	if (nla_len(attr) % 2) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "countries must be 2-letter codes");
		return -EINVAL;
	}
	return 0;
}

static int validate_ranges4(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	if (nla_len(attr) % sizeof(struct juris_range4)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "IPv4 ranges length is not a multiple of the entry size");
		return -EINVAL;
	}
	return 0;
}

static int validate_ranges6(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	if (nla_len(attr) % sizeof(struct juris_range6)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "IPv6 ranges length is not a multiple of the entry size");
		return -EINVAL;
	}
	return 0;
}

static int validate_addr(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	if (nla_len(attr) != 4 && nla_len(attr) != 16) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "an address of 4 or 16 bytes is required");
		return -EINVAL;
	}
	return 0;
}

/*
 * One policy per command: an attribute the command does not take is
 * refused, as is every attribute of the commands that take none.
 */
static const struct nla_policy juris_nl_none_policy[JURIS_A_MAX + 1] = {};

static const struct nla_policy juris_nl_prefix_policy[JURIS_PREFIX_A_MAX + 1] = {
	[JURIS_PREFIX_A_ADDR] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_addr, 16),
	/* Its bound depends on the address: checked with it. */
	[JURIS_PREFIX_A_LEN] = { .type = NLA_U8 },
	[JURIS_PREFIX_A_ACTION] = NLA_POLICY_RANGE(NLA_U8, JURIS_PREFIX_EXEMPT,
						   JURIS_PREFIX_MAX),
};

static const struct nla_policy juris_nl_uid_policy[JURIS_UID_A_MAX + 1] = {
	[JURIS_UID_A_FIRST] = { .type = NLA_U32 },
	[JURIS_UID_A_LAST] = { .type = NLA_U32 },
	[JURIS_UID_A_ACTION] = NLA_POLICY_RANGE(NLA_U8, JURIS_UID_EXEMPT, JURIS_UID_MAX),
	[JURIS_UID_A_COUNTRIES] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_allow,
							 2 * (JURIS_NCC - 1)),
};

/* A NAT64 prefix: JURIS_PREFIX_A_ADDR and _LEN, no action. */
static const struct nla_policy juris_nl_nat64_policy[JURIS_PREFIX_A_MAX + 1] = {
	[JURIS_PREFIX_A_ADDR] = NLA_POLICY_EXACT_LEN(16),
	[JURIS_PREFIX_A_LEN] = { .type = NLA_U8 },
	[JURIS_PREFIX_A_ACTION] = { .type = NLA_REJECT,
				    .reject_message = "a NAT64 prefix takes no action" },
};

/* Not const: 6.1's policy points at a mutable one. */
static struct netlink_range_validation event_rate_range = {
	.max = JURIS_MAX_EVENT_RATE,
};

/* SET_POLICY's, and COMMIT's: a table and a policy switch together. */
static const struct nla_policy juris_nl_set_policy_policy[JURIS_A_MAX + 1] = {
	[JURIS_A_MODE] = NLA_POLICY_MAX(NLA_U8, JURIS_MODE_MAX),
	[JURIS_A_UNKNOWN] = NLA_POLICY_MAX(NLA_U8, JURIS_UNKNOWN_MAX),
	[JURIS_A_ALLOW] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_allow,
						 2 * (JURIS_NCC - 1)),
	[JURIS_A_DENY] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_allow,
						2 * (JURIS_NCC - 1)),
	[JURIS_A_PREFIXES] = NLA_POLICY_NESTED_ARRAY(juris_nl_prefix_policy),
	[JURIS_A_UIDS] = NLA_POLICY_NESTED_ARRAY(juris_nl_uid_policy),
	[JURIS_A_ACTION] = NLA_POLICY_MAX(NLA_U8, JURIS_ACTION_MAX),
	[JURIS_A_SCOPE] = NLA_POLICY_RANGE(NLA_U8, 1, JURIS_SCOPE_MASK),
	[JURIS_A_NAT64] = NLA_POLICY_NESTED_ARRAY(juris_nl_nat64_policy),
	[JURIS_A_EVENT_RATE] = NLA_POLICY_FULL_RANGE(NLA_U32, &event_rate_range),
	[JURIS_A_EVENT_BURST] = NLA_POLICY_RANGE(NLA_U32, 1, JURIS_MAX_EVENT_BURST),
	[JURIS_A_LOG] = NLA_POLICY_MAX(NLA_U8, JURIS_LOG_MAX),
	[JURIS_A_LOCK] = { .type = NLA_FLAG },
};

static const struct nla_policy juris_nl_table_add_policy[JURIS_A_MAX + 1] = {
	[JURIS_A_RANGES4] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_ranges4,
						   JURIS_MAX_CHUNK_BYTES),
	[JURIS_A_RANGES6] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_ranges6,
						   JURIS_MAX_CHUNK_BYTES),
};

static const struct nla_policy juris_nl_lookup_policy[JURIS_A_MAX + 1] = {
	[JURIS_A_ADDR] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_addr, 16),
	[JURIS_A_UID] = { .type = NLA_U32 },
};

static void txn_free(struct juris_txn *txn)
{
	if (!txn)
		return;
	juris_load_free(&txn->load[0]);
	juris_load_free(&txn->load[1]);
	kfree(txn);
}

void juris_txn_drop(struct juris_net *jn)
{
	lockdep_assert_held(&jn->lock);
	txn_free(jn->txn);
	jn->txn = NULL;
	WRITE_ONCE(jn->txn_portid, 0);
}

static juris_u128 addr_get(const u8 *p, int len)
{
	juris_u128 a = 0;
	int i;

	for (i = 0; i < len; ++i)
		a = a << 8 | p[i];
	return a;
}

static void addr_put(u8 *p, int len, juris_u128 a)
{
	while (len--) {
		p[len] = (u8)a;
		a >>= 8;
	}
}

static void sum_counts(struct juris_net *jn, int slot, struct juris_count *out)
{
	int v, cpu;

	for (v = 0; v < __JURIS_VERDICT_LAST; ++v) {
		/* Pairs with counts_alloc(): seen only once zeroed. */
		struct juris_count __percpu *counts = smp_load_acquire(&jn->counts[v]);

		out[v].packets = 0;
		out[v].bytes = 0;
		/* No counters yet: the mode has always been off. */
		if (!counts)
			continue;
		for_each_possible_cpu(cpu) {
			const struct juris_count *c = per_cpu_ptr(counts, cpu) + slot;

			out[v].packets += READ_ONCE(c->packets);
			out[v].bytes += READ_ONCE(c->bytes);
		}
	}
}

/* A nest per verdict of packets and bytes: see "Counts" in uapi/juris.h. */
static int put_counts(struct sk_buff *msg, int type,
		      const struct juris_count counts[__JURIS_VERDICT_LAST])
{
	static const int verdict_attr[__JURIS_VERDICT_LAST] = {
		[JURIS_VERDICT_ALLOW] = JURIS_COUNTS_A_ALLOWED,
		[JURIS_VERDICT_DENY] = JURIS_COUNTS_A_DENIED,
		[JURIS_VERDICT_AUDIT] = JURIS_COUNTS_A_AUDITED,
	};
	struct nlattr *outer, *inner;
	int v;

	outer = nla_nest_start(msg, type);
	if (!outer)
		return -EMSGSIZE;
	for (v = 0; v < __JURIS_VERDICT_LAST; ++v) {
		inner = nla_nest_start(msg, verdict_attr[v]);
		if (!inner ||
		    nla_put_u64_64bit(msg, JURIS_COUNT_A_PACKETS, counts[v].packets,
				      JURIS_COUNT_A_PAD) ||
		    nla_put_u64_64bit(msg, JURIS_COUNT_A_BYTES, counts[v].bytes,
				      JURIS_COUNT_A_PAD)) {
			nla_nest_cancel(msg, outer);
			return -EMSGSIZE;
		}
		nla_nest_end(msg, inner);
	}
	nla_nest_end(msg, outer);
	return 0;
}

static int put_table(struct sk_buff *msg, const struct juris_table *t)
{
	if (!t)
		return 0;
	if (nla_put_u64_64bit(msg, JURIS_A_TABLE_GEN, t->generation, JURIS_A_PAD) ||
	    nla_put_u32(msg, JURIS_A_TABLE_V4, t->rows[0]) ||
	    nla_put_u32(msg, JURIS_A_TABLE_V6, t->rows[1]) ||
	    nla_put_u32(msg, JURIS_A_SEGMENTS_V4, t->nseg[0]) ||
	    nla_put_u32(msg, JURIS_A_SEGMENTS_V6, t->nseg[1]) ||
	    nla_put_u64_64bit(msg, JURIS_A_TABLE_BYTES, t->bytes, JURIS_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* How many countries a set lists. */
static u32 set_count(const u64 *set)
{
	u32 i, n = 0;

	for (i = 0; i < (JURIS_NCC + 63) / 64; ++i)
		n += hweight64(set[i]);
	return n;
}

/* A set's codes, in order, at out (2 bytes each). */
static void set_codes(const u64 *set, u8 *out)
{
	u32 i;

	for (i = 0; i < (JURIS_NCC + 63) / 64; ++i) {
		u64 w = set[i];

		while (w) {
			juris_cc_code(64 * i + __ffs64(w), out);
			out += 2;
			w &= w - 1;
		}
	}
}

/* The country set: JURIS_A_ALLOW, or JURIS_A_DENY for a deny list. */
static int put_set(struct sk_buff *msg, const struct juris_policy *p)
{
	struct nlattr *attr;

	attr = nla_reserve(msg, p->deny ? JURIS_A_DENY : JURIS_A_ALLOW, 2 * set_count(p->set));
	if (!attr)
		return -EMSGSIZE;
	set_codes(p->set, nla_data(attr));
	return 0;
}

/* What one rule takes in a message, nests included. */
#define PREFIX_MSG_BYTES (3 * NLA_HDRLEN + nla_total_size(16) + 2 * nla_total_size(1))

static int put_prefixes(struct sk_buff *msg, const struct juris_policy *p)
{
	struct nlattr *outer, *inner;
	u8 addr[16];
	u32 i;

	if (!p->nprefix)
		return 0;
	outer = nla_nest_start(msg, JURIS_A_PREFIXES);
	if (!outer)
		return -EMSGSIZE;
	for (i = 0; i < p->nprefix; ++i) {
		const struct juris_prefix_rule *r = &p->prefix[i];
		int len = r->bits / 8;

		addr_put(addr, len, (juris_u128)r->hi << 64 | r->lo);
		inner = nla_nest_start(msg, i + 1);
		if (!inner || nla_put(msg, JURIS_PREFIX_A_ADDR, len, addr) ||
		    nla_put_u8(msg, JURIS_PREFIX_A_LEN, r->len) ||
		    nla_put_u8(msg, JURIS_PREFIX_A_ACTION, r->action)) {
			nla_nest_cancel(msg, outer);
			return -EMSGSIZE;
		}
		nla_nest_end(msg, inner);
	}
	nla_nest_end(msg, outer);
	return 0;
}

/* What one NAT64 prefix takes in a message, nests included. */
#define NAT64_MSG_BYTES (2 * NLA_HDRLEN + nla_total_size(16) + nla_total_size(1))

static int put_nat64(struct sk_buff *msg, const struct juris_policy *p)
{
	struct nlattr *outer, *inner;
	u8 addr[16];
	u32 i;

	if (!p->nnat64)
		return 0;
	outer = nla_nest_start(msg, JURIS_A_NAT64);
	if (!outer)
		return -EMSGSIZE;
	for (i = 0; i < p->nnat64; ++i) {
		addr_put(addr, 16, p->nat64[i]);
		inner = nla_nest_start(msg, i + 1);
		if (!inner || nla_put(msg, JURIS_PREFIX_A_ADDR, 16, addr) ||
		    nla_put_u8(msg, JURIS_PREFIX_A_LEN, p->nat64_len[i])) {
			nla_nest_cancel(msg, outer);
			return -EMSGSIZE;
		}
		nla_nest_end(msg, inner);
	}
	nla_nest_end(msg, outer);
	return 0;
}

/*
 * The prefix rules of a request, checked, in *out (kvfree() it). The
 * attribute policy has checked each entry's attributes on their own.
 */
static int parse_prefixes(const struct nlattr *attr, struct juris_prefix_rule **out,
			  u32 *count, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[JURIS_PREFIX_A_MAX + 1];
	struct juris_prefix_rule *rules;
	const struct nlattr *entry;
	u32 n = 0;
	int rem, ret;

	nla_for_each_nested(entry, attr, rem)
		++n;
	if (n > JURIS_MAX_PREFIXES) {
		NL_SET_BAD_ATTR(extack, attr);
		juris_extack(extack, "too many prefix rules: past the limit",
			     "%u prefix rules, past the limit of %u", n, JURIS_MAX_PREFIXES);
		return -E2BIG;
	}
	rules = kvmalloc_array(n ? n : 1, sizeof(*rules), JURIS_GFP);
	if (!rules)
		return -ENOMEM;
	n = 0;
	nla_for_each_nested(entry, attr, rem) {
		struct juris_prefix_rule *r = &rules[n++];
		juris_u128 a, host;

		ret = nla_parse_nested(tb, JURIS_PREFIX_A_MAX, entry, juris_nl_prefix_policy,
				       extack);
		if (ret)
			goto err;
		ret = -EINVAL;
		if (!tb[JURIS_PREFIX_A_ADDR] || !tb[JURIS_PREFIX_A_LEN] ||
		    !tb[JURIS_PREFIX_A_ACTION]) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "a prefix rule needs an address, a length and an action");
			goto err;
		}
		r->bits = 8 * nla_len(tb[JURIS_PREFIX_A_ADDR]);
		r->len = nla_get_u8(tb[JURIS_PREFIX_A_LEN]);
		r->action = nla_get_u8(tb[JURIS_PREFIX_A_ACTION]);
		if (r->len > r->bits) {
			NL_SET_ERR_MSG_ATTR(extack, tb[JURIS_PREFIX_A_LEN],
					    "prefix length longer than the address");
			goto err;
		}
		a = addr_get(nla_data(tb[JURIS_PREFIX_A_ADDR]), r->bits / 8);
		host = r->len == r->bits ? 0 : ~(juris_u128)0 >> (128 - r->bits + r->len);
		if (a & host) {
			NL_SET_ERR_MSG_ATTR(extack, tb[JURIS_PREFIX_A_ADDR],
					    "prefix address has bits set past its length");
			goto err;
		}
		r->hi = (u64)(a >> 64);
		r->lo = (u64)a;
	}
	*out = rules;
	*count = n;
	return 0;

err:
	kvfree(rules);
	return ret;
}

/*
 * The kernel uids [first, last] of user namespace ns stand for, appended
 * to out[*n] as one piece per extent of its uid_map they cross (uid_map
 * holds kernel uids already, however deep the namespace). -ERANGE where
 * some are not mapped, -E2BIG past JURIS_MAX_UID_RANGES pieces. Read as
 * the kernel's own map_id_range_down() does: the map is written once.
 */
static int uid_map_range(struct user_namespace *ns, u32 first, u32 last, u32 rule,
			 struct juris_uid_range *out, u32 *n)
{
	const struct uid_gid_map *map = &ns->uid_map;
	const struct uid_gid_extent *e;
	u32 extents = READ_ONCE(map->nr_extents), i;
	u64 at = first, end;

	/* Pairs with the write barrier map_write() puts before nr_extents. */
	smp_rmb();
	e = extents <= UID_GID_MAP_MAX_BASE_EXTENTS ? map->extent : map->forward;
	while (at <= last) {
		for (i = 0; i < extents; ++i)
			if (at >= e[i].first && at - e[i].first < e[i].count)
				break;
		if (i == extents)
			return -ERANGE;
		end = min_t(u64, last, (u64)e[i].first + e[i].count - 1);
		if (*n == JURIS_MAX_UID_RANGES)
			return -E2BIG;
		out[*n].first = e[i].lower_first + (u32)(at - e[i].first);
		out[*n].last = e[i].lower_first + (u32)(end - e[i].first);
		out[*n].rule = rule;
		++*n;
		at = end + 1;
	}
	return 0;
}

/* Country codes into a set; false at the first invalid one. */
static bool set_from_codes(u64 *set, const struct nlattr *attr,
			   struct netlink_ext_ack *extack)
{
	const u8 *codes = nla_data(attr);
	int i, len = nla_len(attr);

	for (i = 0; i < len; i += 2) {
		u16 cc = juris_cc_index(codes + i);

		if (!cc) {
			NL_SET_BAD_ATTR(extack, attr);
			juris_extack(extack, "invalid country code", "invalid country code '%c%c'",
				     isprint(codes[i]) ? codes[i] : '?',
				     isprint(codes[i + 1]) ? codes[i + 1] : '?');
			return false;
		}
		set[cc / 64] |= (u64)1 << (cc % 64);
	}
	return true;
}

/* What one UID rule takes in a message, nests included. */
static size_t uid_msg_bytes(const struct juris_uid_rule *u)
{
	return 2 * NLA_HDRLEN + 2 * nla_total_size(4) + nla_total_size(1) +
	       nla_total_size(2 * set_count(u->set));
}

/*
 * The UID rules of a request, checked and mapped from the sender's user
 * namespace, in r (kvfree() its uid and range arrays).
 */
static int parse_uids(const struct nlattr *attr, struct user_namespace *ns,
		      struct juris_rules *r, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[JURIS_UID_A_MAX + 1];
	struct juris_uid_range *range;
	struct juris_uid_rule *rules;
	const struct nlattr *entry;
	size_t bytes = NLA_HDRLEN;
	u32 n = 0, nrange = 0, i;
	int rem, ret;

	nla_for_each_nested(entry, attr, rem)
		++n;
	if (n > JURIS_MAX_UID_RULES) {
		NL_SET_BAD_ATTR(extack, attr);
		juris_extack(extack, "too many UID rules: past the limit",
			     "%u UID rules, past the limit of %u", n, JURIS_MAX_UID_RULES);
		return -E2BIG;
	}
	rules = kvcalloc(n ? n : 1, sizeof(*rules), JURIS_GFP);
	range = kvmalloc_array(JURIS_MAX_UID_RANGES, sizeof(*range), JURIS_GFP);
	if (!rules || !range) {
		ret = -ENOMEM;
		goto err;
	}
	n = 0;
	nla_for_each_nested(entry, attr, rem) {
		struct juris_uid_rule *u = &rules[n];

		ret = nla_parse_nested(tb, JURIS_UID_A_MAX, entry, juris_nl_uid_policy, extack);
		if (ret)
			goto err;
		ret = -EINVAL;
		if (!tb[JURIS_UID_A_FIRST] || !tb[JURIS_UID_A_ACTION]) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "a UID rule needs a first UID and an action");
			goto err;
		}
		u->first = nla_get_u32(tb[JURIS_UID_A_FIRST]);
		u->last = tb[JURIS_UID_A_LAST] ? nla_get_u32(tb[JURIS_UID_A_LAST]) : u->first;
		u->action = nla_get_u8(tb[JURIS_UID_A_ACTION]);
		if (u->last < u->first) {
			NL_SET_ERR_MSG_ATTR(extack, tb[JURIS_UID_A_LAST],
					    "the last UID of a rule comes before its first");
			goto err;
		}
		if ((u->action == JURIS_UID_ALLOW || u->action == JURIS_UID_DENY) !=
		    !!tb[JURIS_UID_A_COUNTRIES]) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "allow and deny UID rules list countries, exempt and block ones do not");
			goto err;
		}
		if (tb[JURIS_UID_A_COUNTRIES] &&
		    !set_from_codes(u->set, tb[JURIS_UID_A_COUNTRIES], extack))
			goto err;
		ret = uid_map_range(ns, u->first, u->last, n, range, &nrange);
		if (ret == -E2BIG) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "the UID rules cross too many extents of the uid_map");
			goto err;
		}
		if (ret) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "UIDs of the rule are not mapped in the sender's user namespace");
			ret = -EINVAL;
			goto err;
		}
		++n;
	}
	/* What status will send back must fit one attribute. */
	for (i = 0; i < n; ++i)
		bytes += uid_msg_bytes(&rules[i]);
	if (bytes > U16_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the UID rules list too many countries to report");
		ret = -E2BIG;
		goto err;
	}
	r->uid = rules;
	r->nuid = n;
	r->range = range;
	r->nrange = nrange;
	return 0;

err:
	kvfree(rules);
	kvfree(range);
	return ret;
}

static int put_uids(struct sk_buff *msg, const struct juris_policy *p)
{
	struct nlattr *outer, *inner, *attr;
	u32 i;

	if (!p->nuid)
		return 0;
	outer = nla_nest_start(msg, JURIS_A_UIDS);
	if (!outer)
		return -EMSGSIZE;
	for (i = 0; i < p->nuid; ++i) {
		const struct juris_uid_rule *u = &p->uid[i];

		inner = nla_nest_start(msg, i + 1);
		if (!inner || nla_put_u32(msg, JURIS_UID_A_FIRST, u->first) ||
		    nla_put_u32(msg, JURIS_UID_A_LAST, u->last) ||
		    nla_put_u8(msg, JURIS_UID_A_ACTION, u->action))
			goto err;
		if (u->action == JURIS_UID_ALLOW || u->action == JURIS_UID_DENY) {
			attr = nla_reserve(msg, JURIS_UID_A_COUNTRIES, 2 * set_count(u->set));
			if (!attr)
				goto err;
			set_codes(u->set, nla_data(attr));
		}
		nla_nest_end(msg, inner);
	}
	nla_nest_end(msg, outer);
	return 0;

err:
	nla_nest_cancel(msg, outer);
	return -EMSGSIZE;
}

/* What a policy's rules take in a status reply. */
static size_t rules_msg_bytes(const struct juris_policy *p)
{
	size_t n = p->nprefix * PREFIX_MSG_BYTES + p->nnat64 * NAT64_MSG_BYTES;
	u32 i;

	for (i = 0; i < p->nuid; ++i)
		n += uid_msg_bytes(&p->uid[i]);
	return n;
}

static int juris_nl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct juris_net *jn = juris_net(genl_info_net(info));
	struct juris_count totals[__JURIS_VERDICT_LAST] = { 0 };
	struct juris_count slot[__JURIS_VERDICT_LAST];
	const struct juris_policy *policy;
	struct sk_buff *msg;
	size_t rules_bytes;
	u32 tries;
	int s, v, ret;
	void *hdr;

	for (s = 0; s < JURIS_NSLOTS; ++s) {
		sum_counts(jn, s, slot);
		for (v = 0; v < __JURIS_VERDICT_LAST; ++v) {
			totals[v].packets += slot[v].packets;
			totals[v].bytes += slot[v].bytes;
		}
	}

	/* Sized for the policy's rules; again if a larger policy came since. */
	for (tries = 0; tries < 8; ++tries) {
		rcu_read_lock();
		rules_bytes = rules_msg_bytes(rcu_dereference(jn->policy));
		rcu_read_unlock();
		msg = genlmsg_new(NLMSG_GOODSIZE + rules_bytes, GFP_KERNEL);
		if (!msg)
			return -ENOMEM;
		hdr = genlmsg_put_reply(msg, info, &juris_family, 0, JURIS_CMD_GET_STATUS);
		if (!hdr)
			goto err_size;

		rcu_read_lock();
		policy = rcu_dereference(jn->policy);
		ret = nla_put_u8(msg, JURIS_A_MODE, policy->mode) ||
		      nla_put_u8(msg, JURIS_A_UNKNOWN, policy->unknown) ||
		      nla_put_u8(msg, JURIS_A_ACTION, policy->action) ||
		      nla_put_u8(msg, JURIS_A_SCOPE, policy->scope) ||
		      nla_put_u32(msg, JURIS_A_EVENT_RATE, policy->event_rate) ||
		      nla_put_u32(msg, JURIS_A_EVENT_BURST, policy->event_burst) ||
		      nla_put_u8(msg, JURIS_A_LOG, policy->log) ||
		      nla_put(msg, JURIS_A_DIGEST, sizeof(policy->digest), policy->digest) ||
		      (policy->initial && nla_put_flag(msg, JURIS_A_INITIAL)) ||
		      (READ_ONCE(jn->locked) && nla_put_flag(msg, JURIS_A_LOCK)) ||
		      put_set(msg, policy) || put_nat64(msg, policy) || put_prefixes(msg, policy) ||
		      put_uids(msg, policy) || put_table(msg, policy->table);
		rcu_read_unlock();
		if (ret) {
			nlmsg_free(msg);
			continue;
		}
		if (put_counts(msg, JURIS_A_TOTALS, totals) ||
		    nla_put_u64_64bit(msg, JURIS_A_SUPPRESSED,
				      juris_events_suppressed(READ_ONCE(jn->events)), JURIS_A_PAD))
			goto err_size;
		genlmsg_end(msg, hdr);
		return genlmsg_reply(msg, info);
	}
	return -EMSGSIZE;

err_size:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* A policy change as parsed from a request, before the lock. */
struct policy_req {
	struct juris_rules rules;
	struct juris_prefix_rule *prefix;
	bool any;		/* any policy attribute at all */
	bool has_nat64;
	u8 nnat64;
	u8 nat64_len[JURIS_MAX_NAT64];
	juris_u128 nat64[JURIS_MAX_NAT64];
};

static void policy_req_free(struct policy_req *req)
{
	kvfree(req->prefix);
	kvfree(req->rules.uid);
	kvfree(req->rules.range);
}

static int parse_nat64(const struct nlattr *attr, struct policy_req *req,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[JURIS_PREFIX_A_MAX + 1];
	const struct nlattr *entry;
	int rem, ret;

	req->has_nat64 = true;
	nla_for_each_nested(entry, attr, rem) {
		juris_u128 a;
		u8 len;

		if (req->nnat64 == JURIS_MAX_NAT64) {
			NL_SET_BAD_ATTR(extack, attr);
			juris_extack(extack, "too many NAT64 prefixes: past the limit",
				     "more NAT64 prefixes than the limit of %u", JURIS_MAX_NAT64);
			return -E2BIG;
		}
		ret = nla_parse_nested(tb, JURIS_PREFIX_A_MAX, entry, juris_nl_nat64_policy,
				       extack);
		if (ret)
			return ret;
		if (!tb[JURIS_PREFIX_A_ADDR] || !tb[JURIS_PREFIX_A_LEN]) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "a NAT64 prefix needs an IPv6 address and a length");
			return -EINVAL;
		}
		len = nla_get_u8(tb[JURIS_PREFIX_A_LEN]);
		if (len != 32 && len != 40 && len != 48 && len != 56 && len != 64 && len != 96) {
			NL_SET_ERR_MSG_ATTR(extack, tb[JURIS_PREFIX_A_LEN],
					    "a NAT64 prefix is of length 32, 40, 48, 56, 64 or 96 (RFC 6052)");
			return -EINVAL;
		}
		a = addr_get(nla_data(tb[JURIS_PREFIX_A_ADDR]), 16);
		if (a << len) {
			NL_SET_ERR_MSG_ATTR(extack, tb[JURIS_PREFIX_A_ADDR],
					    "prefix address has bits set past its length");
			return -EINVAL;
		}
		req->nat64[req->nnat64] = a;
		req->nat64_len[req->nnat64++] = len;
	}
	return 0;
}

static int policy_req_parse(struct sk_buff *skb, struct genl_info *info,
			    struct policy_req *req)
{
	struct nlattr **attrs = info->attrs;
	int ret, i;

	memset(req, 0, sizeof(*req));
	/* Locking changes no policy: a fail_closed one stays initial. */
	for (i = 1; i <= JURIS_A_MAX; ++i)
		req->any |= attrs[i] && juris_nl_set_policy_policy[i].type != NLA_UNSPEC &&
			    i != JURIS_A_LOCK;
	if (attrs[JURIS_A_ALLOW] && attrs[JURIS_A_DENY]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[JURIS_A_DENY],
				    "a policy has an allow list or a deny list, not both");
		return -EINVAL;
	}
	if (attrs[JURIS_A_PREFIXES]) {
		ret = parse_prefixes(attrs[JURIS_A_PREFIXES], &req->prefix,
				     &req->rules.nprefix, info->extack);
		if (ret)
			return ret;
		req->rules.prefix = req->prefix;
	}
	if (attrs[JURIS_A_UIDS]) {
		ret = parse_uids(attrs[JURIS_A_UIDS], sk_user_ns(NETLINK_CB(skb).sk),
				 &req->rules, info->extack);
		if (ret)
			goto err;
	}
	if (attrs[JURIS_A_NAT64]) {
		ret = parse_nat64(attrs[JURIS_A_NAT64], req, info->extack);
		if (ret)
			goto err;
	}
	return 0;

err:
	policy_req_free(req);
	return ret;
}

/*
 * The namespace's policy changed by req, judging by table t (NULL: the
 * current one's); jn->lock held. NULL with *ret set on failure.
 */
static struct juris_policy *policy_req_build(struct juris_net *jn, struct genl_info *info,
					     const struct policy_req *req,
					     struct juris_table *t, int *ret)
{
	struct nlattr **attrs = info->attrs;
	struct nlattr *set = attrs[JURIS_A_ALLOW] ?: attrs[JURIS_A_DENY];
	struct juris_policy *new;

	new = juris_policy_new(juris_dereference(jn, jn->policy), &req->rules);
	if (!new) {
		*ret = -ENOMEM;
		return NULL;
	}
	if (t)
		new->table = t;
	if (req->any)
		new->initial = false;
	if (attrs[JURIS_A_MODE])
		new->mode = nla_get_u8(attrs[JURIS_A_MODE]);
	if (attrs[JURIS_A_UNKNOWN])
		new->unknown = nla_get_u8(attrs[JURIS_A_UNKNOWN]);
	if (attrs[JURIS_A_ACTION])
		new->action = nla_get_u8(attrs[JURIS_A_ACTION]);
	if (attrs[JURIS_A_SCOPE])
		new->scope = nla_get_u8(attrs[JURIS_A_SCOPE]);
	if (attrs[JURIS_A_EVENT_RATE])
		new->event_rate = nla_get_u32(attrs[JURIS_A_EVENT_RATE]);
	if (attrs[JURIS_A_EVENT_BURST])
		new->event_burst = nla_get_u32(attrs[JURIS_A_EVENT_BURST]);
	if (attrs[JURIS_A_LOG])
		new->log = nla_get_u8(attrs[JURIS_A_LOG]);
	if (req->has_nat64) {
		new->nnat64 = req->nnat64;
		memcpy(new->nat64, req->nat64, sizeof(new->nat64));
		memcpy(new->nat64_len, req->nat64_len, sizeof(new->nat64_len));
	}
	if (set) {
		memset(new->set, 0, sizeof(new->set));
		new->deny = set == attrs[JURIS_A_DENY];
		if (!set_from_codes(new->set, set, info->extack)) {
			kvfree(new);
			*ret = -EINVAL;
			return NULL;
		}
	}
	return new;
}

/* Every change fails once the namespace is locked; jn->lock held. */
static int check_unlocked(struct juris_net *jn, struct genl_info *info)
{
	if (!jn->locked)
		return 0;
	NL_SET_ERR_MSG(info->extack, "policy is locked");
	return -EPERM;
}

/*
 * Publishes new, then with JURIS_A_LOCK locks the namespace: a load still
 * open is dropped, and the module is held until the namespace ends (the
 * request runs in the module, so it is live). jn->lock held.
 */
static int publish(struct genl_info *info, struct juris_net *jn, struct juris_policy *new)
{
	int ret = juris_policy_publish(genl_info_net(info), jn, new);

	if (ret) {
		NL_SET_ERR_MSG(info->extack, "cannot hook netfilter or hash the policy");
		return ret;
	}
	if (info->attrs[JURIS_A_LOCK]) {
		if (jn->txn && !jn->txn->committing)
			juris_txn_drop(jn);
		__module_get(THIS_MODULE);
		WRITE_ONCE(jn->locked, true);
	}
	return 0;
}

static int juris_nl_set_policy(struct sk_buff *skb, struct genl_info *info)
{
	struct juris_net *jn = juris_net(genl_info_net(info));
	struct juris_policy *new;
	struct policy_req req;
	int ret;

	ret = policy_req_parse(skb, info, &req);
	if (ret)
		return ret;
	mutex_lock(&jn->lock);
	ret = check_unlocked(jn, info);
	new = ret ? NULL : policy_req_build(jn, info, &req, NULL, &ret);
	if (new)
		ret = publish(info, jn, new);
	mutex_unlock(&jn->lock);
	policy_req_free(&req);
	return ret;
}

static int juris_nl_table_begin(struct sk_buff *skb, struct genl_info *info)
{
	struct juris_net *jn = juris_net(genl_info_net(info));
	struct juris_txn *txn;
	int ret = 0;

	mutex_lock(&jn->lock);
	ret = check_unlocked(jn, info);
	if (ret)
		goto out;
	if (jn->txn && (jn->txn->portid != info->snd_portid || jn->txn->committing)) {
		NL_SET_ERR_MSG(info->extack, "another table load is in progress");
		ret = -EBUSY;
		goto out;
	}
	txn = kzalloc(sizeof(*txn), JURIS_GFP);
	if (!txn) {
		ret = -ENOMEM;
		goto out;
	}
	txn->portid = info->snd_portid;
	juris_load_init(&txn->load[0], 32);
	juris_load_init(&txn->load[1], 128);
	juris_txn_drop(jn);
	jn->txn = txn;
	WRITE_ONCE(jn->txn_portid, txn->portid);
out:
	mutex_unlock(&jn->lock);
	return ret;
}

/* The open transaction of the sender, or NULL with the reason in extack. */
static struct juris_txn *own_txn(struct juris_net *jn, struct genl_info *info)
{
	if (!jn->txn || jn->txn->portid != info->snd_portid) {
		NL_SET_ERR_MSG(info->extack, "no table load in progress on this socket");
		return NULL;
	}
	if (jn->txn->committing) {
		NL_SET_ERR_MSG(info->extack, "the table load is being committed");
		return NULL;
	}
	return jn->txn;
}

/*
 * Whether more rows of family fam fit within max_rows (checked on every
 * chunk: the parameter may change during a load) and JURIS_MAX_RANGES per
 * family; the most rows the family may then hold, in *room.
 */
static int check_room(struct juris_txn *txn, int fam, u32 more, const struct nlattr *attr,
		      u32 *room, struct netlink_ext_ack *extack)
{
	u64 limit = READ_ONCE(max_rows), want = (u64)txn->load[fam].n + more;

	if (want + txn->load[!fam].n > limit) {
		NL_SET_BAD_ATTR(extack, attr);
		juris_extack(extack, "the table load exceeds the max_rows module parameter",
			     "the table load exceeds the max_rows module parameter (%llu ranges)",
			     limit);
		return -E2BIG;
	}
	if (want > JURIS_MAX_RANGES) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "too many ranges in one table");
		return -E2BIG;
	}
	*room = min_t(u64, limit - txn->load[!fam].n, JURIS_MAX_RANGES);
	return 0;
}

static int add_rows(struct juris_txn *txn, const struct nlattr *attr, int fam,
		    struct netlink_ext_ack *extack)
{
	int alen = fam ? 16 : 4, esize = 2 * alen + 2;
	const u8 *p = nla_data(attr);
	u32 i, room, n = nla_len(attr) / esize;
	int ret;

	ret = check_room(txn, fam, n, attr, &room, extack);
	if (ret)
		return ret;
	for (i = 0; i < n; ++i, p += esize) {
		struct juris_range r;

		r.start = addr_get(p, alen);
		r.end = addr_get(p + alen, alen);
		r.cc = juris_cc_index(p + 2 * alen);
		r.seq = txn->seq++;
		if (r.start > r.end) {
			NL_SET_BAD_ATTR(extack, attr);
			juris_extack(extack, "a range starts after its end",
				     "entry %u: range starts after its end", i);
			return -EINVAL;
		}
		if (!r.cc) {
			NL_SET_BAD_ATTR(extack, attr);
			juris_extack(extack, "invalid country code in a range",
				     "entry %u: invalid country code", i);
			return -EINVAL;
		}
		ret = juris_load_add(&txn->load[fam], &r, room);
		if (ret) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "out of memory for the table load");
			return ret;
		}
	}
	return 0;
}

static int juris_nl_table_add(struct sk_buff *skb, struct genl_info *info)
{
	struct juris_net *jn = juris_net(genl_info_net(info));
	static const int attr[2] = { JURIS_A_RANGES4, JURIS_A_RANGES6 };
	struct juris_txn *txn;
	int fam, ret = -EINVAL;

	mutex_lock(&jn->lock);
	ret = check_unlocked(jn, info);
	txn = ret ? NULL : own_txn(jn, info);
	if (!txn) {
		ret = ret ?: -EINVAL;
		goto out;
	}
	ret = -EINVAL;
	for (fam = 0; fam < 2; ++fam) {
		if (!info->attrs[attr[fam]])
			continue;
		ret = add_rows(txn, info->attrs[attr[fam]], fam, info->extack);
		if (ret)
			break;
	}
	if (ret == -EINVAL && !info->attrs[attr[0]] && !info->attrs[attr[1]])
		NL_SET_ERR_MSG(info->extack, "no ranges given");
	/* A bad chunk ends the load: a half table must never be committed. */
	if (ret)
		juris_txn_drop(jn);
out:
	mutex_unlock(&jn->lock);
	return ret;
}

static int juris_nl_table_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct juris_net *jn = juris_net(genl_info_net(info));
	struct juris_overlay over[2];
	struct juris_policy *new;
	struct juris_table *t;
	struct juris_txn *txn;
	struct policy_req req;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &juris_family, 0, JURIS_CMD_TABLE_COMMIT);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}

	mutex_lock(&jn->lock);
	ret = check_unlocked(jn, info);
	txn = ret ? NULL : own_txn(jn, info);
	if (!txn) {
		mutex_unlock(&jn->lock);
		nlmsg_free(msg);
		return ret ?: -EINVAL;
	}
	/*
	 * The build takes up to seconds at max_rows: not under the lock,
	 * which status, policy changes and every generic netlink socket's
	 * release in this namespace wait for. The load stays in place,
	 * marked, so no one else begins, adds to or drops it meanwhile.
	 */
	txn->committing = true;
	mutex_unlock(&jn->lock);
	/* A policy given with the table (juris apply) switches with it. */
	ret = policy_req_parse(skb, info, &req);
	t = NULL;
	if (!ret) {
		juris_special_overlay(over);
		t = juris_table_build_loads(txn->load, over);
		if (t && juris_digest_table(t)) {
			juris_table_free(t);
			t = NULL;
		}
	}
	mutex_lock(&jn->lock);
	juris_txn_drop(jn);
	if (ret)
		goto err;
	/* Locked while the table was built: nothing changes. */
	ret = check_unlocked(jn, info);
	if (ret) {
		juris_table_free(t);
		goto err_req;
	}
	if (!t) {
		NL_SET_ERR_MSG(info->extack, "out of memory building the table");
		ret = -ENOMEM;
		goto err_req;
	}
	/* Numbered once it is sure to be published: a failed commit takes none. */
	t->generation = jn->generation + 1;
	new = policy_req_build(jn, info, &req, t, &ret);
	if (new)
		ret = publish(info, jn, new);
	if (ret) {
		juris_table_free(t);
		goto err_req;
	}
	++jn->generation;
	ret = put_table(msg, t);
	mutex_unlock(&jn->lock);
	policy_req_free(&req);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_req:
	policy_req_free(&req);
err:
	mutex_unlock(&jn->lock);
	nlmsg_free(msg);
	return ret;
}

static int juris_nl_table_abort(struct sk_buff *skb, struct genl_info *info)
{
	struct juris_net *jn = juris_net(genl_info_net(info));
	int ret = 0;

	mutex_lock(&jn->lock);
	ret = check_unlocked(jn, info);
	if (!ret && own_txn(jn, info))
		juris_txn_drop(jn);
	else if (!ret)
		ret = -EINVAL;
	mutex_unlock(&jn->lock);
	return ret;
}

static int juris_nl_lookup(struct sk_buff *skb, struct genl_info *info)
{
	struct juris_net *jn = juris_net(genl_info_net(info));
	struct nlattr *attr = info->attrs[JURIS_A_ADDR];
	const struct juris_policy *policy;
	const struct juris_table *table;
	juris_u128 addr, start, end;
	enum juris_verdict verdict;
	int len, ret, bits;
	struct sk_buff *msg;
	const struct juris_uid_rule *uid;
	struct juris_uid_range kuid = { 0 };
	u8 buf[16], cc[2], rule;
	u32 index = 0, v4;
	bool special, embeds;
	void *hdr;
	u16 idx;

	if (GENL_REQ_ATTR_CHECK(info, JURIS_A_ADDR))
		return -EINVAL;
	if (info->attrs[JURIS_A_UID]) {
		u32 id = nla_get_u32(info->attrs[JURIS_A_UID]), n = 0;

		if (uid_map_range(sk_user_ns(NETLINK_CB(skb).sk), id, id, 0, &kuid, &n)) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[JURIS_A_UID],
					    "the UID is not mapped in the sender's user namespace");
			return -EINVAL;
		}
	}
	len = nla_len(attr);
	addr = addr_get(nla_data(attr), len);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &juris_family, 0, JURIS_CMD_LOOKUP);
	if (!hdr)
		goto err_size;

	rcu_read_lock();
	policy = rcu_dereference(jn->policy);
	table = policy->table;
	/* A NAT64 or IPv4-mapped destination is judged as its IPv4 one. */
	embeds = len == 16 && juris_nat64_v4(policy, addr, &v4);
	if (embeds)
		addr = v4;
	bits = embeds ? 32 : 8 * len;
	idx = juris_table_segment(table, bits, addr, &start, &end);
	/* With no table, the whole space is one unknown segment. */
	if (!table && (bits == 32 ? juris_special_v4(addr) : juris_special_v6(addr)))
		idx = JURIS_CC_SPECIAL;
	special = idx == JURIS_CC_SPECIAL;
	uid = info->attrs[JURIS_A_UID] ? juris_uid_rule(policy, kuid.first) : NULL;
	verdict = juris_policy_eval(policy, idx, bits == 32 ? juris_prefix_v4(policy, addr) :
				    juris_prefix_v6(policy, addr), uid, &rule);
	if (rule == JURIS_RULE_PREFIX)
		index = juris_prefix_rule_index(policy, bits, addr);
	else if (rule == JURIS_RULE_UID)
		index = uid - policy->uid;
	rcu_read_unlock();

	ret = nla_put(msg, JURIS_A_ADDR, len, nla_data(attr));
	if (idx && !special) {
		juris_cc_code(idx, cc);
		ret = ret || nla_put(msg, JURIS_A_COUNTRY, 2, cc);
	}
	if (embeds) {
		addr_put(buf, 4, addr);
		ret = ret || nla_put(msg, JURIS_A_EMBEDDED, 4, buf);
	}
	addr_put(buf, bits / 8, start);
	ret = ret || nla_put(msg, JURIS_A_RANGE_START, bits / 8, buf);
	addr_put(buf, bits / 8, end);
	ret = ret || nla_put(msg, JURIS_A_RANGE_END, bits / 8, buf) ||
	      nla_put_u8(msg, JURIS_A_VERDICT, verdict) ||
	      nla_put_u8(msg, JURIS_A_RULE, rule) ||
	      ((rule == JURIS_RULE_PREFIX || rule == JURIS_RULE_UID) &&
	       nla_put_u32(msg, JURIS_A_RULE_INDEX, index)) ||
	      (special && nla_put_flag(msg, JURIS_A_SPECIAL));
	if (ret)
		goto err_size;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_size:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int juris_nl_dump_counters(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct juris_net *jn = juris_net(sock_net(skb->sk));
	struct juris_count counts[__JURIS_VERDICT_LAST];
	int slot, v;

	for (slot = cb->args[0]; slot < JURIS_NSLOTS; ++slot) {
		bool any = false;
		void *hdr;
		u8 cc[2];

		sum_counts(jn, slot, counts);
		for (v = 0; v < __JURIS_VERDICT_LAST; ++v)
			any |= counts[v].packets != 0;
		if (!any)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &juris_family, NLM_F_MULTI, JURIS_CMD_GET_COUNTERS);
		if (!hdr)
			break;
		if (slot != JURIS_CC_UNKNOWN && slot != JURIS_SLOT_SPECIAL)
			juris_cc_code(slot, cc);
		if ((slot != JURIS_CC_UNKNOWN && slot != JURIS_SLOT_SPECIAL &&
		     nla_put(skb, JURIS_A_COUNTRY, 2, cc)) ||
		    (slot == JURIS_SLOT_SPECIAL && nla_put_flag(skb, JURIS_A_SPECIAL)) ||
		    put_counts(skb, JURIS_A_COUNTS, counts)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = slot;
	return skb->len;
}

/* Every policy spans the whole attribute space: JURIS_A_MAX + 1 entries. */
#define JURIS_OP(_cmd, _fn, _policy, _flags) {		\
	.cmd = (_cmd),					\
	.doit = (_fn),					\
	.policy = (_policy),				\
	.maxattr = JURIS_A_MAX,				\
	.flags = (_flags),				\
}

static const struct genl_ops juris_nl_ops[] = {
	JURIS_OP(JURIS_CMD_GET_STATUS, juris_nl_get_status, juris_nl_none_policy, 0),
	JURIS_OP(JURIS_CMD_SET_POLICY, juris_nl_set_policy, juris_nl_set_policy_policy,
		 GENL_UNS_ADMIN_PERM),
	JURIS_OP(JURIS_CMD_TABLE_BEGIN, juris_nl_table_begin, juris_nl_none_policy,
		 GENL_UNS_ADMIN_PERM),
	JURIS_OP(JURIS_CMD_TABLE_ADD, juris_nl_table_add, juris_nl_table_add_policy,
		 GENL_UNS_ADMIN_PERM),
	JURIS_OP(JURIS_CMD_TABLE_COMMIT, juris_nl_table_commit, juris_nl_set_policy_policy,
		 GENL_UNS_ADMIN_PERM),
	JURIS_OP(JURIS_CMD_TABLE_ABORT, juris_nl_table_abort, juris_nl_none_policy,
		 GENL_UNS_ADMIN_PERM),
	JURIS_OP(JURIS_CMD_LOOKUP, juris_nl_lookup, juris_nl_lookup_policy, 0),
	{
		.cmd = JURIS_CMD_GET_COUNTERS,
		.dumpit = juris_nl_dump_counters,
		.policy = juris_nl_none_policy,
		.maxattr = JURIS_A_MAX,
	},
};

/*
 * Events tell who talks to whom: only a socket opened by CAP_NET_ADMIN in
 * the namespace's user namespace may join. The flag came to 6.1 with a
 * stable update (6.1.0-56 in Debian, android14-6.1): older headers have
 * no way to enforce it, so juris does not build against them.
 */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "juris needs GENL_MCAST_CAP_NET_ADMIN (Linux 6.1.60 or later)"
#endif

enum {
	JURIS_MCGRP_EVENTS_ID,
};

static const struct genl_multicast_group juris_mcgrps[] = {
	[JURIS_MCGRP_EVENTS_ID] = { .name = JURIS_MCGRP_EVENTS,
				    .flags = GENL_MCAST_CAP_NET_ADMIN },
};

/*
 * resv_start_op stays 0: every command gets the kernel's strict checks
 * (unknown attributes, trailing data, reserved header fields).
 */
static struct genl_family juris_family __ro_after_init = {
	.name = JURIS_GENL_NAME,
	.version = JURIS_GENL_VERSION,
	.netnsok = true,
	/* Each netns has its own lock: no need to hold every genl family up. */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = juris_nl_ops,
	.n_ops = ARRAY_SIZE(juris_nl_ops),
	.mcgrps = juris_mcgrps,
	.n_mcgrps = ARRAY_SIZE(juris_mcgrps),
};

struct sk_buff *juris_nl_event_msg(const struct juris_event *ev, u64 seq, u64 suppressed,
				   u32 uid)
{
	int alen = ev->family == AF_INET ? 4 : 16;
	struct sk_buff *msg;
	u8 cc[2];
	void *hdr;

	/* Sized to fit: a listener's receive buffer holds more of them. */
	msg = genlmsg_new(4 * nla_total_size_64bit(8) + 6 * nla_total_size(1) +
			  4 * nla_total_size(16) + 2 * nla_total_size(2) +
			  3 * nla_total_size(4) + nla_total_size(2), GFP_KERNEL);
	if (!msg)
		return NULL;
	hdr = genlmsg_put(msg, 0, 0, &juris_family, 0, JURIS_CMD_EVENT);
	if (!hdr)
		goto err;
	if (nla_put_u64_64bit(msg, JURIS_A_SEQ, seq, JURIS_A_PAD) ||
	    nla_put_u64_64bit(msg, JURIS_A_TIME, ev->time, JURIS_A_PAD) ||
	    nla_put_u8(msg, JURIS_A_VERDICT, ev->verdict) ||
	    nla_put_u8(msg, JURIS_A_MODE, ev->mode) ||
	    nla_put_u8(msg, JURIS_A_HOOK, ev->hook) ||
	    nla_put_u8(msg, JURIS_A_FAMILY, ev->family) ||
	    nla_put_u8(msg, JURIS_A_PROTO, ev->proto) ||
	    nla_put(msg, JURIS_A_SRC, alen, ev->src) ||
	    nla_put(msg, JURIS_A_DST, alen, ev->dst) ||
	    (ev->has_ports && (nla_put_u16(msg, JURIS_A_SPORT, ev->sport) ||
			       nla_put_u16(msg, JURIS_A_DPORT, ev->dport))) ||
	    (ev->embeds && nla_put(msg, JURIS_A_EMBEDDED, 4, ev->embedded)) ||
	    nla_put(msg, JURIS_A_RANGE_START, ev->seg_len, ev->start) ||
	    nla_put(msg, JURIS_A_RANGE_END, ev->seg_len, ev->end) ||
	    nla_put_u8(msg, JURIS_A_RULE, ev->rule) ||
	    ((ev->rule == JURIS_RULE_PREFIX || ev->rule == JURIS_RULE_UID) &&
	     nla_put_u32(msg, JURIS_A_RULE_INDEX, ev->rule_index)) ||
	    (ev->has_uid && nla_put_u32(msg, JURIS_A_UID, uid)) ||
	    nla_put_u64_64bit(msg, JURIS_A_TABLE_GEN, ev->generation, JURIS_A_PAD) ||
	    nla_put_u64_64bit(msg, JURIS_A_SUPPRESSED, suppressed, JURIS_A_PAD))
		goto err;
	if (ev->cc && ev->cc < JURIS_CC_SPECIAL) {
		juris_cc_code(ev->cc, cc);
		if (nla_put(msg, JURIS_A_COUNTRY, 2, cc))
			goto err;
	}
	genlmsg_end(msg, hdr);
	return msg;

err:
	nlmsg_free(msg);
	return NULL;
}

void juris_nl_event_send(struct net *net, struct sk_buff *msg)
{
	/* No listener (ESRCH) or a full one (ENOBUFS): the stream says. */
	genlmsg_multicast_netns(&juris_family, net, msg, 0, JURIS_MCGRP_EVENTS_ID, GFP_ATOMIC);
}

/*
 * A loader that exits or is killed mid-load leaves nothing behind. Every
 * netlink socket's release comes here; only the loader's takes the lock.
 * (Generic netlink's per-socket family state, sock_priv, would call us for
 * juris's sockets alone, but genl_sk_priv_get() is exported to no module:
 * not in 6.12's Module.symvers, not on Android's KMI lists.) The portid is
 * set before BEGIN's sendmsg() returns, so before its socket's release.
 */
static int juris_nl_notify(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct juris_net *jn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC || !n->portid)
		return NOTIFY_DONE;
	jn = juris_net(n->net);
	if (READ_ONCE(jn->txn_portid) != n->portid)
		return NOTIFY_DONE;
	mutex_lock(&jn->lock);
	/* A committing socket is inside sendmsg(): it is not released. */
	if (jn->txn && jn->txn->portid == n->portid && !jn->txn->committing)
		juris_txn_drop(jn);
	mutex_unlock(&jn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block juris_nl_notifier = {
	.notifier_call = juris_nl_notify,
};

int __init juris_netlink_init(void)
{
	int ret;

	ret = genl_register_family(&juris_family);
	if (ret)
		goto err_family;
	ret = netlink_register_notifier(&juris_nl_notifier);
	if (ret)
		goto err_notifier;
	juris_events_start();
	return 0;

err_notifier:
	genl_unregister_family(&juris_family);
err_family:
	return ret;
}

void juris_netlink_uninit(void)
{
	/* Work items may still run: they send nothing from now on. */
	juris_events_stop();
	netlink_unregister_notifier(&juris_nl_notifier);
	genl_unregister_family(&juris_family);
}
