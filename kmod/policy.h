/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JURIS_POLICY_H
#define _JURIS_POLICY_H

#include "core.h"
#include "table.h"
#include "uapi/juris.h"

/* No prefix rule covers an address (else enum juris_prefix_action). */
#define JURIS_PREFIX_NONE 0

/* A prefix rule as set: an IPv4 address is in the low 32 bits of lo. */
struct juris_prefix_rule {
	u64 hi, lo;
	u8 bits;		/* 32 or 128 */
	u8 len;			/* 0 to bits; the bits below it are zero */
	u8 action;		/* enum juris_prefix_action */
};

/* A UID rule as set; first match wins. */
struct juris_uid_rule {
	u64 set[(JURIS_NCC + 63) / 64];	/* allow, deny: the countries listed */
	u32 first, last;	/* as written, in the writer's user namespace */
	u8 action;		/* enum juris_uid_action */
};

/* Kernel uids a UID rule covers: one piece of its range. */
struct juris_uid_range {
	u32 first, last;
	u32 rule;		/* the rule's index */
};

/* No UID rule: the span's rule. */
#define JURIS_UID_NONE 0xffff
/*
 * Pieces of kernel uids all UID rules together may cover: a rule's range
 * that crosses extents of the writer's uid_map is one piece per extent.
 */
#define JURIS_MAX_UID_RANGES (4 * JURIS_MAX_UID_RULES)

/*
 * Immutable once published; replaced whole under RCU. One allocation: the
 * struct, then the rules as set, then what the packet path searches: per
 * family the prefix rules resolved into disjoint spans, sorted, the first
 * at address 0, each with the action of the longest prefix covering it
 * (block on a tie) or JURIS_PREFIX_NONE; and the UID rules' kernel uids
 * resolved the same way into spans of the first rule covering them. One
 * binary search each a packet, and none without rules.
 */
struct juris_policy {
	struct rcu_head rcu;
	/*
	 * The table it judges by: published together, so a packet sees the
	 * table and the policy of one apply. A policy change keeps the
	 * table; the writer frees a table no longer held (after a grace
	 * period).
	 */
	struct juris_table *table;
	u8 mode;		/* enum juris_mode */
	u8 unknown;		/* enum juris_unknown */
	u8 action;		/* enum juris_action */
	u8 scope;		/* JURIS_SCOPE_* bits */
	bool deny;		/* set lists the countries not approved */
	bool initial;		/* fail_closed's, until a policy is set */
	u8 log;			/* enum juris_log */
	u32 event_rate;		/* events a second; 0: none */
	u32 event_burst;
	/* SHA-256 of juris_policy_canon()'s bytes, set as it is published. */
	u8 digest[32];
	u8 nnat64;
	u8 nat64_len[JURIS_MAX_NAT64];
	juris_u128 nat64[JURIS_MAX_NAT64];	/* configured NAT64 prefixes */
	u64 set[(JURIS_NCC + 63) / 64];	/* bit per country index */
	u32 nprefix;
	struct juris_prefix_rule *prefix;
	u32 nspan[2];		/* [0] IPv4, [1] IPv6; 0 without rules */
	u32 *span4;
	u64 *span6;		/* hi, lo of each span's start */
	u8 *act[2];
	u32 nuid, nrange, nuidspan;
	struct juris_uid_rule *uid;
	struct juris_uid_range *range;
	u32 *uidspan;		/* each span's first kernel uid */
	u16 *uidrule;		/* its rule, or JURIS_UID_NONE */
};

static inline bool juris_set_lists(const u64 *set, u16 cc)
{
	return set[cc / 64] >> (cc % 64) & 1;
}

static inline bool juris_policy_lists(const struct juris_policy *p, u16 cc)
{
	return juris_set_lists(p->set, cc);
}

static inline void juris_policy_list(struct juris_policy *p, u16 cc)
{
	p->set[cc / 64] |= (u64)1 << (cc % 64);
}

/* Rules for juris_policy_new(); where an array is NULL, base's stay. */
struct juris_rules {
	const struct juris_prefix_rule *prefix;
	u32 nprefix;
	const struct juris_uid_rule *uid;
	u32 nuid;
	const struct juris_uid_range *range;	/* with uid: their kernel uids */
	u32 nrange;
};

/*
 * A copy of base (or of the initial policy: off, unknown allowed, no
 * country, no rule, drop, both scopes, the default event rate, no kernel
 * log, no table) with the rules given (r may be NULL). They must be
 * valid; prefix rules need not be sorted, and duplicates are dropped.
 * NULL when out of memory. Free with kvfree().
 */
