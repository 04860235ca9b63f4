// SPDX-License-Identifier: GPL-2.0
/*
 * The table and policy core, compiled for the host, checked against a
 * deliberately naive reference: for every probed address, scan all input
 * rows for the smallest covering one. Randomized tables are dense in a small
 * window so that rows nest, overlap and tie often. TAP output.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../kmod/table.h"
#include "../../kmod/policy.h"
#include "naive.h"

static int tests, failures;
/* How the tables compare() built were searched, per family. */
static int with_nodes[2], ranges_only[2], unindexed[2];
/* How compare()'s loads kept their rows: as segments to the end, or not. */
static int streamed, turned;

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	++tests;
	printf("%sok %d - ", cond ? "" : "not ", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		++failures;
}

static u64 rnd_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	/* xorshift64*: reproducible across runs and machines. */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dULL;
}

static juris_u128 max_of(int bits)
{
	return bits == 32 ? (juris_u128)0xffffffffU : ~(juris_u128)0;
}

static u16 lookup(const struct juris_table *t, int bits, juris_u128 a)
{
	return bits == 32 ? juris_table_lookup_v4(t, (u32)a) :
			    juris_table_lookup_v6(t, a);
}

/* A random row inside a window of 2^span addresses at base. */
static void random_row(struct juris_range *r, int bits, juris_u128 base, int span, u32 seq)
{
	juris_u128 mask = ((juris_u128)1 << span) - 1, a, b;

	a = base + (rnd() & mask);
	if (rnd() % 4 == 0) {
		/* Aligned prefixes, as most real rows are. */
		int len = rnd() % (span + 1);
		juris_u128 m = ((juris_u128)1 << len) - 1;

		a &= ~m;
		b = a + m;
	} else {
		b = a + (rnd() % 64 ? rnd() % 300 : rnd() & mask);
		if (b < a || b > max_of(bits))
			b = max_of(bits);
	}
	r->start = a;
	r->end = b;
	r->seq = seq;
	r->cc = 1 + rnd() % 8;	/* few countries: more merges */
}

/* Whether two tables hold the same segments of a family. */
static bool same_segments(const struct juris_table *a, const struct juris_table *b, int bits)
{
	int f = bits == 32 ? 0 : 1;
	u32 i;

	if (a->nseg[f] != b->nseg[f] || a->rows[f] != b->rows[f])
		return false;
	for (i = 0; i < a->nseg[f]; ++i) {
		if (bits == 32 ? a->start4[i] != b->start4[i] || a->cc4[i] != b->cc4[i] :
		    juris_table_start6(a, i) != juris_table_start6(b, i) || a->cc6[i] != b->cc6[i])
			return false;
	}
	return true;
}

/*
 * The rows added one at a time, as a table load receives them: kept as
 * segments while they come sorted and disjoint, turned into rows at the
 * first that is not. The table must be the one built from all rows at once.
 */
static int compare_load(const struct juris_range *rows, u32 n, int bits,
			const struct juris_table *want)
{
	struct juris_load load[2];
	struct juris_table *t;
	int f = bits == 32 ? 0 : 1, bad = 0;
	u32 i, kept = 0;

	juris_load_init(&load[0], 32);
	juris_load_init(&load[1], 128);
	for (i = 0; i < n; ++i) {
		if (juris_load_add(&load[f], &rows[i], n))
			return 1;
		kept += !load[f].rows;
	}
	if (!load[f].rows)
		++streamed;
	else if (kept >= 10)
		++turned;
	t = juris_table_build_loads(load, NULL);
	bad += !t || !same_segments(t, want, bits);
	juris_load_free(&load[0]);
	juris_load_free(&load[1]);
	juris_table_free(t);
	return bad;
}

