// SPDX-License-Identifier: GPL-2.0
/*
 * The IP-to-country table: building disjoint segments from overlapping input
 * rows, and looking an address up. Kernel-agnostic (see core.h).
 */

#include "table.h"

struct segments {
	juris_u128 *start;
	u16 *cc;
	u32 n;
};

static juris_u128 family_max(int bits)
{
	return bits == 32 ? (juris_u128)0xffffffffU : ~(juris_u128)0;
}

/* Does a cover an address better than b? Smaller wins, then the later row. */
static bool better(const struct juris_range *a, const struct juris_range *b)
{
	juris_u128 sa = a->end - a->start, sb = b->end - b->start;

	return sa < sb || (sa == sb && a->seq > b->seq);
}

/* A binary heap of range indexes, best on top; expired ranges leave lazily. */
static void heap_push(u32 *heap, u32 *n, const struct juris_range *r, u32 idx)
{
	u32 i = (*n)++;

	while (i && better(&r[idx], &r[heap[(i - 1) / 2]])) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = idx;
}

static void heap_pop(u32 *heap, u32 *n, const struct juris_range *r)
{
	u32 last = heap[--(*n)], i = 0, child;

	while ((child = 2 * i + 1) < *n) {
		if (child + 1 < *n && better(&r[heap[child + 1]], &r[heap[child]]))
			++child;
		if (!better(&r[heap[child]], &r[last]))
			break;
		heap[i] = heap[child];
		i = child;
	}
	heap[i] = last;
}

static void emit(struct segments *out, juris_u128 at, u16 cc)
{
	/* A later decision at the same address replaces the earlier one. */
	if (out->n && out->start[out->n - 1] == at)
		--out->n;
	if (out->n && out->cc[out->n - 1] == cc)
		return;
	out->start[out->n] = at;
	out->cc[out->n] = cc;
	++out->n;
}

/*
 * Preemption points for the long loops of a commit: a table at the row
 * limit must not hold a CPU for more than a few milliseconds at a time.
 * One step is a few hundred nanoseconds at most.
 */
#define RESCHED_STEPS 4096

static void sift_down(struct juris_range *r, u32 i, u32 n)
{
	struct juris_range x = r[i];
	u32 child;

	while ((child = 2 * i + 1) < n) {
		if (child + 1 < n && r[child + 1].start > r[child].start)
			++child;
		if (r[child].start <= x.start)
			break;
		r[i] = r[child];
		i = child;
	}
	r[i] = x;
}

/*
 * Heapsort by start address, in place. The kernel's sort() has no
 * preemption point: at the row limit it kept a real-time task off its CPU
 * for seconds. Rows usually come sorted already; that costs one pass.
 */
static void sort_rows(struct juris_range *r, u32 n)
{
	u32 i;

	for (i = 1; i < n && r[i - 1].start <= r[i].start; ++i)
		;
	if (i >= n)
		return;
	for (i = n / 2; i-- > 0;) {
		sift_down(r, i, n);
		if (!(i % RESCHED_STEPS))
			cond_resched();
	}
	for (i = n - 1; i > 0; --i) {
		struct juris_range x = r[0];

		r[0] = r[i];
		r[i] = x;
		sift_down(r, 0, i);
		if (!(i % RESCHED_STEPS))
			cond_resched();
	}
}

void juris_copy(void *dst, const void *src, size_t len)
{
	const size_t piece = 256 << 10;

	while (len) {
		size_t n = len < piece ? len : piece;

		memcpy(dst, src, n);
		dst = (u8 *)dst + n;
		src = (const u8 *)src + n;
		len -= n;
		cond_resched();
	}
}

/*
 * A sweep over the sorted rows. The answer can change only where a row
 * starts or where the current best row ends, so those are the only events;
 * rows that end below the best one are dropped when they reach the top.
 * out must hold 2 * n + 1 segments.
 */
static int flatten(struct juris_range *r, u32 n, int bits, struct segments *out)
{
	juris_u128 max = family_max(bits), at, next;
	u32 *heap, nheap = 0, i = 0, steps = 0;

	heap = kvmalloc((n ? n : 1) * sizeof(*heap), JURIS_GFP_LARGE);
	if (!heap)
		return -ENOMEM;
	sort_rows(r, n);

	out->n = 0;
	emit(out, 0, JURIS_CC_UNKNOWN);
	for (;;) {
		bool have = false;

		if (i < n) {
			next = r[i].start;
			have = true;
		}
		if (nheap && r[heap[0]].end != max &&
		    (!have || r[heap[0]].end + 1 < next)) {
			next = r[heap[0]].end + 1;
			have = true;
		}
		if (!have)
			break;
		at = next;
		while (nheap && r[heap[0]].end < at)
			heap_pop(heap, &nheap, r);
		while (i < n && r[i].start == at)
			heap_push(heap, &nheap, r, i++);
		emit(out, at, nheap ? r[heap[0]].cc : JURIS_CC_UNKNOWN);
		if (!(++steps % RESCHED_STEPS))
			cond_resched();
	}
	kvfree(heap);
	return 0;
}

