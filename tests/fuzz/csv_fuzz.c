// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the CLI's CSV parser: the input is a table file,
 * handed to csv_parse_buf() exactly as csv_parse_file() does once it has
 * read the file. Beyond what ASan and UBSan catch, every row accepted must
 * be well formed, and printing the rows back and parsing that again must
 * give the same rows; a failure must name a line and carry a message.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "csv.h"

static void check_row(const uint8_t *entry, int len)
{
	CHECK(memcmp(entry, entry + len, len) <= 0);
	CHECK(entry[2 * len] >= 'A' && entry[2 * len] <= 'Z');
	CHECK(entry[2 * len + 1] >= 'A' && entry[2 * len + 1] <= 'Z');
}

/* Appends "start,end,cc\n" for one stored row. */
static size_t print_row(char *out, const uint8_t *entry, int len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int af = len == 4 ? AF_INET : AF_INET6;

	CHECK(inet_ntop(af, entry, a, sizeof(a)));
	CHECK(inet_ntop(af, entry + len, b, sizeof(b)));
	return sprintf(out, "%s,%s,%c%c\n", a, b, entry[2 * len], entry[2 * len + 1]);
}

/* The rows of @set printed as a file, IPv4 first, then parsed again. */
static void check_round_trip(const struct range_set *set)
{
	struct parse_error err;
	struct range_set again;
	size_t i, len = 0;
	char *text;

	text = malloc((set->n4 + set->n6) * (2 * INET6_ADDRSTRLEN + 6) + 1);
	CHECK(text);
	for (i = 0; i < set->n4; i++)
		len += print_row(text + len, (const uint8_t *)&set->v4[i], 4);
	for (i = 0; i < set->n6; i++)
		len += print_row(text + len, (const uint8_t *)&set->v6[i], 16);

	range_set_init(&again);
	CHECK(csv_parse_buf("again", text, len, &again, &err) == 0);
	CHECK(again.n4 == set->n4 && again.n6 == set->n6);
	CHECK(!set->n4 || !memcmp(again.v4, set->v4, set->n4 * sizeof(*set->v4)));
	CHECK(!set->n6 || !memcmp(again.v6, set->v6, set->n6 * sizeof(*set->v6)));
	range_set_free(&again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_error err;
	struct range_set set;
	size_t i;
	int ret;

	/* The same bytes as a prefix: valid ones have no bits past their length. */
	{
		uint8_t a[16];
		int plen, fam = csv_parse_prefix((const char *)data, size < 64 ? size : 64, a, &plen);

		CHECK(fam == 4 || fam == 16 || fam == -EINVAL || fam == -EDOM);
		for (i = 0; fam > 0 && i < (size_t)fam; i++)
			CHECK(plen >= 8 * (int)(i + 1) ||
			      !(a[i] & (plen <= 8 * (int)i ? 0xff : 0xff >> (plen - 8 * i))));
	}
	range_set_init(&set);
	ret = csv_parse_buf("fuzz", (const char *)data, size, &set, &err);
	CHECK(!strcmp(err.path, "fuzz"));
	CHECK(memchr(err.msg, '\0', sizeof(err.msg)));
	if (ret < 0) {
		CHECK(err.line >= 1 && err.msg[0]);
	} else {
		CHECK(ret == 0 && err.line == 0);
		for (i = 0; i < set.n4; i++)
			check_row((const uint8_t *)&set.v4[i], 4);
		for (i = 0; i < set.n6; i++)
			check_row((const uint8_t *)&set.v6[i], 16);
		check_round_trip(&set);
	}
	range_set_free(&set);
	return 0;
}
