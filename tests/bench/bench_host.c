// SPDX-License-Identifier: GPL-2.0
/*
 * make bench-host: the table core, built for the host, on the world table.
 *
 *   bench_host [-n ADDRESSES] [-r REPEATS] IPV4.CSV IPV6.CSV
 *
 * Loads the CSVs with the CLI's parser, builds the table as the kernel does
 * at commit, and times lookups of N addresses per family (10M by default,
 * fixed seed) drawn two ways: uniform (IPv6 within 2000::/3), and weighted:
 * a random segment of the table, then a random address inside it, which is
 * closer to real traffic (destinations sit in allocated space). Each lookup
 * runs against juris's table and against a plain binary search over the
 * same segments, interleaved, REPEATS (5) times: the medians are printed,
 * with their spread, and every answer of the two is compared.
 * Prints a table, then one "bench: NAME VALUE UNIT" line per figure.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "../../kmod/table.h"
#include "../../kmod/policy.h"
#include "../../userspace/jtab.h"

/* The baseline: the segments of one family, flat and sorted. */
struct flat {
	juris_u128 *start;
	u32 *start4;
	u16 *cc;
	u32 n;
};

static u64 rnd_state = 0x2545f4914f6cdd1dULL;

static u64 rnd(void)
{
	/* xorshift64*: the same addresses on every machine. */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dULL;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		perror("bench_host");
		exit(1);
	}
	return p;
}

/* Walks the table segment by segment, whatever its inner structure. */
static void flatten_table(const struct juris_table *t, int bits, struct flat *f)
{
	juris_u128 max = bits == 32 ? 0xffffffffU : ~(juris_u128)0, a = 0, s, e;
	u32 cap = 1024;

	f->start = xcalloc(cap, sizeof(*f->start));
	f->cc = xcalloc(cap, sizeof(*f->cc));
	f->n = 0;
	for (;;) {
		u16 cc = juris_table_segment(t, bits, a, &s, &e);

		if (f->n == cap) {
			cap *= 2;
			f->start = realloc(f->start, cap * sizeof(*f->start));
			f->cc = realloc(f->cc, cap * sizeof(*f->cc));
			if (!f->start || !f->cc) {
				perror("bench_host");
				exit(1);
			}
		}
		f->start[f->n] = s;
		f->cc[f->n++] = cc;
		if (e == max)
			break;
		a = e + 1;
	}
	f->start4 = xcalloc(f->n, sizeof(*f->start4));
	for (a = 0; a < f->n; ++a)
		f->start4[(u32)a] = (u32)f->start[(u32)a];
}