static size_t align16(size_t x)
{
	return (x + 15) & ~(size_t)15;
}

struct juris_table *juris_table_build(struct juris_range *v4, u32 n4,
				      struct juris_range *v6, u32 n6)
{
	struct segments s4 = { 0 }, s6 = { 0 };
	struct juris_table *t = NULL;
	size_t size, off4, off6, offc4, offc6;
	u32 i;

	s4.start = kvmalloc((2 * (size_t)n4 + 1) * sizeof(*s4.start), JURIS_GFP_LARGE);
	s4.cc = kvmalloc((2 * (size_t)n4 + 1) * sizeof(*s4.cc), JURIS_GFP_LARGE);
	s6.start = kvmalloc((2 * (size_t)n6 + 1) * sizeof(*s6.start), JURIS_GFP_LARGE);
	s6.cc = kvmalloc((2 * (size_t)n6 + 1) * sizeof(*s6.cc), JURIS_GFP_LARGE);
	if (!s4.start || !s4.cc || !s6.start || !s6.cc)
		goto out;
	if (flatten(v4, n4, 32, &s4) || flatten(v6, n6, 128, &s6))
		goto out;

	/* One allocation, IPv6 keys first for their 16-byte alignment. */
	off6 = align16(sizeof(*t));
	off4 = off6 + s6.n * sizeof(juris_u128);
	offc4 = off4 + s4.n * sizeof(u32);
	offc6 = offc4 + s4.n * sizeof(u16);
	size = offc6 + s6.n * sizeof(u16);
	t = kvmalloc(size, JURIS_GFP_LARGE);
	if (!t)
		goto out;
	memset(t, 0, sizeof(*t));
	t->bytes = size;
	t->rows[0] = n4;
	t->rows[1] = n6;
	t->nseg[0] = s4.n;
	t->nseg[1] = s6.n;
	t->start6 = (juris_u128 *)((u8 *)t + off6);
	t->start4 = (u32 *)((u8 *)t + off4);
	t->cc4 = (u16 *)((u8 *)t + offc4);
	t->cc6 = (u16 *)((u8 *)t + offc6);
	for (i = 0; i < s4.n; ++i) {
		t->start4[i] = (u32)s4.start[i];
		if (!(i % (16 * RESCHED_STEPS)))
			cond_resched();
	}
	juris_copy(t->cc4, s4.cc, s4.n * sizeof(u16));
	juris_copy(t->start6, s6.start, s6.n * sizeof(juris_u128));
	juris_copy(t->cc6, s6.cc, s6.n * sizeof(u16));
out:
	kvfree(s4.start);
	kvfree(s4.cc);
	kvfree(s6.start);
	kvfree(s6.cc);
	return t;
}

void juris_table_free(struct juris_table *t)
{
	kvfree(t);
}

/*
 * The last segment of the family starting at or below addr; segment 0
 * starts at 0. Inlined, so the lookups compare IPv4 keys as u32.
 */
static __always_inline u32 find(const struct juris_table *t, int bits,
				juris_u128 addr)
{
	const u32 *start4 = t->start4;
	const juris_u128 *start6 = t->start6;
	u32 lo = 0, hi = t->nseg[bits == 32 ? 0 : 1];

	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (bits == 32 ? start4[mid] <= (u32)addr : start6[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

u16 juris_table_lookup_v4(const struct juris_table *t, u32 addr)
{
	if (unlikely(!t))
		return JURIS_CC_UNKNOWN;
	return t->cc4[find(t, 32, addr)];
}

u16 juris_table_lookup_v6(const struct juris_table *t, juris_u128 addr)
{
	if (unlikely(!t))
		return JURIS_CC_UNKNOWN;
	return t->cc6[find(t, 128, addr)];
}

u16 juris_table_segment(const struct juris_table *t, int bits, juris_u128 addr,
			juris_u128 *start, juris_u128 *end)
{
	u32 i, n;

	*start = 0;
	*end = family_max(bits);
	if (!t)
		return JURIS_CC_UNKNOWN;
	i = find(t, bits, addr);
	if (bits == 32) {
		n = t->nseg[0];
		*start = t->start4[i];
		if (i + 1 < n)
			*end = (juris_u128)t->start4[i + 1] - 1;
		return t->cc4[i];
	}
	n = t->nseg[1];
	*start = t->start6[i];
	if (i + 1 < n)
		*end = t->start6[i + 1] - 1;
	return t->cc6[i];
}
