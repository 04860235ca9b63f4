// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the compiled-table reader (jtab_parse_buf). Inputs
 * that begin like a compiled table get their checksum recomputed first, so
 * the fuzzer reaches the header, sources and segments instead of stopping
 * at the checksum every time. Beyond what ASan and UBSan catch: a refused
 * file adds no row and says why; an accepted one gives sorted, disjoint
 * rows with valid countries, and compiling those rows again gives the same
 * segments, byte for byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jtab.h"

static void check_rows(const uint8_t *rows, size_t n, int len)
{
	size_t size = 2 * len + 2, i;

	for (i = 0; i < n; ++i) {
		const uint8_t *r = rows + i * size;

		CHECK(memcmp(r, r + len, len) <= 0);
		CHECK(r[2 * len] >= 'A' && r[2 * len] <= 'Z');
		CHECK(r[2 * len + 1] >= 'A' && r[2 * len + 1] <= 'Z');
		if (i)
			CHECK(memcmp(r - size + len, r, len) < 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jtab_source src = { .name = "again", .rows = 0 };
	size_t hlen, again_len = 0, payload;
	struct parse_error err;
	struct range_set set;
	struct jtab_info info;
	uint32_t segments[2];
	char *again = NULL;
	uint8_t *buf;
	FILE *f;
	int ret;

	buf = malloc(size ? size : 1);
	CHECK(buf);
	memcpy(buf, data, size);
	if (jtab_is(buf, size) && size >= JTAB_HEADER_BYTES + SHA256_BYTES)
		sha256(buf, size - SHA256_BYTES, buf + size - SHA256_BYTES);
	range_set_init(&set);
	ret = jtab_parse_buf("fuzz", buf, size, &set, &info, &err);
	if (ret < 0) {
		CHECK(ret == -EINVAL || ret == -ENOMEM || ret == -E2BIG);
		CHECK(set.n4 == 0 && set.n6 == 0);
		CHECK(err.msg[0]);
		free(buf);
		return 0;
	}
	check_rows((const uint8_t *)set.v4, set.n4, 4);
	check_rows((const uint8_t *)set.v6, set.n6, 16);

	/* The rows compile back to the same segments. */
	f = open_memstream(&again, &again_len);
	CHECK(f);
	CHECK(jtab_write(f, &set, &src, 1, segments) > 0);
	fclose(f);
	CHECK(segments[0] == info.segments[0] && segments[1] == info.segments[1]);
	hlen = (size_t)buf[12] << 24 | buf[13] << 16 | buf[14] << 8 | buf[15];
	payload = size - hlen - SHA256_BYTES;
	CHECK(again_len >= payload + SHA256_BYTES);
	CHECK(!memcmp(buf + hlen, again + again_len - SHA256_BYTES - payload, payload));
	free(again);
	free(info.sources);
	range_set_free(&set);
	free(buf);
	return 0;
}