/* Returns the number of mismatching probes; checks the segment invariants too. */
static int compare(struct juris_range *rows, u32 n, int bits, juris_u128 base, int span,
		   u32 probes)
{
	struct juris_range *copy = malloc((n ? n : 1) * sizeof(*copy));
	struct juris_table *t;
	int bad = 0;
	u32 i, nseg;

	memcpy(copy, rows, n * sizeof(*copy));
	t = bits == 32 ? juris_table_build(copy, n, NULL, 0, NULL) : juris_table_build(NULL, 0, copy, n, NULL);
	if (!t)
		return -1;
	nseg = t->nseg[bits == 32 ? 0 : 1];
	if (!t->dir[bits == 32 ? 0 : 1])
		++unindexed[bits == 32 ? 0 : 1];
	else if (t->nnodes[bits == 32 ? 0 : 1])
		++with_nodes[bits == 32 ? 0 : 1];
	else
		++ranges_only[bits == 32 ? 0 : 1];
	for (i = 0; i < nseg; ++i) {
		juris_u128 s = bits == 32 ? t->start4[i] : juris_table_start6(t, i);
		u16 c = bits == 32 ? t->cc4[i] : t->cc6[i];

		if (i == 0 && s != 0)
			++bad;
		if (i && (s <= (bits == 32 ? t->start4[i - 1] : juris_table_start6(t, i - 1)) ||
			  c == (bits == 32 ? t->cc4[i - 1] : t->cc6[i - 1])))
			++bad;	/* unsorted, or two equal neighbours left unmerged */
	}
	for (i = 0; i < n; ++i) {
		juris_u128 edges[4] = { rows[i].start - 1, rows[i].start, rows[i].end, rows[i].end + 1 };
		int k;

		for (k = 0; k < 4; ++k) {
			juris_u128 a = edges[k] & max_of(bits);

			bad += lookup(t, bits, a) != naive_lookup(rows, n, a);
		}
	}
	for (i = 0; i < probes; ++i) {
		juris_u128 mask = span >= 128 ? ~(juris_u128)0 : ((juris_u128)1 << span) - 1;
		juris_u128 a = (base + (((juris_u128)rnd() << 64 | rnd()) & mask)) & max_of(bits);

		bad += lookup(t, bits, a) != naive_lookup(rows, n, a);
	}
	bad += compare_load(rows, n, bits, t);
	juris_table_free(t);
	free(copy);
	return bad;
}

static void test_random(int bits)
{
	const char *fam = bits == 32 ? "IPv4" : "IPv6";
	juris_u128 base = bits == 32 ? 0x0a000000 : (juris_u128)0x20010db8ULL << 96;
	int round, bad = 0, span, f;
	struct juris_range *rows = malloc(600 * sizeof(*rows));
	u32 i, n;

	for (round = 0; round < 200; ++round) {
		span = 8 + rnd() % 12;
		n = rnd() % 600;
		for (i = 0; i < n; ++i)
			random_row(&rows[i], bits, base, span, i);
		bad += compare(rows, n, bits, base, span, 1000);
	}
	ok(bad == 0, "%s: 200 random tables agree with the naive reference (%d)", fam, bad);

	/* Rows spread over the whole space: a few in each slot of the dir. */
	bad = 0;
	for (round = 0; round < 10; ++round) {
		n = 100 + rnd() % 500;
		for (i = 0; i < n; ++i) {
			random_row(&rows[i], bits, (juris_u128)(rnd() % 1024) << (bits - 10),
				   bits - 10, i);
			rows[i].end = rows[i].start + rnd() % 100000;
			if (rows[i].end < rows[i].start || rows[i].end > max_of(bits))
				rows[i].end = max_of(bits);
		}
		bad += compare(rows, n, bits, 0, bits, 1000);
	}
	ok(bad == 0, "%s: 10 random tables spread over the space agree too (%d)", fam, bad);

	/* Disjoint rows, as a compiled table sends them, some adjacent, shuffled. */
	bad = 0;
	for (round = 0; round < 30; ++round) {
		juris_u128 at = base + rnd() % 3;

		n = 1 + rnd() % 500;
		for (i = 0; i < n; ++i) {
			rows[i].start = at;
			rows[i].end = at + rnd() % 50;
			rows[i].seq = i;
			rows[i].cc = 1 + rnd() % 3;
			at = rows[i].end + 1 + (rnd() % 2 ? 0 : rnd() % 20);
		}
		if (round % 2) {
			rows[n - 1].end = max_of(bits);	/* one up to the top */
			rows[0].start = 0;
		}
		/*
		 * A third shuffled; a third sorted (a load keeps them as
		 * segments); a third sorted, then a row over earlier ones.
		 */
		for (i = n; round % 3 == 0 && i > 1; --i) {
			struct juris_range x = rows[i - 1];
			u32 k = rnd() % i;

			rows[i - 1] = rows[k];
			rows[k] = x;
		}
		if (round % 3 == 2) {
			random_row(&rows[n], bits, base, 12, n);
			++n;
		}
		bad += compare(rows, n, bits, base, 16, 1000);
	}
	ok(bad == 0, "%s: 30 random disjoint tables agree too (%d)", fam, bad);
	ok(streamed >= 5 && turned >= 5,
	   "%s: rows added one at a time build the same tables, kept as segments (%d) or turned into rows on the way (%d)",
	   fam, streamed, turned);
	streamed = 0;
	turned = 0;
	f = bits == 32 ? 0 : 1;
	ok(with_nodes[f] >= 50 && ranges_only[f] >= 5 && unindexed[f] >= 5,
	   "%s: they exercise index nodes (%d tables), ranges alone (%d) and no index (%d)",
	   fam, with_nodes[f], ranges_only[f], unindexed[f]);

	/* Rows at both ends of the space and one covering all of it. */
	n = 0;
	rows[n++] = (struct juris_range){ 0, max_of(bits), 0, 5 };
	rows[n++] = (struct juris_range){ 0, 0, 1, 6 };
	rows[n++] = (struct juris_range){ max_of(bits), max_of(bits), 2, 7 };
	rows[n++] = (struct juris_range){ max_of(bits) - 255, max_of(bits), 3, 8 };
	bad = compare(rows, n, bits, max_of(bits) - 1023, 10, 5000) +
	      compare(rows, n, bits, 0, 10, 5000);
	ok(bad == 0, "%s: rows touching address 0 and the top of the space (%d)", fam, bad);

	/* Identical ranges: the row given last wins, whatever the order. */
	n = 0;
	rows[n++] = (struct juris_range){ base, base + 255, 0, 3 };
	rows[n++] = (struct juris_range){ base, base + 255, 1, 4 };
	{
		struct juris_table *t = bits == 32 ? juris_table_build(rows, n, NULL, 0, NULL) :
						     juris_table_build(NULL, 0, rows, n, NULL);

		ok(t && lookup(t, bits, base + 7) == 4, "%s: on equal ranges the later row wins", fam);
		juris_table_free(t);
	}
	free(rows);
}