static __attribute__((noinline)) u16 bsearch4(const struct flat *f, u32 addr)
{
	u32 lo = 0, hi = f->n;

	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (f->start4[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return f->cc[lo];
}

static __attribute__((noinline)) u16 bsearch6(const struct flat *f, juris_u128 addr)
{
	u32 lo = 0, hi = f->n;

	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (f->start[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return f->cc[lo];
}

/* Addresses of one family, uniform or weighted by segment. */
static void draw(const struct flat *f, int bits, bool weighted, juris_u128 *out, u32 n)
{
	u32 i;

	for (i = 0; i < n; ++i) {
		juris_u128 a = (juris_u128)rnd() << 64 | rnd();

		if (!weighted) {
			out[i] = bits == 32 ? (u32)a : (a >> 3) | (juris_u128)1 << 125;
		} else {
			u32 s = rnd() % f->n;
			juris_u128 lo = f->start[s], hi, span;

			hi = s + 1 < f->n ? f->start[s + 1] - 1 :
			     bits == 32 ? 0xffffffffU : ~(juris_u128)0;
			span = hi - lo;
			out[i] = span == ~(juris_u128)0 ? a : lo + a % (span + 1);
		}
	}
}

enum method { JURIS, BSEARCH, VERDICT, RULES, NMETHODS };
static const char *const method_name[NMETHODS] = { "juris", "binary search", "juris verdict",
						   "verdict, max rules" };

/*
 * A policy at the rule limits: 1024 prefix rules (half IPv4 /16-/32,
 * half IPv6 /32-/64, random) and 256 UID rules of 10 UIDs each from
 * 10000, every third with a country set of its own.
 */
static struct juris_policy *policy_with_rules(const struct juris_policy *base)
{
	static struct juris_prefix_rule prefix[JURIS_MAX_PREFIXES];
	static struct juris_uid_rule uid[JURIS_MAX_UID_RULES];
	static struct juris_uid_range range[JURIS_MAX_UID_RULES];
	u32 i;

	for (i = 0; i < JURIS_MAX_PREFIXES; ++i) {
		struct juris_prefix_rule *r = &prefix[i];
		int v6 = i % 2, len = v6 ? 32 + rnd() % 33 : 16 + rnd() % 17;
		juris_u128 a = (juris_u128)rnd() << 64 | rnd(), host;

		r->bits = v6 ? 128 : 32;
		if (!v6)
			a &= 0xffffffffU;
		else
			a = (a & ~((juris_u128)7 << 125)) | (juris_u128)1 << 125;	/* 2000::/3 */
		host = len >= r->bits ? 0 : ~(juris_u128)0 >> (128 - r->bits + len);
		a &= ~host;
		r->len = len;
		r->hi = (u64)(a >> 64);
		r->lo = (u64)a;
		r->action = rnd() % 2 ? JURIS_PREFIX_EXEMPT : JURIS_PREFIX_BLOCK;
	}
	for (i = 0; i < JURIS_MAX_UID_RULES; ++i) {
		uid[i].first = 10000 + 10 * i;
		uid[i].last = uid[i].first + 9;
		uid[i].action = i % 3 ? JURIS_UID_BLOCK + i % 2 : JURIS_UID_DENY;
		uid[i].set[1] = 0xff00ff;
		range[i] = (struct juris_uid_range){ uid[i].first, uid[i].last, i };
	}
	return juris_policy_new(base, &(struct juris_rules){
		.prefix = prefix, .nprefix = JURIS_MAX_PREFIXES, .uid = uid,
		.nuid = JURIS_MAX_UID_RULES, .range = range, .nrange = JURIS_MAX_UID_RULES });
}

static u64 sink;
static const struct juris_policy *rules;

/* One pass over the addresses; returns ns per lookup. */
static double pass(enum method m, const struct juris_table *t, const struct flat *f,
		   const struct juris_policy *p, int bits, const juris_u128 *a,
		   const u32 *a4, u32 n)
{
	double t0 = now_ns();
	u64 sum = 0;
	u16 cc;
	u32 i;

	if (bits == 32) {
		switch (m) {
		case JURIS:
			for (i = 0; i < n; ++i)
				sum += juris_table_lookup_v4(t, a4[i]);
			break;
		case BSEARCH:
			for (i = 0; i < n; ++i)
				sum += bsearch4(f, a4[i]);
			break;
		case VERDICT:
			for (i = 0; i < n; ++i)
				sum += juris_judge_v4(p, t, a4[i], NULL, &cc, NULL);
			break;
		case RULES:
			for (i = 0; i < n; ++i)
				sum += juris_judge_v4(rules, t, a4[i],
						      juris_uid_rule(rules, 10000 + (i & 4095)),
						      &cc, NULL);
			break;
		default:
			break;
		}
	} else {
		switch (m) {
		case JURIS:
			for (i = 0; i < n; ++i)
				sum += juris_table_lookup_v6(t, a[i]);
			break;
		case BSEARCH:
			for (i = 0; i < n; ++i)
				sum += bsearch6(f, a[i]);
			break;
		case VERDICT:
			for (i = 0; i < n; ++i)
				sum += juris_judge_v6(p, t, a[i], NULL, &cc, NULL);
			break;
		case RULES:
			for (i = 0; i < n; ++i)
				sum += juris_judge_v6(rules, t, a[i],
						      juris_uid_rule(rules, 10000 + (i & 4095)),
						      &cc, NULL);
			break;
		default:
			break;
		}
	}
	sink += sum;
	return (now_ns() - t0) / n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Every answer of juris's table against the baseline's. */
static u32 mismatches(const struct juris_table *t, const struct flat *f, int bits,
		      const juris_u128 *a, const u32 *a4, u32 n)
{
	u32 i, bad = 0;

	for (i = 0; i < n; ++i) {
		if (bits == 32)
			bad += juris_table_lookup_v4(t, a4[i]) != bsearch4(f, a4[i]);
		else
			bad += juris_table_lookup_v6(t, a[i]) != bsearch6(f, a[i]);
	}
	return bad;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_host [-n ADDRESSES] [-r REPEATS] IPV4.CSV IPV6.CSV\n");
	exit(2);
}

int main(int argc, char *argv[])
{
	u32 n = 10000000, repeats = 5, i, r;
	struct juris_policy *policy;
	struct juris_overlay over[2];
	struct juris_range *rows[2];
	struct juris_table *t;
	struct parse_error err;
	struct range_set set;
	struct flat flat[2];
	juris_u128 *addr;
	u32 *addr4;
	double t0, build_ms;
	int opt, fam, failed = 0;
	char lines[4096];
	size_t used = 0;

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 0);
		else if (opt == 'r')
			repeats = strtoul(optarg, NULL, 0);
		else
			usage();
	}
	if (argc - optind != 2 || !n || !repeats)
		usage();
	range_set_init(&set);
	for (i = optind; i < (u32)argc; ++i) {
		if (csv_parse_file(argv[i], &set, &err) < 0) {
			fprintf(stderr, "bench_host: %s:%lu: %s\n", err.path, err.line, err.msg);
			return 1;
		}
	}
	rows[0] = range_set_rows(&set, 4);
	rows[1] = range_set_rows(&set, 16);
	if (!rows[0] || !rows[1]) {
		perror("bench_host");
		return 1;
	}
	/* As the kernel commits it: with the special-purpose prefixes laid over. */
	juris_special_overlay(over);
	t0 = now_ns();
	t = juris_table_build(rows[0], set.n4, rows[1], set.n6, over);
	build_ms = (now_ns() - t0) / 1e6;
	if (!t) {
		fprintf(stderr, "bench_host: the table build failed\n");
		return 1;
	}
	flatten_table(t, 32, &flat[0]);
	flatten_table(t, 128, &flat[1]);
	policy = juris_policy_new(NULL, NULL);
	if (!policy) {
		perror("bench_host");
		return 1;
	}
	policy->mode = JURIS_MODE_ENFORCE;
	policy->unknown = JURIS_UNKNOWN_DENY;
	juris_policy_list(policy, juris_cc_index((const u8 *)"IN"));
	juris_policy_list(policy, juris_cc_index((const u8 *)"SG"));

	printf("world table: %zu IPv4 + %zu IPv6 rows -> %u + %u segments\n",
	       set.n4, set.n6, flat[0].n, flat[1].n);
	printf("juris table: %zu bytes (index: %u + %u nodes, %u + %u slots), built in %.0f ms; binary search: %zu bytes\n",
	       t->bytes, t->nnodes[0], t->nnodes[1], t->nslots[0], t->nslots[1], build_ms,
	       (size_t)flat[0].n * (sizeof(u32) + sizeof(u16)) +
	       (size_t)flat[1].n * (sizeof(juris_u128) + sizeof(u16)));
	printf("%u addresses per family and distribution, %u passes each, median ns per lookup [min-max]\n\n",
	       n, repeats);
	rules = policy_with_rules(policy);
	if (!rules) {
		perror("bench_host");
		return 1;
	}
	printf("%-18s %-22s %-22s %-22s %-22s %s\n", "", method_name[JURIS], method_name[BSEARCH],
	       method_name[VERDICT], method_name[RULES], "ratio");

#define LINE(...) (used += snprintf(lines + used, sizeof(lines) - used, __VA_ARGS__))
	LINE("bench: table_bytes_host %zu bytes\n", t->bytes);
	LINE("bench: build_ms_host %.0f ms\n", build_ms);
	addr = xcalloc(n, sizeof(*addr));
	addr4 = xcalloc(n, sizeof(*addr4));
	for (fam = 0; fam < 2; ++fam) {
		int bits = fam ? 128 : 32, weighted;

		for (weighted = 0; weighted < 2; ++weighted) {
			double times[NMETHODS][64], med[NMETHODS];
			const char *dist = weighted ? "weighted" : "uniform";
			u32 bad;
			int m;

			draw(&flat[fam], bits, weighted, addr, n);
			for (i = 0; i < n; ++i)
				addr4[i] = (u32)addr[i];
			bad = mismatches(t, &flat[fam], bits, addr, addr4, n);
			if (bad) {
				fprintf(stderr, "bench_host: IPv%d %s: %u answers differ from the binary search\n",
					fam ? 6 : 4, dist, bad);
				failed = 1;
			}
			if (repeats > 64)
				repeats = 64;
			/* Interleaved, so drift in the machine hits all alike. */
			for (r = 0; r < repeats; ++r)
				for (m = 0; m < NMETHODS; ++m)
					times[m][r] = pass(m, t, &flat[fam], policy, bits,
							   addr, addr4, n);
			printf("IPv%d %-13s", fam ? 6 : 4, dist);
			for (m = 0; m < NMETHODS; ++m) {
				qsort(times[m], repeats, sizeof(double), cmp_double);
				med[m] = times[m][repeats / 2];
				printf(" %6.1f [%5.1f-%5.1f]     ", med[m], times[m][0],
				       times[m][repeats - 1]);
			}
			printf(" %.1fx\n", med[BSEARCH] / med[JURIS]);
			LINE("bench: lookup_v%d_%s_ns %.1f ns\n", fam ? 6 : 4, dist, med[JURIS]);
			LINE("bench: bsearch_v%d_%s_ns %.1f ns\n", fam ? 6 : 4, dist, med[BSEARCH]);
			LINE("bench: verdict_v%d_%s_ns %.1f ns\n", fam ? 6 : 4, dist, med[VERDICT]);
			LINE("bench: verdict_rules_v%d_%s_ns %.1f ns\n", fam ? 6 : 4, dist, med[RULES]);
			LINE("bench: lookup_v%d_%s_ratio %.2f x\n", fam ? 6 : 4, dist,
			     med[BSEARCH] / med[JURIS]);
		}
	}
	printf("\n%s", lines);
	return failed;
}
