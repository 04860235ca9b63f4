// SPDX-License-Identifier: GPL-2.0
/*
 * The IP-to-country table: building disjoint segments from overlapping input
 * rows, and looking an address up. Kernel-agnostic (see core.h).
 */

#include "table.h"

/*
 * A block is JURIS_SEG_PARTS arrays of JURIS_SEG_BLOCK entries, each a
 * power of two in bytes (a kmalloc of any other size is rounded up to
 * one): starts (IPv4) or their top 64 bits (IPv6), their low 64 bits
 * (IPv6), countries.
 */
#define SEG_KEY	0
#define SEG_LO	1
#define SEG_CC	2

static void *sl_part(const struct juris_seglist *s, u32 i, int part)
{
	return s->part[(i / JURIS_SEG_BLOCK) * JURIS_SEG_PARTS + part];
}

static juris_u128 sl_start(const struct juris_seglist *s, u32 i)
{
	u32 k = i % JURIS_SEG_BLOCK;

	if (s->bits == 32)
		return ((const u32 *)sl_part(s, i, SEG_KEY))[k];
	return (juris_u128)((const u64 *)sl_part(s, i, SEG_KEY))[k] << 64 |
	       ((const u64 *)sl_part(s, i, SEG_LO))[k];
}

static u16 sl_cc(const struct juris_seglist *s, u32 i)
{
	return ((const u16 *)sl_part(s, i, SEG_CC))[i % JURIS_SEG_BLOCK];
}

static int sl_grow(struct juris_seglist *s)
{
	static const u8 size32[JURIS_SEG_PARTS] = { 4, 0, 2 };
	static const u8 size128[JURIS_SEG_PARTS] = { 8, 8, 2 };
	const u8 *size = s->bits == 32 ? size32 : size128;
	void **parts = s->part;
	int p;

	if (s->nblocks == s->cap) {
		u32 cap = s->cap ? 2 * s->cap : 16;

		parts = juris_alloc(cap * JURIS_SEG_PARTS * sizeof(*parts));
		if (!parts)
			return -ENOMEM;
		if (s->nblocks)
			memcpy(parts, s->part, s->nblocks * JURIS_SEG_PARTS * sizeof(*parts));
		kvfree(s->part);
		s->part = parts;
		s->cap = cap;
	}
	parts += s->nblocks * JURIS_SEG_PARTS;
	memset(parts, 0, JURIS_SEG_PARTS * sizeof(*parts));
	for (p = 0; p < JURIS_SEG_PARTS; ++p) {
		if (!size[p])
			continue;
		parts[p] = juris_alloc(JURIS_SEG_BLOCK * size[p]);
		if (!parts[p]) {
			/* No half block: the list stays as it was. */
			while (p-- > 0) {
				kvfree(parts[p]);
				parts[p] = NULL;
			}
			return -ENOMEM;
		}
	}
	++s->nblocks;
	return 0;
}

static int sl_push(struct juris_seglist *s, juris_u128 start, u16 cc)
{
	u32 k = s->n % JURIS_SEG_BLOCK;
	int ret;

	if (s->n / JURIS_SEG_BLOCK == s->nblocks) {
		ret = sl_grow(s);
		if (ret)
			return ret;
	}
	if (s->bits == 32) {
		((u32 *)sl_part(s, s->n, SEG_KEY))[k] = (u32)start;
	} else {
		((u64 *)sl_part(s, s->n, SEG_KEY))[k] = (u64)(start >> 64);
		((u64 *)sl_part(s, s->n, SEG_LO))[k] = (u64)start;
	}
	((u16 *)sl_part(s, s->n, SEG_CC))[k] = cc;
	++s->n;
	return 0;
}

/* Frees the blocks before entry i, which the caller is done with. */
static void sl_release(struct juris_seglist *s, u32 i)
{
	u32 b;
	int p;

	for (b = 0; b < i / JURIS_SEG_BLOCK && b < s->nblocks; ++b) {
		for (p = 0; p < JURIS_SEG_PARTS; ++p) {
			kvfree(s->part[b * JURIS_SEG_PARTS + p]);
			s->part[b * JURIS_SEG_PARTS + p] = NULL;
		}
	}
}

static void sl_free(struct juris_seglist *s)
{
	sl_release(s, s->nblocks * JURIS_SEG_BLOCK);
	kvfree(s->part);
	s->part = NULL;
	s->n = 0;
	s->nblocks = 0;
	s->cap = 0;
}

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