static void test_empty(void)
{
	struct juris_table *t = juris_table_build(NULL, 0, NULL, 0, NULL);

	ok(t && t->nseg[0] == 1 && t->nseg[1] == 1 &&
	   juris_table_lookup_v4(t, 0x01020304) == JURIS_CC_UNKNOWN &&
	   juris_table_lookup_v6(t, 1) == JURIS_CC_UNKNOWN &&
	   juris_table_lookup_v4(NULL, 5) == JURIS_CC_UNKNOWN,
	   "%s: an empty or missing table maps nothing", "table");
	juris_table_free(t);
}

static void test_segment(void)
{
	struct juris_range rows[] = {
		{ 0x0a000000, 0x0a0000ff, 0, 3 },
		{ 0x0a000010, 0x0a00001f, 1, 4 },
	};
	struct juris_table *t = juris_table_build(rows, 2, NULL, 0, NULL);
	juris_u128 s, e;
	u16 cc = juris_table_segment(t, 32, 0x0a000005, &s, &e);

	ok(cc == 3 && s == 0x0a000000 && e == 0x0a00000f,
	   "%s: the segment holding an address has exact bounds", "table");
	cc = juris_table_segment(t, 32, 0xffffff00, &s, &e);
	ok(cc == 0 && s == 0x0a000100 && e == 0xffffffff,
	   "%s: the last segment ends at the top of the space", "table");
	juris_table_free(t);
}

static void test_policy(void)
{
	struct juris_policy *p = juris_policy_new(NULL, NULL);
	u16 in = juris_cc_index((const u8 *)"IN"), us = juris_cc_index((const u8 *)"US");
	const u8 none = JURIS_PREFIX_NONE;
	u8 code[2], rule = 0xff;

	juris_cc_code(in, code);
	ok(in != us && code[0] == 'I' && code[1] == 'N' &&
	   juris_cc_index((const u8 *)"in") == JURIS_CC_UNKNOWN,
	   "%s: country codes map to indexes and back", "policy");
	ok(p->mode == JURIS_MODE_OFF && p->unknown == JURIS_UNKNOWN_ALLOW && !p->deny &&
	   !p->nprefix && !p->nspan[0] && !p->nspan[1],
	   "%s: the initial policy is off, allows unknown, lists and rules nothing", "policy");
	p->mode = JURIS_MODE_ENFORCE;
	p->unknown = JURIS_UNKNOWN_DENY;
	juris_policy_list(p, in);
	ok(juris_policy_eval(p, in, none, NULL, NULL) == JURIS_VERDICT_ALLOW &&
	   juris_policy_eval(p, us, none, NULL, NULL) == JURIS_VERDICT_DENY &&
	   juris_policy_eval(p, JURIS_CC_UNKNOWN, none, NULL, NULL) == JURIS_VERDICT_DENY &&
	   juris_policy_eval(p, JURIS_CC_SPECIAL, none, NULL, &rule) == JURIS_VERDICT_ALLOW &&
	   rule == JURIS_RULE_SPECIAL,
	   "%s: enforce allows approved and special, denies the rest", "policy");
	p->deny = true;
	ok(juris_policy_eval(p, in, none, NULL, &rule) == JURIS_VERDICT_DENY &&
	   rule == JURIS_RULE_COUNTRY &&
	   juris_policy_eval(p, us, none, NULL, NULL) == JURIS_VERDICT_ALLOW &&
	   juris_policy_eval(p, JURIS_CC_UNKNOWN, none, NULL, &rule) == JURIS_VERDICT_DENY &&
	   rule == JURIS_RULE_UNKNOWN,
	   "%s: a deny list denies what it lists and approves the rest", "policy");
	ok(juris_policy_eval(p, us, JURIS_PREFIX_BLOCK, NULL, &rule) == JURIS_VERDICT_DENY &&
	   rule == JURIS_RULE_PREFIX &&
	   juris_policy_eval(p, in, JURIS_PREFIX_EXEMPT, NULL, NULL) == JURIS_VERDICT_ALLOW &&
	   juris_policy_eval(p, JURIS_CC_SPECIAL, JURIS_PREFIX_BLOCK, NULL, &rule) ==
	   JURIS_VERDICT_ALLOW && rule == JURIS_RULE_SPECIAL,
	   "%s: prefix rules decide before the country, special before them", "policy");
	p->unknown = JURIS_UNKNOWN_ALLOW;
	p->mode = JURIS_MODE_AUDIT;
	ok(juris_policy_eval(p, JURIS_CC_UNKNOWN, none, NULL, NULL) == JURIS_VERDICT_ALLOW &&
	   juris_policy_eval(p, in, none, NULL, NULL) == JURIS_VERDICT_AUDIT,
	   "%s: audit marks what enforce would drop; unknown allow", "policy");
	p->mode = JURIS_MODE_OFF;
	ok(juris_policy_eval(p, in, JURIS_PREFIX_BLOCK, NULL, &rule) == JURIS_VERDICT_ALLOW &&
	   rule == JURIS_RULE_PREFIX,
	   "%s: off allows everything, and names the rule that would decide", "policy");
	kvfree(p);
}

