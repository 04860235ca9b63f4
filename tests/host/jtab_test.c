// SPDX-License-Identifier: GPL-2.0
/*
 * Compiled tables (userspace/jtab.c) on the host: a compiled table loads as
 * the same segments as its CSV; every corruption, truncation, unknown
 * version and malformed segment is refused with its message and adds
 * nothing; SHA-256 against the FIPS 180-4 examples. TAP output.
 *
 *   jtab_test FIXTURE.CSV...   (tests/guest/fixture.csv and friends)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../userspace/jtab.h"
#include "../../kmod/table.h"

static int tests, failures;

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

static uint64_t rnd_state = 0x853c49e6748fea9bULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dULL;
}

/* The table the kernel would build from @set's rows. */
static struct juris_table *build(const struct range_set *set)
{
	struct juris_range *r4 = range_set_rows(set, 4), *r6 = range_set_rows(set, 16);
	struct juris_table *t = r4 && r6 ? juris_table_build(r4, set->n4, r6, set->n6, NULL) : NULL;

	free(r4);
	free(r6);
	return t;
}

static bool starts6_equal(const struct juris_table *a, const struct juris_table *b)
{
	u32 i;

	for (i = 0; i < a->nseg[1]; ++i)
		if (juris_table_start6(a, i) != juris_table_start6(b, i))
			return false;
	return true;
}

static bool same_segments(const struct juris_table *a, const struct juris_table *b)
{
	return a && b && a->nseg[0] == b->nseg[0] && a->nseg[1] == b->nseg[1] &&
	       !memcmp(a->start4, b->start4, a->nseg[0] * sizeof(*a->start4)) &&
	       !memcmp(a->cc4, b->cc4, a->nseg[0] * sizeof(*a->cc4)) &&
	       starts6_equal(a, b) &&
	       !memcmp(a->cc6, b->cc6, a->nseg[1] * sizeof(*a->cc6));
}

/* Compiles @set into a malloc'ed buffer. */
static uint8_t *compile(const struct range_set *set, size_t *len)
{
	struct jtab_source src = { .name = "test.csv", .rows = set->n4 + set->n6 };
	uint32_t segments[2];
	char *buf = NULL;
	FILE *f;
	long n;

	f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	n = jtab_write(f, set, &src, 1, segments);
	fclose(f);
	if (n < 0 || (size_t)n != *len) {
		free(buf);
		return NULL;
	}
	return (uint8_t *)buf;
}

/* Parses @buf into a set holding one row already; fails if that row goes. */
static int parse(const uint8_t *buf, size_t len, struct range_set *set, struct parse_error *err)
{
	static const uint8_t a[4] = { 1, 2, 3, 4 }, cc[2] = { 'Z', 'Z' };

	range_set_init(set);
	range_set_add(set, 4, a, a, cc, err);
	return jtab_parse_buf("t.jtab", buf, len, set, NULL, err);
}

/* A round trip: compile, parse (after the preset row), rebuild. */
static bool round_trip(const struct range_set *set)
{
	struct juris_table *want = build(set), *got = NULL;
	struct parse_error err;
	struct range_set back;
	size_t len = 0;
	uint8_t *buf;
	bool good;

	buf = compile(set, &len);
	good = buf && parse(buf, len, &back, &err) == 0;
	if (good) {
		/* Drop the preset row again. */
		memmove(back.v4, back.v4 + 1, (back.n4 - 1) * sizeof(*back.v4));
		back.n4--;
		got = build(&back);
		good = same_segments(want, got);
	} else if (buf) {
		printf("# %s\n", err.msg);
	}
	range_set_free(&back);
	juris_table_free(want);
	if (got)
		juris_table_free(got);
	free(buf);
	return good;
}

static void random_set(struct range_set *set, size_t n)
{
	struct parse_error err;
	size_t i;

	range_set_init(set);
	for (i = 0; i < n; ++i) {
		uint8_t a[16], b[16], cc[2] = { 'A' + rnd() % 4, 'A' + rnd() % 3 };
		int len = rnd() % 3 ? 4 : 16, k;
		uint64_t span = rnd() % 4 ? rnd() % 5000 : rnd();
		juris_u128 s = ((juris_u128)rnd() << 64 | rnd()) & (len == 4 ? 0xffffffffU : ~(juris_u128)0);
		juris_u128 e;

		if (len == 16)
			s = (s >> 100) << 100 | (s & 0xffffffffffULL);	/* close together */
		else
			s &= 0xffffffU;
		e = s + span;
		if (e < s || (len == 4 && e > 0xffffffffU))
			e = len == 4 ? 0xffffffffU : ~(juris_u128)0;
		for (k = len - 1; k >= 0; --k) {
			a[k] = (uint8_t)s;
			b[k] = (uint8_t)e;
			s >>= 8;
			e >>= 8;
		}
		range_set_add(set, len, a, b, cc, &err);
	}
}

