/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JURIS_TABLE_H
#define _JURIS_TABLE_H

#include "core.h"

/* One input row, as the builder takes it. */
struct juris_range {
	juris_u128 start;
	juris_u128 end;		/* inclusive */
	u32 seq;		/* input order: on equal sizes the later row wins */
	u16 cc;
};

/*
 * A table is the address space of each family cut into disjoint segments,
 * sorted, the first starting at address 0; each segment carries the country
 * of the smallest input range covering it (JURIS_CC_UNKNOWN in the gaps).
 * It is one allocation, immutable once built, replaced whole under RCU.
 */
struct juris_table {
	struct rcu_head rcu;
	u64 generation;
	size_t bytes;
	u32 rows[2];		/* input rows: [0] IPv4, [1] IPv6 */
	u32 nseg[2];
	u32 *start4;
	u16 *cc4;
	juris_u128 *start6;
	u16 *cc6;
};

struct juris_table *juris_table_build(struct juris_range *v4, u32 n4,
				      struct juris_range *v6, u32 n6);
void juris_table_free(struct juris_table *t);
/* memcpy with a preemption point every 256 KiB, for large copies. */
void juris_copy(void *dst, const void *src, size_t len);

u16 juris_table_lookup_v4(const struct juris_table *t, u32 addr);
u16 juris_table_lookup_v6(const struct juris_table *t, juris_u128 addr);
/* The segment holding addr (bits 32 or 128), for the lookup command. */
u16 juris_table_segment(const struct juris_table *t, int bits, juris_u128 addr,
			juris_u128 *start, juris_u128 *end);

#endif /* _JURIS_TABLE_H */