/* The action of the longest rule covering a, block on a tie: the reference. */
static u8 naive_prefix(const struct juris_prefix_rule *r, u32 n, int bits, juris_u128 a)
{
	int best = -1;
	u8 act = JURIS_PREFIX_NONE;
	u32 i;

	for (i = 0; i < n; ++i) {
		juris_u128 start = (juris_u128)r[i].hi << 64 | r[i].lo;
		int shift = bits - r[i].len;

		if (r[i].bits != bits ||
		    (shift < 128 && (a >> shift) != (start >> shift)))
			continue;
		if (r[i].len > best || (r[i].len == best && r[i].action == JURIS_PREFIX_BLOCK)) {
			best = r[i].len;
			act = r[i].action;
		}
	}
	return act;
}

static void random_rule(struct juris_prefix_rule *r, int bits, juris_u128 base)
{
	/* Lengths around the base's, so rules nest, repeat and sit side by side. */
	int len = bits - 16 + (int)(rnd() % 17);
	juris_u128 a = base + (rnd() & 0xffff);

	if (!(rnd() % 8))
		len = rnd() % (bits + 1);
	if (len < bits)
		a &= ~(max_of(bits) >> len);
	r->bits = bits;
	r->len = len;
	r->hi = (u64)(a >> 64);
	r->lo = (u64)a;
	r->action = rnd() % 2 ? JURIS_PREFIX_EXEMPT : JURIS_PREFIX_BLOCK;
}

/*
 * Random rule sets, both families in each: every rule's edges and random
 * addresses around them give the naive reference's action; the stored
 * rules come back sorted, without duplicates, and a copy keeps them.
 */
static void test_prefix_rules(void)
{
	struct juris_prefix_rule r[96];
	int round, bad = 0, badcopy = 0, badsort = 0;
	u32 spans = 0;

	for (round = 0; round < 300; ++round) {
		juris_u128 base4 = rnd() & 0xffff0000U;
		juris_u128 base6 = ((juris_u128)rnd() << 64 | rnd()) & ~(juris_u128)0xffff;
		u32 n = rnd() % 96, i, k;
		struct juris_policy *p, *copy;

		for (i = 0; i < n; ++i) {
			int bits = rnd() % 2 ? 32 : 128;

			random_rule(&r[i], bits, bits == 32 ? base4 : base6);
		}
		for (i = 0; i < n; ++i)	/* some exact duplicates */
			if (i && !(rnd() % 10))
				r[i] = r[rnd() % i];
		p = juris_policy_new(NULL, &(struct juris_rules){ .prefix = r, .nprefix = n });
		copy = juris_policy_new(p, NULL);
		if (!p || !copy) {
			++bad;
			break;
		}
		spans += p->nspan[0] + p->nspan[1];
		for (i = 1; i < p->nprefix; ++i) {
			const struct juris_prefix_rule *x = &p->prefix[i - 1], *y = &p->prefix[i];

			badsort += x->bits > y->bits ||
				   (x->bits == y->bits && (x->hi > y->hi ||
				   (x->hi == y->hi && (x->lo > y->lo || (x->lo == y->lo &&
				   (x->len > y->len || (x->len == y->len && x->action >= y->action)))))));
		}
		badcopy += copy->nprefix != p->nprefix ||
			   copy->nspan[0] != p->nspan[0] || copy->nspan[1] != p->nspan[1];
		for (i = 0; i < p->nprefix && i < copy->nprefix; ++i) {
			const struct juris_prefix_rule *x = &p->prefix[i], *y = &copy->prefix[i];

			badcopy += x->hi != y->hi || x->lo != y->lo || x->bits != y->bits ||
				   x->len != y->len || x->action != y->action;
		}
		for (i = 0; i < n; ++i) {
			int bits = r[i].bits;
			juris_u128 start = (juris_u128)r[i].hi << 64 | r[i].lo;
			juris_u128 end = r[i].len >= bits ? start : start | max_of(bits) >> r[i].len;
			juris_u128 probe[6] = { start - 1, start, end, end + 1,
						start + (rnd() & 0x1ffff), start - (rnd() & 0x1ffff) };

			for (k = 0; k < 6; ++k) {
				juris_u128 a = probe[k] & max_of(bits);
				u8 got = bits == 32 ? juris_prefix_v4(p, (u32)a) : juris_prefix_v6(p, a);

				bad += got != naive_prefix(p->prefix, p->nprefix, bits, a);
				bad += got != naive_prefix(r, n, bits, a);
			}
		}
		kvfree(p);
		kvfree(copy);
	}
	ok(!bad, "prefix rules: 300 random sets agree with the longest-match reference (%d bad, %u spans)",
	   bad, spans);
	ok(!badsort && !badcopy, "prefix rules: kept sorted without duplicates, copied whole (%d unsorted, %d bad copies)",
	   badsort, badcopy);
}

