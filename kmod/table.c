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

/* Whether the sorted rows are disjoint, as a compiled table sends them. */
static bool disjoint(const struct juris_range *r, u32 n)
{
	u32 i;

	for (i = 1; i < n; ++i) {
		if (r[i].start <= r[i - 1].end)
			return false;
		if (!(i % (16 * RESCHED_STEPS)))
			cond_resched();
	}
	return true;
}

/*
 * A sweep over the sorted rows. The answer can change only where a row
 * starts or where the current best row ends, so those are the only events;
 * rows that end below the best one are dropped when they reach the top.
 * Disjoint rows need no sweep: each is a segment, the gaps unknown.
 * out must hold 2 * n + 1 segments.
 */
static int flatten(struct juris_range *r, u32 n, int bits, struct segments *out)
{
	juris_u128 max = family_max(bits), at, next;
	u32 *heap, nheap = 0, i = 0, steps = 0;

	sort_rows(r, n);
	if (disjoint(r, n)) {
		out->n = 0;
		emit(out, 0, JURIS_CC_UNKNOWN);
		for (i = 0; i < n; ++i) {
			emit(out, r[i].start, r[i].cc);
			if (r[i].end != max)
				emit(out, r[i].end + 1, JURIS_CC_UNKNOWN);
			if (!(i % RESCHED_STEPS))
				cond_resched();
		}
		return 0;
	}
	heap = kvmalloc((n ? n : 1) * sizeof(*heap), JURIS_GFP_LARGE);
	if (!heap)
		return -ENOMEM;

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

/*
 * Index slots (see table.h). A range is the index of the first segment
 * that starts inside the slot and how many do (at most JURIS_RANGE_MAX);
 * the one before covers the slot's first address. A node slot holds the
 * node's width less one and the number of its first word.
 */
#define SLOT_KIND	0xc0000000U
#define SLOT_LEAF	0x80000000U	/* low 16 bits: the country */
#define SLOT_NODE	0xc0000000U
#define NODE_WIDTH_SHIFT 26
#define NODE_WORD	((1U << NODE_WIDTH_SHIFT) - 1)
#define RANGE_SHIFT	22
#define RANGE_FIRST	((1U << RANGE_SHIFT) - 1)
#if JURIS_NODE_MAX > 16 || JURIS_RANGE_MAX > 255
#error "a slot holds a node's width in 4 bits and a range's count in 8"
#endif
/* A node at least every JURIS_NODE_MIN bits, down the 112 below the dir. */
#define MAX_LEVELS	((128 - JURIS_DIR_BITS + JURIS_NODE_MIN - 1) / JURIS_NODE_MIN + 1)

struct index_build {
	const struct segments *seg;
	int bits;
	struct juris_node *words;	/* NULL: only count */
	u32 *slots;
	u32 nwords, nslots, steps;
	u32 scratch[MAX_LEVELS][1 << JURIS_NODE_MAX];
};

static u32 index_slot(struct index_build *b, juris_u128 lo, int depth, int level,
		      u32 i, u32 j);

/*
 * How many bits a node with n starts below it takes: about enough to leave
 * a few per child if they were spread evenly, as wide as the address
 * allows, at most JURIS_NODE_MAX.
 */
static int node_width(int bits, int depth, u32 n)
{
	int w = JURIS_NODE_MIN;

	while (w < JURIS_NODE_MAX && (n >> (w + JURIS_NODE_SLACK)) > 1)
		++w;
	return w < bits - depth ? w : bits - depth;
}

/*
 * The 2^width slots that cut [lo, lo + 2^(bits - depth)) at depth + width.
 * Segment i covers lo; [i + 1, j) start inside.
 */
static void index_children(struct index_build *b, u32 *out, juris_u128 lo,
			   int depth, int level, int width, u32 i, u32 j)
{
	int shift = b->bits - depth - width;
	const juris_u128 *start = b->seg->start;
	u32 c, k = i, m = i + 1;

	for (c = 0; c < (1U << width); ++c) {
		juris_u128 first = lo + ((juris_u128)c << shift);
		juris_u128 last = first + (((juris_u128)1 << shift) - 1);

		while (k + 1 < j && start[k + 1] <= first)
			++k;
		if (m < k + 1)
			m = k + 1;
		while (m < j && start[m] <= last)
			++m;
		out[c] = index_slot(b, first, depth + width, level, k, m);
		if (!(++b->steps % RESCHED_STEPS))
			cond_resched();
	}
}

/*
 * The slot for [lo, lo + 2^(bits - depth)): segment i covers lo, [i + 1, j)
 * start inside. A node keeps its children's slots once per run, and per 64
 * children a word: a bit for each child that starts a run, and the number
 * of the slot before the word's first run.
 */
static u32 index_slot(struct index_build *b, juris_u128 lo, int depth, int level,
		      u32 i, u32 j)
{
	u32 word, *child, c;
	int width;

	if (j - i == 1)
		return SLOT_LEAF | b->seg->cc[i];
	if (j - i - 1 <= JURIS_RANGE_MAX)
		return (j - i - 1) << RANGE_SHIFT | (i + 1);
	/* Starts inside the slot: it spans more than one address, width > 0. */
	width = node_width(b->bits, depth, j - i - 1);
	word = b->nwords;
	b->nwords += (1U << width) > 64 ? (1U << width) / 64 : 1;
	child = b->scratch[level];
	index_children(b, child, lo, depth, level + 1, width, i, j);
	for (c = 0; c < (1U << width); ++c) {
		struct juris_node *w = b->words ? &b->words[word + c / 64] : NULL;

		if (w && !(c % 64)) {
			w->runs = 0;
			w->base = b->nslots;
		}
		if (c && child[c] == child[c - 1])
			continue;
		if (w) {
			w->runs |= (u64)1 << (c % 64);
			b->slots[b->nslots] = child[c];
		}
		++b->nslots;
	}
	return SLOT_NODE | (u32)(width - 1) << NODE_WIDTH_SHIFT | word;
}

/*
 * Fills dir (2^JURIS_DIR_BITS slots) and counts the nodes and slots; with
 * nodes and slots given, fills them too.
 */
static int index_build(const struct segments *seg, int bits, u32 *dir,
		       struct juris_node *words, u32 *slots, u32 *nwords, u32 *nslots)
{
	struct index_build *b;

	b = kvmalloc(sizeof(*b), JURIS_GFP_LARGE);
	if (!b)
		return -ENOMEM;
	memset(b, 0, offsetof(struct index_build, scratch));
	b->seg = seg;
	b->bits = bits;
	b->words = words;
	b->slots = slots;
	index_children(b, dir, 0, 0, 0, JURIS_DIR_BITS, 0, seg->n);
	*nwords = b->nwords;
	*nslots = b->nslots;
	kvfree(b);
	return 0;
}

/*
 * A family of a few segments is searched whole: its index would be mostly
 * an empty dir. Past that, a range slot must address every segment.
 */
static bool indexable(const struct segments *seg)
{
	return seg->n > 4 * JURIS_RANGE_MAX && seg->n <= RANGE_FIRST;
}

struct juris_table *juris_table_build(struct juris_range *v4, u32 n4,
				      struct juris_range *v6, u32 n6)
{
	struct segments s4 = { 0 }, s6 = { 0 }, *seg[2] = { &s4, &s6 };
	size_t size, off4, off6, offc4, offc6, offx[2], xbytes[2] = { 0, 0 };
	size_t offset6, offidx6, offlo6;
	u32 nlo6 = 0;
	u32 i, nnodes[2] = { 0, 0 }, nslots[2] = { 0, 0 }, *dir = NULL;
	const size_t dir_bytes = sizeof(u32) << JURIS_DIR_BITS;
	struct juris_table *t = NULL;
	bool index[2];

	s4.start = kvmalloc((2 * (size_t)n4 + 1) * sizeof(*s4.start), JURIS_GFP_LARGE);
	s4.cc = kvmalloc((2 * (size_t)n4 + 1) * sizeof(*s4.cc), JURIS_GFP_LARGE);
	s6.start = kvmalloc((2 * (size_t)n6 + 1) * sizeof(*s6.start), JURIS_GFP_LARGE);
	s6.cc = kvmalloc((2 * (size_t)n6 + 1) * sizeof(*s6.cc), JURIS_GFP_LARGE);
	dir = kvmalloc(dir_bytes, JURIS_GFP_LARGE);
	if (!s4.start || !s4.cc || !s6.start || !s6.cc || !dir)
		goto out;
	if (flatten(v4, n4, 32, &s4) || flatten(v6, n6, 128, &s6))
		goto out;

	/* Sizes first: each family's index is dir, nodes, slots. */
	for (i = 0; i < 2; ++i) {
		index[i] = indexable(seg[i]);
		if (!index[i])
			continue;
		if (index_build(seg[i], i ? 128 : 32, dir, NULL, NULL, &nnodes[i], &nslots[i]))
			goto out;
		/* ... and a node slot every word. */
		if (nnodes[i] > NODE_WORD + 1) {
			index[i] = false;
			continue;
		}
		xbytes[i] = dir_bytes + align16((size_t)nnodes[i] * sizeof(struct juris_node)) +
			    align16((size_t)nslots[i] * sizeof(u32));
	}

	for (i = 0; i < s6.n; ++i)
		nlo6 += (u64)s6.start[i] != 0;

	/* One allocation: the 8-byte arrays first, then the 4- and 2-byte. */
	off6 = align16(sizeof(*t));
	offset6 = off6 + s6.n * sizeof(u64);
	offlo6 = offset6 + (s6.n / 64 + 1) * sizeof(u64);
	offidx6 = offlo6 + nlo6 * sizeof(u64);
	off4 = offidx6 + nlo6 * sizeof(u32);
	offc4 = off4 + s4.n * sizeof(u32);
	offc6 = offc4 + s4.n * sizeof(u16);
	offx[0] = align16(offc6 + s6.n * sizeof(u16));
	offx[1] = offx[0] + xbytes[0];
	size = offx[1] + xbytes[1];
	t = kvmalloc(size, JURIS_GFP_LARGE);
	if (!t)
		goto out;
	memset(t, 0, sizeof(*t));
	for (i = 0; i < 2; ++i) {
		u8 *x = (u8 *)t + offx[i];

		if (!index[i])
			continue;
		t->dir[i] = (u32 *)x;
		t->nodes[i] = (struct juris_node *)(x + dir_bytes);
		t->slots[i] = (u32 *)(x + dir_bytes +
				      align16((size_t)nnodes[i] * sizeof(struct juris_node)));
		if (index_build(seg[i], i ? 128 : 32, t->dir[i], t->nodes[i], t->slots[i],
				&t->nnodes[i], &t->nslots[i])) {
			kvfree(t);
			t = NULL;
			goto out;
		}
	}
	t->bytes = size;
	t->rows[0] = n4;
	t->rows[1] = n6;
	t->nseg[0] = s4.n;
	t->nseg[1] = s6.n;
	t->hi6 = (u64 *)((u8 *)t + off6);
	t->lo_set6 = (u64 *)((u8 *)t + offset6);
	t->lo6 = (u64 *)((u8 *)t + offlo6);
	t->lo_idx6 = (u32 *)((u8 *)t + offidx6);
	t->nlo6 = nlo6;
	t->start4 = (u32 *)((u8 *)t + off4);
	t->cc4 = (u16 *)((u8 *)t + offc4);
	t->cc6 = (u16 *)((u8 *)t + offc6);
	for (i = 0; i < s4.n; ++i) {
		t->start4[i] = (u32)s4.start[i];
		if (!(i % (16 * RESCHED_STEPS)))
			cond_resched();
	}
	juris_copy(t->cc4, s4.cc, s4.n * sizeof(u16));
	memset(t->lo_set6, 0, (s6.n / 64 + 1) * sizeof(u64));
	for (i = 0, nlo6 = 0; i < s6.n; ++i) {
		t->hi6[i] = (u64)(s6.start[i] >> 64);
		if ((u64)s6.start[i]) {
			t->lo_set6[i / 64] |= (u64)1 << (i % 64);
			t->lo_idx6[nlo6] = i;
			t->lo6[nlo6++] = (u64)s6.start[i];
		}
		if (!(i % (16 * RESCHED_STEPS)))
			cond_resched();
	}
	juris_copy(t->cc6, s6.cc, s6.n * sizeof(u16));
out:
	kvfree(dir);
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

/* The low 64 bits of IPv6 segment i's start, which has some. */
static u64 lo_of(const struct juris_table *t, u32 i)
{
	u32 lo = 0, hi = t->nlo6;

	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (t->lo_idx6[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	return t->lo6[lo];
}

/* Whether IPv6 segment i starts at or below the address ahi:alo. */
static __always_inline bool start6_le(const struct juris_table *t, u32 i, u64 ahi, u64 alo)
{
	u64 h = t->hi6[i];

	if (h != ahi)
		return h < ahi;
	if (!(t->lo_set6[i / 64] >> (i % 64) & 1))
		return true;
	return lo_of(t, i) <= alo;
}

juris_u128 juris_table_start6(const struct juris_table *t, u32 i)
{
	juris_u128 s = (juris_u128)t->hi6[i] << 64;

	if (t->lo_set6[i / 64] >> (i % 64) & 1)
		s |= lo_of(t, i);
	return s;
}

/*
 * The last segment of the family in [lo, hi) starting at or below addr,
 * where segment lo does (it is never compared). Inlined, so the lookups
 * compare IPv4 keys as u32.
 */
static __always_inline u32 find_between(const struct juris_table *t, int bits,
					juris_u128 addr, u32 lo, u32 hi)
{
	u64 ahi = (u64)(addr >> 64), alo = (u64)addr;

	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (bits == 32 ? t->start4[mid] <= (u32)addr : start6_le(t, mid, ahi, alo))
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The last segment of the family starting at or below addr. */
static __always_inline u32 find(const struct juris_table *t, int bits,
				juris_u128 addr)
{
	return find_between(t, bits, addr, 0, t->nseg[bits == 32 ? 0 : 1]);
}

/* The slot below a node slot for the child at c. */
static __always_inline u32 node_child(const struct juris_node *words, const u32 *slots,
				      u32 slot, u32 c)
{
	const struct juris_node *w = &words[(slot & NODE_WORD) + c / 64];

	return slots[w->base + hweight64(w->runs & (~0ULL >> (63 - c % 64))) - 1];
}

/* The packet path's lookup: down the index to a country or a short range. */
static __always_inline u16 lookup(const struct juris_table *t, int bits, juris_u128 addr)
{
	int f = bits == 32 ? 0 : 1, depth = JURIS_DIR_BITS;
	const u16 *cc = f ? t->cc6 : t->cc4;
	u32 slot, first;

	if (unlikely(!t->dir[f]))
		return cc[find(t, bits, addr)];
	slot = t->dir[f][bits == 32 ? (u32)addr >> (32 - JURIS_DIR_BITS) :
				      (u32)(addr >> (128 - JURIS_DIR_BITS))];
	while ((slot & SLOT_KIND) == SLOT_NODE) {
		int width = ((slot & ~SLOT_KIND) >> NODE_WIDTH_SHIFT) + 1;
		u32 above;

		depth += width;
		above = bits == 32 ? (u32)addr >> (32 - depth) : (u32)(addr >> (128 - depth));
		slot = node_child(t->nodes[f], t->slots[f], slot,
				  above & ((1U << width) - 1));
	}
	if (slot & SLOT_LEAF)
		return (u16)slot;
	/* The segments starting in the slot, after the one covering its start. */
	first = slot & RANGE_FIRST;
	return cc[find_between(t, bits, addr, first - 1, first + (slot >> RANGE_SHIFT))];
}

u16 juris_table_lookup_v4(const struct juris_table *t, u32 addr)
{
	if (unlikely(!t))
		return JURIS_CC_UNKNOWN;
	return lookup(t, 32, addr);
}

u16 juris_table_lookup_v6(const struct juris_table *t, juris_u128 addr)
{
	if (unlikely(!t))
		return JURIS_CC_UNKNOWN;
	return lookup(t, 128, addr);
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
	*start = juris_table_start6(t, i);
	if (i + 1 < n)
		*end = juris_table_start6(t, i + 1) - 1;
	return t->cc6[i];
}
