// SPDX-License-Identifier: GPL-2.0
/*
 * Compiled tables: writing and checking .jtab files (layout in jtab.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "jtab.h"
#include "../kmod/table.h"

static int bad(struct parse_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static uint32_t get_be(const uint8_t *p, int n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

static void put_be(uint8_t *p, uint32_t v, int n)
{
	while (n--) {
		p[n] = v;
		v >>= 8;
	}
}

bool jtab_is(const void *buf, size_t len)
{
	return len >= 8 && !memcmp(buf, JTAB_MAGIC, 8);
}

static bool valid_cc(const uint8_t cc[2])
{
	return (cc[0] == 0 && cc[1] == 0) ||
	       (cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z');
}

/* Checks one family's segments; the message names the first bad one. */
static int check_segments(const uint8_t *p, uint32_t n, int len, struct parse_error *err)
{
	int size = len + 2, fam = len == 4 ? 4 : 6;
	uint32_t i;

	if (!n)
		return bad(err, "no IPv%d segments: each family covers its whole space", fam);
	for (i = 0; i < n; ++i, p += size) {
		const uint8_t *cc = p + len;

		if (!valid_cc(cc))
			return bad(err, "IPv%d segment %u: country is not two letters A-Z", fam, i + 1);
		if (!i) {
			static const uint8_t zero[16];

			if (memcmp(p, zero, len))
				return bad(err, "IPv%d segment 1 does not start at address 0", fam);
			continue;
		}
		if (memcmp(p - size, p, len) >= 0)
			return bad(err, "IPv%d segment %u does not start after segment %u", fam,
				   i + 1, i);
		if (!memcmp(p - size + len, cc, 2))
			return bad(err, "IPv%d segments %u and %u have the same country", fam, i, i + 1);
	}
	return 0;
}

/* The row a segment stands for: its start to the next one's start - 1. */
static int add_segments(struct range_set *set, const uint8_t *p, uint32_t n, int len,
			struct parse_error *err)
{
	int size = len + 2, k, ret;
	uint8_t end[16];
	uint32_t i;