/* The first rule covering kuid, by the ranges: the reference. */
static int naive_uid(const struct juris_uid_range *r, u32 n, u32 kuid)
{
	u32 i;
	int best = -1;

	for (i = 0; i < n; ++i)
		if (r[i].first <= kuid && kuid <= r[i].last && (best < 0 || r[i].rule < (u32)best))
			best = r[i].rule;
	return best;
}

/*
 * Random UID rules, first match wins: every range's edges and random UIDs
 * give the reference's rule; the verdict follows the rule's action, and the
 * unknown verdict stays global.
 */
static void test_uid_rules(void)
{
	static struct juris_uid_rule rules[64];
	static struct juris_uid_range range[200];
	u16 in = juris_cc_index((const u8 *)"IN"), us = juris_cc_index((const u8 *)"US");
	int round, bad = 0, badeval = 0;
	u32 spans = 0;

	for (round = 0; round < 300; ++round) {
		u32 n = rnd() % 64, nr = 0, i, k, base = rnd() % 2 ? 0 : 0xffff0000U;
		struct juris_policy *p;

		for (i = 0; i < n; ++i) {
			u32 pieces = 1 + rnd() % 3;

			memset(&rules[i], 0, sizeof(rules[i]));
			rules[i].action = JURIS_UID_EXEMPT + rnd() % 4;
			rules[i].first = base + rnd() % 60000;
			rules[i].last = rules[i].first + (rnd() % 4 ? rnd() % 3000 : 0);
			if (rules[i].action >= JURIS_UID_ALLOW)
				rules[i].set[in / 64] |= (u64)1 << (in % 64);
			for (k = 0; k < pieces; ++k) {
				u32 f = base + rnd() % 65536, len = rnd() % 5000;

				range[nr].first = f;
				range[nr].last = f + len < f ? 0xffffffffU : f + len;
				range[nr++].rule = i;
			}
		}
		p = juris_policy_new(NULL, &(struct juris_rules){ .uid = rules, .nuid = n,
							      .range = range, .nrange = nr });
		if (!p) {
			++bad;
			break;
		}
		p->mode = JURIS_MODE_ENFORCE;
		p->unknown = JURIS_UNKNOWN_DENY;
		spans += p->nuidspan;
		for (i = 0; i < nr + 20; ++i) {
			u32 probes[4], kuid;

			if (i < nr) {
				probes[0] = range[i].first - 1;
				probes[1] = range[i].first;
				probes[2] = range[i].last;
				probes[3] = range[i].last + 1;
			} else {
				for (k = 0; k < 4; ++k)
					probes[k] = base + rnd() % 70000;
			}
			for (k = 0; k < 4; ++k) {
				const struct juris_uid_rule *u;
				int want;
				u8 rule;

				kuid = probes[k];
				u = juris_uid_rule(p, kuid);
				want = naive_uid(range, nr, kuid);
				bad += want < 0 ? u != NULL : u != &p->uid[want];
				if (!u)
					continue;
				/* IN listed: allow approves it, deny refuses it. */
				badeval += juris_policy_eval(p, in, JURIS_PREFIX_NONE, u, &rule) !=
					   (u->action == JURIS_UID_EXEMPT || u->action == JURIS_UID_ALLOW ?
					    JURIS_VERDICT_ALLOW : JURIS_VERDICT_DENY) || rule != JURIS_RULE_UID;
				badeval += juris_policy_eval(p, us, JURIS_PREFIX_NONE, u, NULL) !=
					   (u->action == JURIS_UID_EXEMPT || u->action == JURIS_UID_DENY ?
					    JURIS_VERDICT_ALLOW : JURIS_VERDICT_DENY);
				badeval += juris_policy_eval(p, JURIS_CC_UNKNOWN, JURIS_PREFIX_NONE, u,
							     &rule) != (u->action == JURIS_UID_EXEMPT ?
					    JURIS_VERDICT_ALLOW : JURIS_VERDICT_DENY) ||
					   rule != (u->action <= JURIS_UID_BLOCK ? JURIS_RULE_UID :
						    JURIS_RULE_UNKNOWN);
				badeval += juris_policy_eval(p, in, JURIS_PREFIX_EXEMPT, u, &rule) !=
					   JURIS_VERDICT_ALLOW || rule != JURIS_RULE_PREFIX;
				badeval += juris_policy_eval(p, JURIS_CC_SPECIAL, JURIS_PREFIX_NONE, u,
							     &rule) != JURIS_VERDICT_ALLOW ||
					   rule != JURIS_RULE_SPECIAL;
			}
		}
		kvfree(p);
	}
	ok(!bad, "UID rules: 300 random sets, first match, agree with the reference (%d bad, %u spans)",
	   bad, spans);
	ok(!badeval, "UID rules: after special and prefix, before the country; unknown stays global (%d bad)",
	   badeval);
}