static int emit(struct juris_seglist *out, juris_u128 at, u16 cc)
{
	/* A later decision at the same address replaces the earlier one. */
	if (out->n && sl_start(out, out->n - 1) == at)
		--out->n;
	if (out->n && sl_cc(out, out->n - 1) == cc)
		return 0;
	return sl_push(out, at, cc);
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
 */
static int flatten(struct juris_range *r, u32 n, int bits, struct juris_seglist *out)
{
	juris_u128 max = family_max(bits), at, next;
	u32 *heap, nheap = 0, i = 0, steps = 0;
	int ret;

	sort_rows(r, n);
	ret = emit(out, 0, JURIS_CC_UNKNOWN);
	if (ret)
		return ret;
	if (disjoint(r, n)) {
		for (i = 0; i < n && !ret; ++i) {
			ret = emit(out, r[i].start, r[i].cc);
			if (!ret && r[i].end != max)
				ret = emit(out, r[i].end + 1, JURIS_CC_UNKNOWN);
			if (!(i % RESCHED_STEPS))
				cond_resched();
		}
		return ret;
	}
	heap = juris_alloc((n ? n : 1) * sizeof(*heap));
	if (!heap)
		return -ENOMEM;

	while (!ret) {
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
		ret = emit(out, at, nheap ? r[heap[0]].cc : JURIS_CC_UNKNOWN);
		if (!(++steps % RESCHED_STEPS))
			cond_resched();
	}
	kvfree(heap);
	return ret;
}

void juris_load_init(struct juris_load *load, int bits)
{
	memset(load, 0, sizeof(*load));
	load->segs.bits = bits;
}

void juris_load_free(struct juris_load *load)
{
	sl_free(&load->segs);
	kvfree(load->rows);
	load->rows = NULL;
	load->n = 0;
	load->cap = 0;
}

/*
 * The rows kept as segments, back as rows: each entry of a country is one
 * (gaps are unknown), and ends where the next entry starts. Their order is
 * their input order, so the sequence numbers below the later rows' keep
 * the rule.
 */
static int load_to_rows(struct juris_load *load, u32 limit)
{
	const struct juris_seglist *s = &load->segs;
	u32 cap = limit < 4096 ? limit : 4096, i, k = 0;
	struct juris_range *rows;

	while (cap < 2 * load->n && cap < limit)
		cap = 2 * cap < limit ? 2 * cap : limit;
	if (cap <= load->n)
		cap = load->n + 1;
	rows = juris_alloc(cap * sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (i = 0; i < s->n; ++i) {
		u16 cc = sl_cc(s, i);

		if (cc == JURIS_CC_UNKNOWN)
			continue;
		rows[k].start = sl_start(s, i);
		rows[k].end = i + 1 < s->n ? sl_start(s, i + 1) - 1 : load->end;
		rows[k].cc = cc;
		rows[k].seq = k;
		++k;
		if (!(i % RESCHED_STEPS))
			cond_resched();
	}
	sl_free(&load->segs);
	load->rows = rows;
	load->cap = cap;
	return 0;
}

int juris_load_add(struct juris_load *load, const struct juris_range *r, u32 limit)
{
	struct juris_seglist *s = &load->segs;
	int ret;

	if (!load->rows) {
		if (!load->n || r->start > load->end) {
			/* The gap before it: from 0, or after the last row. */
			if (!load->n && r->start)
				ret = sl_push(s, 0, JURIS_CC_UNKNOWN);
			else if (load->n && r->start != load->end + 1)
				ret = sl_push(s, load->end + 1, JURIS_CC_UNKNOWN);
			else
				ret = 0;
			if (!ret)
				ret = sl_push(s, r->start, r->cc);
			if (ret)
				return ret;
			load->end = r->end;
			++load->n;
			return 0;
		}
		ret = load_to_rows(load, limit);
		if (ret)
			return ret;
	}
	if (load->n == load->cap) {
		u32 cap = load->cap < limit / 2 ? 2 * load->cap : limit;
		struct juris_range *rows;

		if (cap <= load->n)
			cap = load->n + 1;
		rows = juris_alloc(cap * sizeof(*rows));
		if (!rows)
			return -ENOMEM;
		juris_copy(rows, load->rows, load->n * sizeof(*rows));
		kvfree(load->rows);
		load->rows = rows;
		load->cap = cap;
	}
	load->rows[load->n++] = *r;
	return 0;
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

/* Where segment i of the family starts. */
static juris_u128 start_of(const struct juris_table *t, int bits, u32 i)
{
	return bits == 32 ? t->start4[i] : juris_table_start6(t, i);
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
	const struct juris_table *t;
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
	u32 c, k = i, m = i + 1;

	for (c = 0; c < (1U << width); ++c) {
		juris_u128 first = lo + ((juris_u128)c << shift);
		juris_u128 last = first + (((juris_u128)1 << shift) - 1);

		while (k + 1 < j && start_of(b->t, b->bits, k + 1) <= first)
			++k;
		if (m < k + 1)
			m = k + 1;
		while (m < j && start_of(b->t, b->bits, m) <= last)
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
		return SLOT_LEAF | (b->bits == 32 ? b->t->cc4 : b->t->cc6)[i];
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
static int index_build(const struct juris_table *t, int bits, u32 *dir,
		       struct juris_node *words, u32 *slots, u32 *nwords, u32 *nslots)
{
	struct index_build *b;

	b = juris_alloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	memset(b, 0, offsetof(struct index_build, scratch));
	b->t = t;
	b->bits = bits;
	b->words = words;
	b->slots = slots;
	index_children(b, dir, 0, 0, 0, JURIS_DIR_BITS, 0, t->nseg[bits == 32 ? 0 : 1]);
	*nwords = b->nwords;
	*nslots = b->nslots;
	kvfree(b);
	return 0;
}

/*
 * A family of a few segments is searched whole: its index would be mostly
 * an empty dir. Past that, a range slot must address every segment.
 */
static bool indexable(u32 nseg)
{
	return nseg > 4 * JURIS_RANGE_MAX && nseg <= RANGE_FIRST;
}

/*
 * Each family's index is dir, nodes, slots, in one allocation after the
 * segments. The dir doubles as the counting pass's scratch.
 */
static int table_index(struct juris_table *t)
{
	const size_t dir_bytes = sizeof(u32) << JURIS_DIR_BITS;
	size_t off[2], xbytes[2] = { 0, 0 };
	u32 f, nnodes[2] = { 0, 0 }, nslots[2] = { 0, 0 }, *dir;
	bool index[2];
	u8 *x;

	index[0] = indexable(t->nseg[0]);
	index[1] = indexable(t->nseg[1]);
	if (!index[0] && !index[1])
		return 0;
	dir = juris_alloc(dir_bytes);
	if (!dir)
		return -ENOMEM;
	for (f = 0; f < 2; ++f) {
		if (!index[f])
			continue;
		if (index_build(t, f ? 128 : 32, dir, NULL, NULL, &nnodes[f], &nslots[f])) {
			kvfree(dir);
			return -ENOMEM;
		}
		/* ... and a node slot every word. */
		if (nnodes[f] > NODE_WORD + 1) {
			index[f] = false;
			continue;
		}
		xbytes[f] = dir_bytes + align16((size_t)nnodes[f] * sizeof(struct juris_node)) +
			    align16((size_t)nslots[f] * sizeof(u32));
	}
	kvfree(dir);
	if (!xbytes[0] && !xbytes[1])
		return 0;
	off[0] = 0;
	off[1] = xbytes[0];
	t->index = juris_alloc(xbytes[0] + xbytes[1]);
	if (!t->index)
		return -ENOMEM;
	for (f = 0; f < 2; ++f) {
		if (!index[f])
			continue;
		x = (u8 *)t->index + off[f];
		if (index_build(t, f ? 128 : 32, (u32 *)x, (struct juris_node *)(x + dir_bytes),
				(u32 *)(x + dir_bytes + align16((size_t)nnodes[f] *
								sizeof(struct juris_node))),
				&t->nnodes[f], &t->nslots[f]))
			return -ENOMEM;
		t->dir[f] = (u32 *)x;
		t->nodes[f] = (struct juris_node *)(x + dir_bytes);
		t->slots[f] = (u32 *)(x + dir_bytes +
				      align16((size_t)nnodes[f] * sizeof(struct juris_node)));
	}
	t->bytes += xbytes[0] + xbytes[1];
	return 0;
}

/*
 * The segments a load's rows make, in s: the rows' own when they came
 * sorted and disjoint (the gap after the last one added here), else swept.
 */
static int load_segments(struct juris_load *load, int bits)
{
	struct juris_seglist *s = &load->segs;

	if (load->rows)
		return flatten(load->rows, load->n, bits, s);
	if (!load->n)
		return sl_push(s, 0, JURIS_CC_UNKNOWN);
	if (load->end == family_max(bits))
		return 0;
	return sl_push(s, load->end + 1, JURIS_CC_UNKNOWN);
}

/*
 * The segments of a seglist with an overlay's prefixes laid over them, as
 * a sequence of (start, country) with neighbours of one country merged.
 */
struct fold {
	struct juris_seglist *s;
	const struct juris_prefix *p;
	u32 np;
	u32 i, k;		/* the next segment, the next or current prefix */
	bool inside;		/* in prefix k, which ends at end */
	juris_u128 end;
	u16 cc;			/* the segments' country where the last event was */
	u16 out;		/* the country last given out */
	bool started;
};

static void fold_init(struct fold *f, struct juris_seglist *s,
		      const struct juris_overlay *over)
{
	memset(f, 0, sizeof(*f));
	f->s = s;
	if (over) {
		f->p = over->prefix;
		f->np = over->n;
	}
}

/* The next event: a segment starts, a prefix starts, a prefix ends. */
static bool fold_event(struct fold *f, juris_u128 *at, u16 *cc)
{
	juris_u128 max = family_max(f->s->bits), next = 0;
	bool have = false;

	if (f->i < f->s->n) {
		next = sl_start(f->s, f->i);
		have = true;
	}
	if (f->inside) {
		if (f->end != max && (!have || f->end + 1 < next)) {
			next = f->end + 1;
			have = true;
		}
	} else if (f->k < f->np && (!have || f->p[f->k].addr < next)) {
		next = f->p[f->k].addr;
		have = true;
	}
	if (!have)
		return false;
	if (f->i < f->s->n && sl_start(f->s, f->i) == next)
		f->cc = sl_cc(f->s, f->i++);
	if (f->inside && f->end != max && f->end + 1 == next) {
		f->inside = false;
		++f->k;
	}
	if (!f->inside && f->k < f->np && f->p[f->k].addr == next) {
		int host = f->s->bits - f->p[f->k].len;

		f->inside = true;
		f->end = f->p[f->k].addr | (host ? (((juris_u128)1 << (host - 1)) << 1) - 1 : 0);
	}
	*at = next;
	*cc = f->inside ? JURIS_CC_SPECIAL : f->cc;
	return true;
}

static bool fold_next(struct fold *f, juris_u128 *at, u16 *cc)
{
	while (fold_event(f, at, cc)) {
		if (f->started && *cc == f->out)
			continue;
		f->started = true;
		f->out = *cc;
		return true;
	}
	return false;
}

/* How many segments the fold gives, and how many IPv6 starts with low bits. */
static u32 fold_count(struct juris_seglist *s, const struct juris_overlay *over, u32 *nlo)
{
	struct fold f;
	juris_u128 at;
	u32 n = 0;
	u16 cc;

	*nlo = 0;
	fold_init(&f, s, over);
	while (fold_next(&f, &at, &cc)) {
		*nlo += s->bits == 128 && (u64)at;
		if (!(++n % (16 * RESCHED_STEPS)))
			cond_resched();
	}
	return n;
}

/* Places the fold's segments in t, freeing the seglist's blocks as it goes. */
static void place(struct juris_table *t, struct juris_seglist *s,
		  const struct juris_overlay *over)
{
	u32 n = 0, nlo = 0;
	struct fold f;
	juris_u128 at;
	u16 cc;

	fold_init(&f, s, over);
	while (fold_next(&f, &at, &cc)) {
		if (!(n % JURIS_SEG_BLOCK)) {
			sl_release(s, f.i);
			cond_resched();
		}
		if (s->bits == 32) {
			t->start4[n] = (u32)at;
			t->cc4[n++] = cc;
			continue;
		}
		t->hi6[n] = (u64)(at >> 64);
		if ((u64)at) {
			t->lo_set6[n / 64] |= (u64)1 << (n % 64);
			t->lo_idx6[nlo] = n;
			t->lo6[nlo++] = (u64)at;
		}
		t->cc6[n++] = cc;
	}
	sl_free(s);
}

/*
 * Three allocations: the IPv6 segments, the header with the IPv4 ones,
 * the index. The IPv6 segments are placed first, while the IPv4 ones are
 * still in the load: for a compiled table (18 bytes an IPv6 segment in the
 * load, 10 in the table, 6 and 6 for IPv4) the peak is then the load plus
 * the IPv6 segments, about 1.4 times the world's table.
 */
struct juris_table *juris_table_build_loads(struct juris_load load[2],
					    const struct juris_overlay over[2])
{
	size_t size, size6, offset6, offlo6, offidx6, offc6, offc4;
	struct juris_table *t, v6 = { 0 };
	u32 n4, n6, nlo6, unused;
	u8 *data6;

	if (load_segments(&load[0], 32) || load_segments(&load[1], 128))
		return NULL;
	n4 = fold_count(&load[0].segs, over ? &over[0] : NULL, &unused);
	n6 = fold_count(&load[1].segs, over ? &over[1] : NULL, &nlo6);

	/* The 8-byte arrays first, then the 4- and 2-byte. */
	offset6 = n6 * sizeof(u64);
	offlo6 = offset6 + (n6 / 64 + 1) * sizeof(u64);
	offidx6 = offlo6 + nlo6 * sizeof(u64);
	offc6 = offidx6 + nlo6 * sizeof(u32);
	size6 = offc6 + n6 * sizeof(u16);
	data6 = juris_alloc(size6);
	if (!data6)
		return NULL;
	v6.hi6 = (u64 *)data6;
	v6.lo_set6 = (u64 *)(data6 + offset6);
	v6.lo6 = (u64 *)(data6 + offlo6);
	v6.lo_idx6 = (u32 *)(data6 + offidx6);
	v6.cc6 = (u16 *)(data6 + offc6);
	memset(v6.lo_set6, 0, (n6 / 64 + 1) * sizeof(u64));
	place(&v6, &load[1].segs, over ? &over[1] : NULL);

	offc4 = align16(sizeof(*t)) + n4 * sizeof(u32);
	size = offc4 + n4 * sizeof(u16);
	t = juris_alloc(size);
	if (!t) {
		kvfree(data6);
		return NULL;
	}
	memset(t, 0, sizeof(*t));
	t->data6 = data6;
	t->bytes = size + size6;
	t->rows[0] = load[0].n;
	t->rows[1] = load[1].n;
	t->nseg[0] = n4;
	t->nseg[1] = n6;
	t->hi6 = v6.hi6;
	t->lo_set6 = v6.lo_set6;
	t->lo6 = v6.lo6;
	t->lo_idx6 = v6.lo_idx6;
	t->nlo6 = nlo6;
	t->cc6 = v6.cc6;
	t->start4 = (u32 *)((u8 *)t + align16(sizeof(*t)));
	t->cc4 = (u16 *)((u8 *)t + offc4);
	place(t, &load[0].segs, over ? &over[0] : NULL);
	if (table_index(t)) {
		juris_table_free(t);
		return NULL;
	}
	return t;
}

struct juris_table *juris_table_build(struct juris_range *v4, u32 n4,
				      struct juris_range *v6, u32 n6,
				      const struct juris_overlay over[2])
{
	struct juris_load load[2];
	struct juris_table *t;

	juris_load_init(&load[0], 32);
	juris_load_init(&load[1], 128);
	load[0].rows = v4;
	load[0].n = n4;
	load[1].rows = v6;
	load[1].n = n6;
	/* An empty family's rows may be NULL: kept as segments, it has none. */
	if (!v4)
		load[0].rows = NULL;
	if (!v6)
		load[1].rows = NULL;
	t = juris_table_build_loads(load, over);
	load[0].rows = NULL;
	load[1].rows = NULL;
	juris_load_free(&load[0]);
	juris_load_free(&load[1]);
	return t;
}

void juris_table_free(struct juris_table *t)
{
	if (t) {
		kvfree(t->index);
		kvfree(t->data6);
	}
	kvfree(t);
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

void juris_table_canon(const struct juris_table *t, juris_emit_fn emit, void *ctx)
{
	static const char magic[] = "juris table v1\n";
	u8 b[18];
	u32 i;

	emit(ctx, magic, sizeof(magic) - 1);
	juris_put_be(b, t->nseg[0], 4);
	emit(ctx, b, 4);
	for (i = 0; i < t->nseg[0]; ++i) {
		juris_put_be(b, t->start4[i], 4);
		juris_cc_canon(t->cc4[i], b + 4);
		emit(ctx, b, 6);
	}
	juris_put_be(b, t->nseg[1], 4);
	emit(ctx, b, 4);
	for (i = 0; i < t->nseg[1]; ++i) {
		juris_put_be(b, juris_table_start6(t, i), 16);
		juris_cc_canon(t->cc6[i], b + 16);
		emit(ctx, b, 18);
	}
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