/* Re-seals a modified file with a valid checksum. */
static void reseal(uint8_t *buf, size_t len)
{
	sha256(buf, len - SHA256_BYTES, buf + len - SHA256_BYTES);
}

static bool refused(const uint8_t *buf, size_t len, const char *want)
{
	struct parse_error err;
	struct range_set set;
	bool good;
	int ret;

	ret = parse(buf, len, &set, &err);
	good = ret == -EINVAL && set.n4 == 1 && set.n6 == 0 && (!want || strstr(err.msg, want));
	if (!good)
		printf("# got %d, %zu + %zu rows: %s\n", ret, set.n4, set.n6, ret ? err.msg : "");
	range_set_free(&set);
	return good;
}

static void test_sha256(void)
{
	static const struct {
		const char *text;
		const char *hex;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	bool good = true;
	unsigned i, k;

	for (i = 0; i < sizeof(v) / sizeof(*v); ++i) {
		uint8_t d[SHA256_BYTES];
		char hex[65];

		sha256(v[i].text, strlen(v[i].text), d);
		for (k = 0; k < SHA256_BYTES; ++k)
			sprintf(hex + 2 * k, "%02x", d[k]);
		good &= !strcmp(hex, v[i].hex);
	}
	ok(good, "sha256: the FIPS 180-4 examples");
}

int main(int argc, char *argv[])
{
	struct parse_error err;
	struct range_set set;
	size_t len = 0, i, flips = 0, cuts = 0;
	uint8_t *buf, *copy;
	bool good;
	int k;

	printf("TAP version 13\n1..13\n");
	test_sha256();

	range_set_init(&set);
	good = argc > 1;
	for (k = 1; k < argc; ++k)
		good &= table_parse_file(argv[k], &set, NULL, &err) == 0;
	ok(good && round_trip(&set), "the fixtures compile and load as the same segments (%zu + %zu rows)",
	   set.n4, set.n6);
	range_set_free(&set);

	good = true;
	for (k = 0; k < 50; ++k) {
		random_set(&set, 1 + rnd() % 400);
		good &= round_trip(&set);
		range_set_free(&set);
	}
	ok(good, "50 random tables, nested and overlapping, survive a round trip");

	random_set(&set, 40);
	buf = compile(&set, &len);
	range_set_free(&set);
	copy = malloc(len);
	good = buf && copy;
	for (i = 0; good && i < len; ++i) {
		for (k = 0; k < 8; k += 3) {
			memcpy(copy, buf, len);
			copy[i] ^= 1 << k;
			flips += refused(copy, len, NULL);
		}
	}
	ok(good && flips == 3 * len, "every flipped bit of a %zu-byte table is refused, nothing added (%zu)",
	   len, flips);
	for (i = 0; good && i < len; ++i)
		cuts += refused(buf, i, NULL);
	ok(good && cuts == len, "every truncation is refused (%zu)", cuts);

	memcpy(copy, buf, len);
	copy[9] = 2;
	reseal(copy, len);
	ok(refused(copy, len, "version 2 of the compiled table format is not supported"),
	   "a newer version is refused by name");
	memcpy(copy, buf, len);
	copy[11] = 1;
	reseal(copy, len);
	ok(refused(copy, len, "flags or reserved fields set"), "flags from a newer writer are refused");
	memcpy(copy, buf, len);
	memcpy(copy, "JURISTAC", 8);
	ok(refused(copy, len, "not a compiled juris table"), "another magic is not a compiled table");

	/* Malformed segments with a valid checksum: the header is 32 bytes + one source. */
	{
		size_t hlen = (size_t)copy[12] << 24 | copy[13] << 16 | copy[14] << 8 | copy[15];
		uint8_t *s4 = copy + hlen;

		memcpy(copy, buf, len);
		s4[0] = 1;
		reseal(copy, len);
		ok(refused(copy, len, "IPv4 segment 1 does not start at address 0"),
		   "a first segment past address 0 is refused");
		memcpy(copy, buf, len);
		memcpy(s4 + 6, s4 + 12, 4);
		reseal(copy, len);
		ok(refused(copy, len, "does not start after segment"), "segments out of order are refused");
		memcpy(copy, buf, len);
		s4[6 + 4] = 'a';
		reseal(copy, len);
		ok(refused(copy, len, "IPv4 segment 2: country is not two letters"),
		   "a lowercase country is refused");
		memcpy(copy, buf, len);
		memcpy(s4 + 6 + 4, s4 + 4, 2);
		reseal(copy, len);
		ok(refused(copy, len, "IPv4 segments 1 and 2 have the same country"),
		   "unmerged neighbours are refused");
		memcpy(copy, buf, len);
		copy[27] = 200;	/* sources */
		reseal(copy, len);
		ok(refused(copy, len, "sources"), "a source count past the header is refused");
	}
	free(buf);
	free(copy);
	printf("# %d passed, %d failed\n", tests - failures, failures);
	return failures ? 1 : 0;
}