/* Bit i of a, counted from the top as RFC 6052 does. */
static int bit_at(juris_u128 a, int i)
{
	return (int)(a >> (127 - i)) & 1;
}

/* RFC 6052 2.2, bit by bit: the 32 bits after the prefix, skipping 64-71. */
static u32 naive_embedded(juris_u128 a, int len)
{
	u32 v4 = 0;
	int i, got = 0;

	for (i = len; got < 32; ++i) {
		if (i >= 64 && i < 72)
			continue;
		v4 = v4 << 1 | bit_at(a, i);
		++got;
	}
	return v4;
}

static juris_u128 v6(u64 hi, u64 lo)
{
	return (juris_u128)hi << 64 | lo;
}

/*
 * NAT64 and IPv4-mapped destinations: RFC 6052 2.4's examples of
 * 192.0.2.33, a bit-by-bit reference over random prefixes and addresses,
 * and the verdict: an embedding address is judged as its IPv4 one.
 */
static void test_nat64(void)
{
	static const struct {
		u64 prefix_hi, prefix_lo;
		int len;
		u64 hi, lo;
	} rfc[] = {
		{ 0x20010db800000000ULL, 0, 32, 0x20010db8c0000221ULL, 0 },
		{ 0x20010db801000000ULL, 0, 40, 0x20010db801c00002ULL, 0x0021000000000000ULL },
		{ 0x20010db801220000ULL, 0, 48, 0x20010db80122c000ULL, 0x0002210000000000ULL },
		{ 0x20010db801220300ULL, 0, 56, 0x20010db8012203c0ULL, 0x0000022100000000ULL },
		{ 0x20010db801220344ULL, 0, 64, 0x20010db801220344ULL, 0x00c0000221000000ULL },
		{ 0x20010db801220344ULL, 0, 96, 0x20010db801220344ULL, 0x00000000c0000221ULL },
	};
	static const int lens[] = { 32, 40, 48, 56, 64, 96 };
	struct juris_policy *p = juris_policy_new(NULL, NULL);
	static struct juris_prefix_rule rules[8];
	int i, k, bad = 0, badjudge = 0, rfcbad = 0;
	u32 v4;

	/* The well-known prefix and IPv4-mapped need no configuration. */
	rfcbad += !juris_nat64_v4(p, v6(0x0064ff9b00000000ULL, 0xc0000221), &v4) || v4 != 0xc0000221;
	rfcbad += !juris_nat64_v4(p, v6(0, 0x0000ffffc0000221ULL), &v4) || v4 != 0xc0000221;
	rfcbad += juris_nat64_v4(p, v6(0x0064ff9b00000001ULL, 0xc0000221), &v4);
	rfcbad += juris_nat64_v4(p, v6(0, 0x0001ffffc0000221ULL), &v4);
	for (i = 0; i < (int)(sizeof(rfc) / sizeof(rfc[0])); ++i) {
		p->nnat64 = 1;
		p->nat64[0] = v6(rfc[i].prefix_hi, rfc[i].prefix_lo);
		p->nat64_len[0] = rfc[i].len;
		rfcbad += !juris_nat64_v4(p, v6(rfc[i].hi, rfc[i].lo), &v4) || v4 != 0xc0000221;
	}
	kvfree(p);
	ok(!rfcbad, "NAT64: RFC 6052's examples, the well-known prefix and IPv4-mapped (%d bad)",
	   rfcbad);

	for (k = 0; k < 200; ++k) {
		u32 nrules = rnd() % 8, r;

		for (r = 0; r < nrules; ++r)
			random_rule(&rules[r], 32, 0);
		p = juris_policy_new(NULL, &(struct juris_rules){ .prefix = rules, .nprefix = nrules });
		if (!p) {
			++bad;
			break;
		}
		p->mode = JURIS_MODE_ENFORCE;
		p->unknown = rnd() % 2;
		p->nnat64 = 1 + rnd() % 3;
		for (i = 0; i < p->nnat64; ++i) {
			int len = lens[rnd() % 6];

			p->nat64_len[i] = len;
			p->nat64[i] = (v6(rnd(), rnd()) >> (128 - len)) << (128 - len);
		}
		for (i = 0; i < 200; ++i) {
			int which = rnd() % (p->nnat64 + 1), len;
			juris_u128 a = v6(rnd(), rnd());
			u16 cc6, cc4;
			u8 rule6, rule4;
			u32 want = 0;
			bool in;

			if (which < p->nnat64) {
				len = p->nat64_len[which];
				a = p->nat64[which] | (a << len >> len);
			}
			/* The reference: the first configured prefix that covers it. */
			in = false;
			for (int j = 0; j < p->nnat64 && !in; ++j) {
				int shift = 128 - p->nat64_len[j];

				if (a >> shift == p->nat64[j] >> shift) {
					in = true;
					want = naive_embedded(a, p->nat64_len[j]);
				}
			}
			/* Random addresses hardly land in the well-known ones. */
			if (a >> 32 == 0xffff || a >> 32 == (juris_u128)0x0064ff9b << 64)
				continue;
			bad += juris_nat64_v4(p, a, &v4) != in || (in && v4 != want);
			if (!in)
				continue;
			badjudge += juris_judge_v6(p, NULL, a, NULL, &cc6, &rule6) !=
				    juris_judge_v4(p, NULL, want, NULL, &cc4, &rule4) ||
				    cc6 != cc4 || rule6 != rule4;
		}
		kvfree(p);
	}
	ok(!bad, "NAT64: 200 random sets of prefixes agree with a bit-by-bit RFC 6052 reference (%d bad)",
	   bad);
	ok(!badjudge, "NAT64: an embedding address is judged as its IPv4 one: country, prefix rules, rule (%d bad)",
	   badjudge);
}

