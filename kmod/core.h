/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shim that lets the table and policy code build both inside the kernel
 * and as plain C in a host program (tests/host), where it is checked against
 * a naive reference and benchmarked at native speed.
 */
#ifndef _JURIS_CORE_H
#define _JURIS_CORE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/rcupdate.h>
#include <linux/bitops.h>
#include <linux/log2.h>
#include <linux/vmalloc.h>

/*
 * Every allocation a request can cause is charged to the sender's memory
 * cgroup. The large ones fail at its limit with ENOMEM and an extack
 * message, rather than call the OOM killer or warn on the console.
 */
#define JURIS_GFP GFP_KERNEL_ACCOUNT
#define JURIS_GFP_LARGE (GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/*
 * Arrays of the table and of a load, with JURIS_GFP_LARGE. Past a page,
 * kmalloc (which kvmalloc tries first) takes a power of two of pages: a
 * 2.7 MB table would hold 4 MB. vmalloc takes the pages asked for.
 */
static inline void *juris_alloc(size_t size)
{
	if (size <= PAGE_SIZE || is_power_of_2(size))
		return kvmalloc(size, JURIS_GFP_LARGE);
	return __vmalloc(size, JURIS_GFP_LARGE);
}
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
/* glibc's <sys/cdefs.h>, through <stdlib.h>, defines __always_inline. */

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

struct rcu_head {
	void *unused;
};

#define juris_alloc(size) malloc(size)
#define kvfree(p) free(p)
#define hweight64(x) __builtin_popcountll(x)
#define cond_resched() do { } while (0)
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#endif

#ifndef __SIZEOF_INT128__
#error "juris needs a compiler with unsigned __int128 (x86_64, arm64)"
#endif
/* IPv6 addresses as one integer keep a single code path for both families. */
typedef unsigned __int128 juris_u128;

/*
 * Countries are stored as a dense index: 1 + 26 * letter1 + letter2, so any
 * two-letter code fits and counters can be a flat array. 0 is "unknown".
 */
#define JURIS_CC_UNKNOWN 0
#define JURIS_NCC (1 + 26 * 26)
/*
 * Special-purpose destinations (policy.c), which no policy touches: in a
 * table, their segments' country; in the counters, their slot, after
 * every country.
 */
#define JURIS_CC_SPECIAL JURIS_NCC
#define JURIS_SLOT_SPECIAL JURIS_CC_SPECIAL
#define JURIS_NSLOTS (JURIS_NCC + 1)

/* A prefix of a family of bits-bit addresses: len >= 1. */
struct juris_prefix {
	juris_u128 addr;
	u8 len;
};

/* Where a canonical form (for a digest) goes, a piece at a time. */
typedef void (*juris_emit_fn)(void *ctx, const void *data, size_t len);

/* v into bytes big-endian bytes at p. */
static inline void juris_put_be(u8 *p, juris_u128 v, int bytes)
{
	int i;

	for (i = bytes - 1; i >= 0; --i, v >>= 8)
		p[i] = (u8)v;
}

static inline u16 juris_cc_index(const u8 cc[2])
{
	if (cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z')
		return JURIS_CC_UNKNOWN;
	return 1 + (cc[0] - 'A') * 26 + (cc[1] - 'A');
}

static inline void juris_cc_code(u16 index, u8 cc[2])
{
	cc[0] = 'A' + (index - 1) / 26;
	cc[1] = 'A' + (index - 1) % 26;
}

/* A segment's country in a canonical form: 0 0 none, 0xff 0xff special. */
static inline void juris_cc_canon(u16 index, u8 cc[2])
{
	if (index == JURIS_CC_UNKNOWN || index == JURIS_CC_SPECIAL)
		memset(cc, index ? 0xff : 0, 2);
	else
		juris_cc_code(index, cc);
}

#endif /* _JURIS_CORE_H */