	for (i = 0; i < n; ++i, p += size) {
		if (!p[len])
			continue;	/* no country: a gap, as between CSV rows */
		if (i + 1 < n) {
			memcpy(end, p + size, len);
			for (k = len - 1; k >= 0 && end[k]-- == 0; --k)
				;
		} else {
			memset(end, 0xff, len);
		}
		ret = range_set_add(set, len, p, end, p + len, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int jtab_parse_buf(const char *path, const void *buf, size_t len,
		   struct range_set *set, struct jtab_info *info,
		   struct parse_error *err)
{
	const uint8_t *p = buf, *q, *seg4, *seg6;
	size_t n4 = set->n4, n6 = set->n6, hlen, want;
	struct jtab_file_source *src = NULL;
	uint8_t digest[SHA256_BYTES];
	uint32_t i, nseg[2], nsrc;
	uint16_t version;
	int ret;

	err->path = path;
	err->line = 0;
	if (info)
		memset(info, 0, sizeof(*info));
	if (!jtab_is(buf, len))
		return bad(err, "not a compiled juris table (no JURISTAB header)");
	if (len < JTAB_HEADER_BYTES + SHA256_BYTES)
		return bad(err, "truncated: %zu bytes, a compiled table has at least %d", len,
			   JTAB_HEADER_BYTES + SHA256_BYTES);
	version = get_be(p + 8, 2);
	if (version != JTAB_VERSION)
		return bad(err, "version %u of the compiled table format is not supported (this juris reads version %d)",
			   version, JTAB_VERSION);
	hlen = get_be(p + 12, 4);
	nseg[0] = get_be(p + 16, 4);
	nseg[1] = get_be(p + 20, 4);
	nsrc = get_be(p + 24, 4);
	want = (size_t)hlen + (size_t)nseg[0] * 6 + (size_t)nseg[1] * 18 + SHA256_BYTES;
	if (hlen < JTAB_HEADER_BYTES || want != len)
		return bad(err, "truncated or corrupted: %zu bytes, its header describes %zu", len, want);
	sha256(p, len - SHA256_BYTES, digest);
	if (memcmp(digest, p + len - SHA256_BYTES, SHA256_BYTES))
		return bad(err, "corrupted: the checksum does not match the contents");
	if (get_be(p + 10, 2) || get_be(p + 28, 4))
		return bad(err, "flags or reserved fields set: written by a newer juris?");

	/* Sources: each at least its fixed fields, all inside the header. */
	if (nsrc > (hlen - JTAB_HEADER_BYTES) / (2 + 4 + SHA256_BYTES))
		return bad(err, "the header lists more sources than it holds");
	src = calloc(nsrc ? nsrc : 1, sizeof(*src));
	if (!src) {
		bad(err, "out of memory");
		return -ENOMEM;
	}
	q = p + JTAB_HEADER_BYTES;
	for (i = 0; i < nsrc; ++i) {
		size_t name_len;

		if (q + 2 > p + hlen)
			goto bad_sources;
		name_len = get_be(q, 2);
		if (q + 2 + name_len + 4 + SHA256_BYTES > p + hlen)
			goto bad_sources;
		src[i].name = (const char *)q + 2;
		src[i].name_len = name_len;
		src[i].rows = get_be(q + 2 + name_len, 4);
		memcpy(src[i].sha256, q + 2 + name_len + 4, SHA256_BYTES);
		q += 2 + name_len + 4 + SHA256_BYTES;
	}
	if (q != p + hlen)
		goto bad_sources;

	seg4 = p + hlen;
	seg6 = seg4 + (size_t)nseg[0] * 6;
	ret = check_segments(seg4, nseg[0], 4, err);
	if (!ret)
		ret = check_segments(seg6, nseg[1], 16, err);
	if (!ret)
		ret = add_segments(set, seg4, nseg[0], 4, err);
	if (!ret)
		ret = add_segments(set, seg6, nseg[1], 16, err);
	if (ret < 0) {
		/* Nothing of a bad file stays in the set. */
		set->n4 = n4;
		set->n6 = n6;
		free(src);
		return ret;
	}
	if (info) {
		info->version = version;
		info->segments[0] = nseg[0];
		info->segments[1] = nseg[1];
		info->nsources = nsrc;
		info->sources = src;
	} else {
		free(src);
	}
	return 0;

bad_sources:
	free(src);
	return bad(err, "corrupted: the sources overrun the header");
}

static juris_u128 addr_of(const uint8_t *b, int len)
{
	juris_u128 a = 0;
	int i;

	for (i = 0; i < len; ++i)
		a = a << 8 | b[i];
	return a;
}

static void put_addr(uint8_t *b, juris_u128 a, int len)
{
	while (len--) {
		b[len] = (uint8_t)a;
		a >>= 8;
	}
}

struct juris_range *range_set_rows(const struct range_set *set, int len)
{
	size_t n = len == 4 ? set->n4 : set->n6, i;
	struct juris_range *r = calloc(n ? n : 1, sizeof(*r));

	if (!r)
		return NULL;
	for (i = 0; i < n; ++i) {
		const uint8_t *e = len == 4 ? (const uint8_t *)&set->v4[i] :
					      (const uint8_t *)&set->v6[i];

		r[i].start = addr_of(e, len);
		r[i].end = addr_of(e + len, len);
		r[i].cc = juris_cc_index(e + 2 * len);
		r[i].seq = i + (len == 4 ? 0 : set->n4);
	}
	return r;
}

/* Writes @len bytes and feeds them to the checksum. */
static int out(FILE *f, struct sha256 *s, const void *p, size_t len)
{
	sha256_update(s, p, len);
	return fwrite(p, 1, len, f) == len ? 0 : -EIO;
}

long jtab_write(FILE *f, const struct range_set *set,
		const struct jtab_source *sources, uint32_t nsources,
		uint32_t segments[2])
{
	struct juris_range *r4 = range_set_rows(set, 4), *r6 = range_set_rows(set, 16);
	uint8_t hdr[JTAB_HEADER_BYTES] = JTAB_MAGIC, b[2 + JTAB_NAME_MAX + 4];
	struct juris_table *t = NULL;
	size_t hlen = JTAB_HEADER_BYTES;
	uint8_t digest[SHA256_BYTES];
	long total = 0;
	struct sha256 s;
	uint32_t i;
	int ret = -ENOMEM;

	if (!r4 || !r6)
		goto out;
	t = juris_table_build(r4, set->n4, r6, set->n6, NULL);
	if (!t)
		goto out;
	ret = -ENAMETOOLONG;
	for (i = 0; i < nsources; ++i) {
		if (strlen(sources[i].name) > JTAB_NAME_MAX)
			goto out;
		hlen += 2 + strlen(sources[i].name) + 4 + SHA256_BYTES;
	}
	put_be(hdr + 8, JTAB_VERSION, 2);
	put_be(hdr + 12, hlen, 4);
	put_be(hdr + 16, t->nseg[0], 4);
	put_be(hdr + 20, t->nseg[1], 4);
	put_be(hdr + 24, nsources, 4);
	sha256_init(&s);
	ret = out(f, &s, hdr, sizeof(hdr));
	for (i = 0; !ret && i < nsources; ++i) {
		size_t n = strlen(sources[i].name);

		put_be(b, n, 2);
		memcpy(b + 2, sources[i].name, n);
		put_be(b + 2 + n, sources[i].rows, 4);
		ret = out(f, &s, b, 2 + n + 4);
		if (!ret)
			ret = out(f, &s, sources[i].sha256, SHA256_BYTES);
	}
	for (i = 0; !ret && i < t->nseg[0]; ++i) {
		put_addr(b, t->start4[i], 4);
		memset(b + 4, 0, 2);
		if (t->cc4[i] != JURIS_CC_UNKNOWN)
			juris_cc_code(t->cc4[i], b + 4);
		ret = out(f, &s, b, 6);
	}
	for (i = 0; !ret && i < t->nseg[1]; ++i) {
		put_addr(b, juris_table_start6(t, i), 16);
		memset(b + 16, 0, 2);
		if (t->cc6[i] != JURIS_CC_UNKNOWN)
			juris_cc_code(t->cc6[i], b + 16);
		ret = out(f, &s, b, 18);
	}
	if (!ret) {
		sha256_final(&s, digest);
		ret = fwrite(digest, 1, sizeof(digest), f) == sizeof(digest) ? 0 : -EIO;
	}
	if (!ret) {
		total = hlen + t->nseg[0] * 6L + t->nseg[1] * 18L + SHA256_BYTES;
		segments[0] = t->nseg[0];
		segments[1] = t->nseg[1];
	}
out:
	if (t)
		juris_table_free(t);
	free(r4);
	free(r6);
	return ret < 0 ? ret : total;
}

int table_parse_file(const char *path, struct range_set *set,
		     uint8_t digest[SHA256_BYTES], struct parse_error *err)
{
	char *buf;
	size_t len;
	int ret;

	ret = csv_read_file(path, &buf, &len, err);
	if (ret < 0)
		return ret;
	if (digest)
		sha256(buf, len, digest);
	if (jtab_is(buf, len))
		ret = jtab_parse_buf(err->path, buf, len, set, NULL, err);
	else
		ret = csv_parse_buf(err->path, buf, len, set, err);
	free(buf);
	return ret;
}