static void test_special(void)
{
	static const u32 yes4[] = { 0x7f000001, 0x00000000, 0xa9fe0101, 0x0a010203, 0xac100001,
				    0xac1fffff, 0xc0a80101, 0x64400001, 0x647fffff, 0xe0000001,
				    0xefffffff, 0xffffffff };
	static const u32 no4[] = { 0x08080808, 0xac200001, 0x64800001, 0xc0000201, 0xcb007101,
				   0xfffffffe, 0x01000000, 0xa9ff0000 };
	juris_u128 yes6[] = { 0, 1, (juris_u128)0xfe80 << 112 | 5, (juris_u128)0xfd12 << 112,
			      (juris_u128)0xfc00 << 112, (juris_u128)0xff02 << 112 | 1 };
	juris_u128 no6[] = { 2, (juris_u128)0x2001 << 112, (juris_u128)0xfec0 << 112,
			     (juris_u128)0xfe00 << 112, (juris_u128)0x20010db8 << 96 };
	bool good = true;
	unsigned i;

	for (i = 0; i < sizeof(yes4) / sizeof(*yes4); ++i)
		good &= juris_special_v4(yes4[i]);
	for (i = 0; i < sizeof(no4) / sizeof(*no4); ++i)
		good &= !juris_special_v4(no4[i]);
	ok(good, "%s: IPv4 special-purpose prefixes, edges included", "policy");
	good = true;
	for (i = 0; i < sizeof(yes6) / sizeof(*yes6); ++i)
		good &= juris_special_v6(yes6[i]);
	for (i = 0; i < sizeof(no6) / sizeof(*no6); ++i)
		good &= !juris_special_v6(no6[i]);
	ok(good, "%s: IPv6 special-purpose prefixes, edges included", "policy");

	/* The packet path's checks against the list of prefixes they encode. */
	good = true;
	for (i = 0; i < 1U << 16; ++i) {
		u32 lows[3] = { 0, 0xffff, (u32)rnd() & 0xffff }, k;

		for (k = 0; k < 3; ++k) {
			u32 a4 = i << 16 | lows[k];
			juris_u128 a6 = (juris_u128)i << 112 | (((juris_u128)rnd() << 64 | rnd()) >> (k * 8));

			good &= juris_special_v4(a4) == juris_special_ref_v4(a4);
			good &= juris_special_v6(a6) == juris_special_ref_v6(a6);
			a6 = (juris_u128)i << 112 | (((juris_u128)1 << 112) - (k ? 1 : (rnd() & 0xff) + 1));
			good &= juris_special_v6(a6) == juris_special_ref_v6(a6);
		}
	}
	for (i = 0; i < 1000; ++i) {
		juris_u128 a6 = i < 3 ? i : (juris_u128)(rnd() >> (i % 64));

		good &= juris_special_v6(a6) == juris_special_ref_v6(a6);
	}
	ok(good, "%s: the packet path's special-purpose checks agree with the prefix list", "policy");
}