struct juris_policy *juris_policy_new(const struct juris_policy *base,
				      const struct juris_rules *r);

/* The first UID rule covering kernel uid kuid, or NULL. */
const struct juris_uid_rule *juris_uid_rule(const struct juris_policy *p, u32 kuid);

/*
 * The index in p->prefix of the prefix rule that decides for addr (bits 32
 * or 128): the longest covering it, block on a tie. For lookup and events,
 * not per packet: the packet path has the spans.
 */
u32 juris_prefix_rule_index(const struct juris_policy *p, int bits, juris_u128 addr);

/*
 * The policy's canonical form, for its digest (uapi/juris.h, "Digest"),
 * ending with the digest of its table: table_digest, or 32 zero bytes
 * when NULL (no table).
 */
void juris_policy_canon(const struct juris_policy *p, const u8 *table_digest,
			juris_emit_fn emit, void *ctx);

/* The action of the longest prefix rule covering addr. */
u8 juris_prefix_v4(const struct juris_policy *p, u32 addr);
u8 juris_prefix_v6(const struct juris_policy *p, juris_u128 addr);

bool juris_special_v4(u32 addr);
bool juris_special_v6(juris_u128 addr);
/* The same from the list of prefixes, for the host test to compare. */
bool juris_special_ref_v4(u32 addr);
bool juris_special_ref_v6(juris_u128 addr);
/* The prefixes, for the table build to lay over a table. */
void juris_special_overlay(struct juris_overlay over[2]);
/*
 * The country of a destination, JURIS_CC_SPECIAL for a special-purpose
 * one: the table's answer (the prefixes are laid over every table at
 * commit), or with no table yet, the special-purpose check's.
 */
static inline u16 juris_dest_v4(const struct juris_table *t, u32 addr)
{
	if (likely(t))
		return juris_table_lookup_v4(t, addr);
	return juris_special_v4(addr) ? JURIS_CC_SPECIAL : JURIS_CC_UNKNOWN;
}

static inline u16 juris_dest_v6(const struct juris_table *t, juris_u128 addr)
{
	if (likely(t))
		return juris_table_lookup_v6(t, addr);
	return juris_special_v6(addr) ? JURIS_CC_SPECIAL : JURIS_CC_UNKNOWN;
}

/*
 * The verdict on a destination of country cc (JURIS_CC_SPECIAL: allowed)
 * covered by a prefix rule's action (or JURIS_PREFIX_NONE), sent by a
 * socket of UID rule u (or NULL), in the order special, prefix, UID,
 * country; what decided it in *rule (enum juris_rule) if rule is not NULL.
 * Mode off allows all, but the rule is still the one that would decide.
 */
enum juris_verdict juris_policy_eval(const struct juris_policy *p, u16 cc, u8 action,
				     const struct juris_uid_rule *u, u8 *rule);

/*
 * Whether an IPv6 destination embeds an IPv4 one (RFC 6052): inside
 * 64:ff9b::/96, the IPv4-mapped ::ffff:0:0/96 or a configured NAT64
 * prefix. Such a destination is judged entirely as its IPv4 address.
 */
bool juris_nat64_v4(const struct juris_policy *p, juris_u128 addr, u32 *v4);

/* The verdict on a packet to addr, its destination's country in *cc. */
static inline enum juris_verdict juris_judge_v4(const struct juris_policy *p,
						const struct juris_table *t, u32 addr,
						const struct juris_uid_rule *u, u16 *cc, u8 *rule)
{
	*cc = juris_dest_v4(t, addr);
	return juris_policy_eval(p, *cc, p->nspan[0] ? juris_prefix_v4(p, addr) :
				 JURIS_PREFIX_NONE, u, rule);
}

static inline enum juris_verdict juris_judge_v6(const struct juris_policy *p,
						const struct juris_table *t, juris_u128 addr,
						const struct juris_uid_rule *u, u16 *cc, u8 *rule)
{
	u32 v4;

	if (juris_nat64_v4(p, addr, &v4))
		return juris_judge_v4(p, t, v4, u, cc, rule);
	*cc = juris_dest_v6(t, addr);
	return juris_policy_eval(p, *cc, p->nspan[1] ? juris_prefix_v6(p, addr) :
				 JURIS_PREFIX_NONE, u, rule);
}

#endif /* _JURIS_POLICY_H */
