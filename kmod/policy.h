/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JURIS_POLICY_H
#define _JURIS_POLICY_H

#include "core.h"
#include "table.h"
#include "uapi/juris.h"

/* Immutable once published; replaced whole under RCU. */
struct juris_policy {
	struct rcu_head rcu;
	u8 mode;		/* enum juris_mode */
	u8 unknown;		/* enum juris_unknown */
	u64 allow[(JURIS_NCC + 63) / 64];	/* bit per country index */
};

static inline bool juris_policy_allows(const struct juris_policy *p, u16 cc)
{
	return p->allow[cc / 64] >> (cc % 64) & 1;
}

static inline void juris_policy_set_allow(struct juris_policy *p, u16 cc)
{
	p->allow[cc / 64] |= (u64)1 << (cc % 64);
}

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

/* The verdict on a destination of country cc (JURIS_CC_SPECIAL: allowed). */
enum juris_verdict juris_policy_eval(const struct juris_policy *p, u16 cc);

#endif /* _JURIS_POLICY_H */