/*
 * Tables built with the special-purpose prefixes laid over them, as a
 * commit builds them: every address gives JURIS_CC_SPECIAL where the
 * prefix list says so, the naive answer elsewhere; rows that cover special
 * prefixes, start or end inside them or touch their edges included.
 */
static void test_overlay(int bits)
{
	const char *fam = bits == 32 ? "IPv4" : "IPv6";
	struct juris_range *rows = malloc(400 * sizeof(*rows));
	juris_u128 edges[] = { 0, 1, 2,
		bits == 32 ? 0x0a000000 : (juris_u128)0xfc00 << 112,
		bits == 32 ? 0x64400000 : (juris_u128)0xfe80 << 112,
		bits == 32 ? 0xc0a80000 : (juris_u128)0xff00 << 112,
		bits == 32 ? 0xe0000000 : (juris_u128)0x2001 << 112,
		bits == 32 ? 0xfffffff0 : max_of(128) - 15 };
	struct juris_overlay over[2];
	int round, bad = 0, k, specials = 0;
	u32 i, n;

	juris_special_overlay(over);
	for (round = 0; round < 100; ++round) {
		struct juris_range *copy;
		struct juris_table *t;

		n = rnd() % 400;
		for (i = 0; i < n; ++i) {
			juris_u128 base = edges[rnd() % (sizeof(edges) / sizeof(*edges))];

			random_row(&rows[i], bits, base >= 0x10000 ? base - 0x8000 : 0, 16, i);
			if (rnd() % 8 == 0)
				rows[i].end = rnd() % 2 ? max_of(bits) : rows[i].start + (rnd() & 0xffffff);
			if (rows[i].start > max_of(bits))
				rows[i].start = max_of(bits) - rnd() % 4096;
			if (rows[i].end < rows[i].start || rows[i].end > max_of(bits))
				rows[i].end = max_of(bits);
		}
		copy = malloc((n ? n : 1) * sizeof(*copy));
		memcpy(copy, rows, n * sizeof(*copy));
		t = bits == 32 ? juris_table_build(copy, n, NULL, 0, over) :
				 juris_table_build(NULL, 0, copy, n, over);
		if (!t) {
			++bad;
			free(copy);
			continue;
		}
		for (k = 0; k < 3000; ++k) {
			juris_u128 a = edges[k % (sizeof(edges) / sizeof(*edges))];
			bool special;
			u16 want;

			/* Near an edge, a row's edge, or anywhere. */
			if (k % 3 == 0)
				a += (juris_u128)(rnd() % 0x20000) - 0x10000;
			else if (k % 3 == 1 && n)
				a = rows[rnd() % n].start + rnd() % 3 - 1;
			else
				a = (juris_u128)rnd() << 64 | rnd();
			a &= max_of(bits);
			special = bits == 32 ? juris_special_ref_v4((u32)a) : juris_special_ref_v6(a);
			want = special ? JURIS_CC_SPECIAL : naive_lookup(rows, n, a);
			specials += special;
			bad += lookup(t, bits, a) != want;
		}
		/* The special-purpose edges themselves. */
		for (i = 0; i < over[bits == 32 ? 0 : 1].n; ++i) {
			const struct juris_prefix *p = &over[bits == 32 ? 0 : 1].prefix[i];
			int host = bits - p->len;
			juris_u128 last = p->addr | (host ? (((juris_u128)1 << (host - 1)) << 1) - 1 : 0);

			bad += lookup(t, bits, p->addr) != JURIS_CC_SPECIAL;
			bad += lookup(t, bits, last) != JURIS_CC_SPECIAL;
			if (p->addr && !(bits == 32 ? juris_special_ref_v4((u32)p->addr - 1) :
					  juris_special_ref_v6(p->addr - 1)))
				bad += lookup(t, bits, p->addr - 1) != naive_lookup(rows, n, p->addr - 1);
			if (last != max_of(bits) && !(bits == 32 ? juris_special_ref_v4((u32)last + 1) :
						      juris_special_ref_v6(last + 1)))
				bad += lookup(t, bits, last + 1) != naive_lookup(rows, n, last + 1);
		}
		juris_table_free(t);
		free(copy);
	}
	free(rows);
	ok(bad == 0 && specials > 1000,
	   "%s: with the special-purpose prefixes laid over, 100 random tables give them alone JURIS_CC_SPECIAL (%d wrong, %d special probes)",
	   fam, bad, specials);
}

int main(void)
{
	printf("TAP version 13\n1..36\n");
	test_random(32);
	test_random(128);
	test_empty();
	test_segment();
	test_policy();
	test_prefix_rules();
	test_uid_rules();
	test_nat64();
	test_special();
	test_overlay(32);
	test_overlay(128);
	return failures ? 1 : 0;
}
