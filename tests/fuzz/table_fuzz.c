// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the table core: the input is a list of rows of both
 * families, the table is built with juris_table_build() as the kernel does
 * at commit (and again from the rows added one at a time, as a load
 * receives them), and every lookup near a row's edges, at every segment start
 * and at addresses the input picks must agree with the naive reference of
 * the host test. A disagreement or a broken segment invariant aborts.
 *
 * A row is 6 bytes:
 *   flags	bit 0: IPv6; bits 1-2: where (near the window, near address 0,
 *		near the top of the space, anywhere); bits 3-7: country
 *   off	2 bytes, little endian: the start's offset
 *   len	2 bytes, little endian: the length
 *   shift	how far off and len are shifted left (aligned prefixes)
 * Random probes come from a generator seeded with a hash of the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kmod/table.h"
#include "../host/naive.h"
#include "../../kmod/policy.h"
#include "check.h"

#define ROW_BYTES 6
/* The reference is quadratic: more rows would only slow the fuzzer down. */
#define MAX_ROWS 256
#define RANDOM_PROBES 256

static u64 rnd_state;

static u64 rnd(void)
{
	/* splitmix64 */
	u64 z = (rnd_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static juris_u128 max_of(int bits)
{
	return bits == 32 ? (juris_u128)0xffffffffU : ~(juris_u128)0;
}

/* Addresses in a small window, so that rows nest, overlap and tie. */
static juris_u128 window(int bits)
{
	return bits == 32 ? 0x0a000000 : (juris_u128)0x20010db8ULL << 96;
}

static void decode(const uint8_t *p, u32 seq, struct juris_range *r, int *bits)
{
	unsigned int where = (p[0] >> 1) & 3, shift = p[5];
	juris_u128 off = p[1] | p[2] << 8, len = p[3] | p[4] << 8, max;

	*bits = p[0] & 1 ? 128 : 32;
	max = max_of(*bits);
	/* The shifted value keeps its 16 bits inside the family's width. */
	shift %= where == 3 ? *bits - 15 : 17;
	off <<= shift;
	len = len << shift | (((juris_u128)1 << shift) - 1);
	if (where == 0)
		r->start = (window(*bits) + off) & max;
	else if (where == 2)
		r->start = max - off;	/* counted down from the top */
	else
		r->start = off;
	r->end = r->start + len;
	if (r->end < r->start || r->end > max)
		r->end = max;
	r->seq = seq;
	r->cc = 1 + (p[0] >> 3) % 8;	/* few countries: more merges */
}

static u16 lookup(const struct juris_table *t, int bits, juris_u128 a)
{
	return bits == 32 ? juris_table_lookup_v4(t, (u32)a) :
			    juris_table_lookup_v6(t, a);
}

/* Whether the table checked has the special-purpose prefixes laid over. */
static bool overlaid;

/* The naive scan's answer, or JURIS_CC_SPECIAL where the prefixes are laid over. */
static u16 expect(int bits, const struct juris_range *rows, u32 n, juris_u128 a)
{
	if (overlaid && (bits == 32 ? juris_special_ref_v4((u32)a) : juris_special_ref_v6(a)))
		return JURIS_CC_SPECIAL;
	return naive_lookup(rows, n, a);
}

/* The table must answer as the reference does, with exact segments. */
static void probe(const struct juris_table *t, int bits, const struct juris_range *rows,
		  u32 n, juris_u128 a)
{
	juris_u128 start, end;
	u16 cc;

	a &= max_of(bits);
	cc = lookup(t, bits, a);
	CHECK(cc == expect(bits, rows, n, a));
	CHECK(juris_table_segment(t, bits, a, &start, &end) == cc);
	CHECK(start <= a && a <= end && end <= max_of(bits));
	CHECK(expect(bits, rows, n, start) == cc && expect(bits, rows, n, end) == cc);
}

static void check_family(const struct juris_table *t, int bits, const struct juris_range *rows,
			 u32 n)
{
	int f = bits == 32 ? 0 : 1;
	u32 i, nseg = t->nseg[f];

	CHECK(t->rows[f] == n);
	/* Each prefix laid over adds at most two segments. */
	CHECK(nseg >= 1 && nseg <= 2 * n + 1 + (overlaid ? 2 * 9 : 0));
	for (i = 0; i < nseg; ++i) {
		juris_u128 s = bits == 32 ? t->start4[i] : juris_table_start6(t, i);
		u16 c = bits == 32 ? t->cc4[i] : t->cc6[i];

		if (i == 0) {
			CHECK(s == 0);
		} else {
			/* Sorted, and equal neighbours merged. */
			CHECK(s > (bits == 32 ? t->start4[i - 1] : juris_table_start6(t, i - 1)));
			CHECK(c != (bits == 32 ? t->cc4[i - 1] : t->cc6[i - 1]));
			probe(t, bits, rows, n, s - 1);
		}
		probe(t, bits, rows, n, s);
	}
	for (i = 0; i < n; ++i) {
		probe(t, bits, rows, n, rows[i].start - 1);
		probe(t, bits, rows, n, rows[i].start);
		probe(t, bits, rows, n, rows[i].end);
		probe(t, bits, rows, n, rows[i].end + 1);
	}
	probe(t, bits, rows, n, 0);
	probe(t, bits, rows, n, max_of(bits));
	/* Mostly in the window, where rows crowd; some anywhere at all. */
	for (i = 0; i < RANDOM_PROBES; ++i) {
		juris_u128 a = (juris_u128)rnd() << 64 | rnd();

		if (i % 4)
			a = window(bits) + (a & 0xffffff);
		probe(t, bits, rows, n, a);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct juris_range rows[2][MAX_ROWS], copy[2][MAX_ROWS];
	struct juris_overlay over[2];
	struct juris_load load[2];
	size_t nrows = size / ROW_BYTES, i;
	struct juris_table *t;
	u32 n[2] = { 0, 0 };
	int bits;

	if (nrows > MAX_ROWS)
		return -1;	/* not worth keeping in the corpus */
	/* FNV-1a: the same input probes the same addresses. */
	rnd_state = 0xcbf29ce484222325ULL;
	for (i = 0; i < size; ++i)
		rnd_state = (rnd_state ^ data[i]) * 0x100000001b3ULL;
	for (i = 0; i < nrows; ++i) {
		struct juris_range r;

		/* One sequence over both families, as the kernel numbers rows. */
		decode(data + i * ROW_BYTES, i, &r, &bits);
		rows[bits == 128][n[bits == 128]++] = r;
	}
	/* The build sorts its input in place; the reference keeps the original. */
	memcpy(copy, rows, sizeof(rows));
	t = juris_table_build(n[0] ? copy[0] : NULL, n[0], n[1] ? copy[1] : NULL, n[1], NULL);
	CHECK(t);
	check_family(t, 32, rows[0], n[0]);
	check_family(t, 128, rows[1], n[1]);
	juris_table_free(t);

	/*
	 * The same rows added one at a time, as a table load receives them
	 * (kept as segments while sorted and disjoint), built as a commit
	 * builds them, with the special-purpose prefixes laid over.
	 */
	juris_special_overlay(over);
	overlaid = true;
	juris_load_init(&load[0], 32);
	juris_load_init(&load[1], 128);
	for (i = 0; i < n[0]; ++i)
		CHECK(!juris_load_add(&load[0], &rows[0][i], MAX_ROWS));
	for (i = 0; i < n[1]; ++i)
		CHECK(!juris_load_add(&load[1], &rows[1][i], MAX_ROWS));
	t = juris_table_build_loads(load, over);
	CHECK(t);
	check_family(t, 32, rows[0], n[0]);
	check_family(t, 128, rows[1], n[1]);
	overlaid = false;
	juris_table_free(t);
	juris_load_free(&load[0]);
	juris_load_free(&load[1]);
	return 0;
}
