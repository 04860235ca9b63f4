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

/*
 * Immutable once published; replaced whole under RCU. One allocation: the
 * struct, then the prefix rules as set (sorted), then per family the rules
 * resolved into disjoint spans, sorted, the first at address 0, each with
 * the action of the longest prefix covering it (block on a tie) or
 * JURIS_PREFIX_NONE: one binary search a packet, and none without rules.
 */
struct juris_policy {
	struct rcu_head rcu;
	u8 mode;		/* enum juris_mode */
	u8 unknown;		/* enum juris_unknown */
	bool deny;		/* set lists the countries not approved */
	u64 set[(JURIS_NCC + 63) / 64];	/* bit per country index */
	u32 nprefix;
	struct juris_prefix_rule *prefix;
	u32 nspan[2];		/* [0] IPv4, [1] IPv6; 0 without rules */
	u32 *span4;
	u64 *span6;		/* hi, lo of each span's start */
	u8 *act[2];
};

static inline bool juris_policy_lists(const struct juris_policy *p, u16 cc)
{
	return p->set[cc / 64] >> (cc % 64) & 1;
}

static inline void juris_policy_list(struct juris_policy *p, u16 cc)
{
	p->set[cc / 64] |= (u64)1 << (cc % 64);
}

/*
 * A copy of base (or of the initial policy: off, unknown allowed, no
 * country, no rule) with the n prefix rules given, or with base's if
 * rules is NULL. The rules must be valid; they need not be sorted, and
 * duplicates are dropped. NULL when out of memory. Free with kvfree().
 */
struct juris_policy *juris_policy_new(const struct juris_policy *base,
				      const struct juris_prefix_rule *rules, u32 n);

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
 * covered by a prefix rule's action (or JURIS_PREFIX_NONE), in the order
 * special, prefix, country; what decided it in *rule (enum juris_rule) if
 * rule is not NULL. Mode off allows all, but the rule is still the one
 * that would decide.
 */
enum juris_verdict juris_policy_eval(const struct juris_policy *p, u16 cc, u8 action,
				     u8 *rule);

/* The verdict on a packet to addr, its destination's country in *cc. */
static inline enum juris_verdict juris_judge_v4(const struct juris_policy *p,
						const struct juris_table *t, u32 addr,
						u16 *cc, u8 *rule)
{
	*cc = juris_dest_v4(t, addr);
	return juris_policy_eval(p, *cc, p->nspan[0] ? juris_prefix_v4(p, addr) :
				 JURIS_PREFIX_NONE, rule);
}

static inline enum juris_verdict juris_judge_v6(const struct juris_policy *p,
						const struct juris_table *t, juris_u128 addr,
						u16 *cc, u8 *rule)
{
	*cc = juris_dest_v6(t, addr);
	return juris_policy_eval(p, *cc, p->nspan[1] ? juris_prefix_v6(p, addr) :
				 JURIS_PREFIX_NONE, rule);
}

#endif /* _JURIS_POLICY_H */
