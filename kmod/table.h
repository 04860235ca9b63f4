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
 * It is immutable once built, replaced whole under RCU.
 *
 * Lookups go through an index built with it, a multibit trie whose nodes
 * are compressed as in Poptrie (Asai and Ohara, 2015): a direct array of
 * slots for the top JURIS_DIR_BITS of the address (dir), then a node
 * wherever a slot would hold more than JURIS_RANGE_MAX segment starts. A
 * node takes the next JURIS_NODE_MIN to JURIS_NODE_MAX bits, more where
 * more segments start below it, and keeps only the runs of its children's
 * slots: per 64 children a word of bits that mark where a run begins, and
 * the popcount below a child's bit finds its slot. A slot is a country (no
 * segment starts inside it), a node, or a short range of the segments
 * that start inside it, binary-searched. A family with more segments than
 * a slot can address has no index (dir NULL) and is searched whole.
 */
#define JURIS_DIR_BITS 16
#define JURIS_NODE_MIN 6
#ifndef JURIS_NODE_MAX
#define JURIS_NODE_MAX 12
#endif
#ifndef JURIS_NODE_SLACK
#define JURIS_NODE_SLACK 3
#endif
#ifndef JURIS_RANGE_MAX
#define JURIS_RANGE_MAX 16
#endif

/* One word of a node: 64 children. */
struct juris_node {
	u64 runs;		/* bit c: child c starts a run of equal slots */
	u32 base;		/* the slot before the word's first run, plus one */
};

struct juris_table {
	struct rcu_head rcu;
	u64 generation;
	size_t bytes;
	u8 digest[32];		/* SHA-256 of juris_table_canon()'s bytes */
	u32 rows[2];		/* input rows: [0] IPv4, [1] IPv6 */
	u32 nseg[2];
	u32 *start4;
	u16 *cc4;
	/*
	 * IPv6 starts by their top 64 bits; the few with low bits set (the
	 * world has 8k of 275k) are marked in lo_set6 and listed in lo_idx6
	 * and lo6. Half the memory of 16-byte keys.
	 */
	u64 *hi6;
	u64 *lo_set6;
	u32 *lo_idx6;
	u64 *lo6;
	u32 nlo6;
	u16 *cc6;
	void *data6;		/* the IPv6 arrays' allocation */
	/*
	 * The index, an allocation of its own: it is built from the segments
	 * once they are in place, after the load's own copy of them is gone.
	 */
	void *index;
	u32 *dir[2];
	struct juris_node *nodes[2];	/* the nodes' words */
	u32 *slots[2];
	u32 nnodes[2], nslots[2];	/* words and slots */
};

/*
 * Segments as a build collects them: starts and countries in blocks of
 * JURIS_SEG_BLOCK entries that never move (no copy as they grow, at most
 * one block unused), 6 bytes an entry for IPv4 and 18 for IPv6.
 */
#define JURIS_SEG_BLOCK 4096
#define JURIS_SEG_PARTS 3

struct juris_seglist {
	int bits;
	u32 n;
	u32 nblocks, cap;	/* blocks allocated; room in part[] */
	void **part;		/* JURIS_SEG_PARTS arrays a block */
};

/*
 * A family's rows as a table load receives them. While they come sorted
 * and disjoint, as a compiled table sends them, they are kept as the
 * segments they make (each row's start, and where a gap follows it, the
 * gap's), which the build takes as they are: no sort, no sweep, no copy of
 * the rows. The first row that overlaps or goes back turns them into rows
 * (struct juris_range, 48 bytes each), sorted and swept at commit.
 */
struct juris_load {
	struct juris_seglist segs;
	juris_u128 end;			/* the last row's, while in segs */
	struct juris_range *rows;	/* NULL while the rows are in segs */
	u32 n, cap;			/* rows received; room in rows */
};

void juris_load_init(struct juris_load *load, int bits);
/* Adds a valid row (start <= end, a country); limit caps the room for rows. */
int juris_load_add(struct juris_load *load, const struct juris_range *r, u32 limit);
void juris_load_free(struct juris_load *load);
/*
 * Prefixes a commit lays over every table, sorted and disjoint: the
 * special-purpose destinations become segments of their own, of country
 * JURIS_CC_SPECIAL, so that a packet's verdict takes one lookup.
 */
struct juris_overlay {
	const struct juris_prefix *prefix;
	u32 n;
};

/*
 * The table of both families' loads, with over's prefixes (if any) laid
 * over them. It takes what it can of the loads as it goes (their
 * segments); juris_load_free() them afterwards either way.
 */
struct juris_table *juris_table_build_loads(struct juris_load load[2],
					    const struct juris_overlay over[2]);

/* The table of rows given at once (the rows are sorted in place). */
struct juris_table *juris_table_build(struct juris_range *v4, u32 n4,
				      struct juris_range *v6, u32 n6,
				      const struct juris_overlay over[2]);
void juris_table_free(struct juris_table *t);
/* memcpy with a preemption point every 256 KiB, for large copies. */
void juris_copy(void *dst, const void *src, size_t len);

/* Where IPv6 segment i starts. */
juris_u128 juris_table_start6(const struct juris_table *t, u32 i);

u16 juris_table_lookup_v4(const struct juris_table *t, u32 addr);
u16 juris_table_lookup_v6(const struct juris_table *t, juris_u128 addr);
/*
 * The table's canonical form, for its digest (uapi/juris.h, "Digest"):
 * "juris table v1\n", then per family (IPv4, then IPv6) the number of
 * segments (4 bytes) and each one's start and country. Big-endian.
 */
void juris_table_canon(const struct juris_table *t, juris_emit_fn emit, void *ctx);

/* The segment holding addr (bits 32 or 128), for the lookup command. */
u16 juris_table_segment(const struct juris_table *t, int bits, juris_u128 addr,
			juris_u128 *start, juris_u128 *end);

#endif /* _JURIS_TABLE_H */
