// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of the juris CLI's CSV parser (userspace/csv.c), TAP output.
 *
 *   csv_test [FIXTURE_DIR]
 *
 * FIXTURE_DIR defaults to tests/host/csv, found from the binary's or the
 * source's location. Good files are checked value by value; each bad file
 * must fail at the expected line with the exact message the user would see.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static char dir[4096];

/* An expected row, in text so the test reads like the fixture. */
struct row {
	const char *start, *end, *cc;
};

static const char *fixture(const char *name)
{
	static char path[8192];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void to_bytes(const char *text, uint8_t *out, int *len)
{
	*len = strchr(text, ':') ? 16 : 4;
	if (inet_pton(*len == 16 ? AF_INET6 : AF_INET, text, out) != 1) {
		printf("Bail out! bad address in the test itself: %s\n", text);
		exit(1);
	}
}

/* Compares one family's array of @set with @rows (rows of that family). */
static bool same_family(const struct range_set *set, int family,
			const struct row *rows, size_t n)
{
	size_t got = family == 4 ? set->n4 : set->n6, i;
	uint8_t start[16], end[16];
	const uint8_t *entry;
	int len;

	if (got != n) {
		printf("# IPv%d: expected %zu ranges, got %zu\n", family, n, got);
		return false;
	}
	for (i = 0; i < n; i++) {
		to_bytes(rows[i].start, start, &len);
		to_bytes(rows[i].end, end, &len);
		entry = family == 4 ? (const uint8_t *)&set->v4[i] :
				      (const uint8_t *)&set->v6[i];
		if (memcmp(entry, start, len) || memcmp(entry + len, end, len) ||
		    memcmp(entry + 2 * len, rows[i].cc, 2)) {
			printf("# IPv%d range %zu differs from %s,%s,%s\n",
			       family, i, rows[i].start, rows[i].end, rows[i].cc);
			return false;
		}
	}
	return true;
}

/* Parses @names in order into one set and checks both families. */
static bool parses_to(const char *const names[], const struct row *v4,
		      size_t n4, const struct row *v6, size_t n6)
{
	struct parse_error err;
	struct range_set set;
	bool ok = true;

	range_set_init(&set);
	for (; *names && ok; names++) {
		if (csv_parse_file(fixture(*names), &set, &err) < 0) {
			printf("# %s:%lu: %s\n", err.path, err.line, err.msg);
			ok = false;
		}
	}
	ok = ok && same_family(&set, 4, v4, n4) && same_family(&set, 6, v6, n6);
	range_set_free(&set);
	return ok;
}

#define PARSES_TO(v4, v6, ...) \
	parses_to((const char *const[]){ __VA_ARGS__, NULL }, \
		  v4, ARRAY_SIZE(v4), v6, ARRAY_SIZE(v6))

static const struct row none[0];

static const struct row v4_rows[] = {
	{ "1.0.0.0", "1.0.0.255", "AU" },
	{ "1.0.1.0", "1.0.3.255", "CN" },
	{ "0.0.0.0", "0.255.255.255", "ZZ" },
	{ "8.8.8.8", "8.8.8.8", "US" },
	{ "224.0.0.0", "255.255.255.255", "AQ" },
};

static const struct row v6_rows[] = {
	{ "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "JP" },
	{ "::", "::ffff", "ZZ" },
	{ "2a00:1450:4000::", "2a00:1450:4fff:ffff:ffff:ffff:ffff:ffff", "IE" },
	{ "::ffff:1.2.3.0", "::ffff:1.2.3.255", "AU" },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0",
	  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "AQ" },
};

static bool test_v4(void)
{
	return PARSES_TO(v4_rows, none, "v4.csv");
}

/* Independent of inet_pton: the wire layout is network byte order. */
static bool test_v4_layout(void)
{
	static const uint8_t want[10] = { 1, 0, 1, 0, 1, 0, 3, 255, 'C', 'N' };
	struct parse_error err;
	struct range_set set;
	bool ok;

	range_set_init(&set);
	ok = csv_parse_file(fixture("v4.csv"), &set, &err) == 0 &&
	     sizeof(set.v4[0]) == 10 && !memcmp(&set.v4[1], want, 10);
	range_set_free(&set);
	return ok;
}

static bool test_v6(void)
{
	return PARSES_TO(none, v6_rows, "v6.csv");
}

static bool test_mixed(void)
{
	static const struct row v4[] = {
		{ "10.0.0.0", "10.255.255.255", "DE" },
		{ "108.165.88.0", "108.165.90.255", "DE" },
		{ "108.165.88.0", "108.165.90.255", "US" },
	};
	static const struct row v6[] = {
		{ "2400:8e20::", "2400:8e20:ffff:ffff:ffff:ffff:ffff:ffff", "JP" },
		{ "2400:8e20::", "2400:8e20:ffff:ffff:ffff:ffff:ffff:ffff", "FR" },
	};

	return PARSES_TO(v4, v6, "mixed.csv");
}

static bool test_messy(void)
{
	static const struct row v4[] = {
		{ "1.0.0.0", "1.0.0.255", "AU" },
		{ "1.0.1.0", "1.0.3.255", "CN" },
		{ "10.0.0.0", "10.255.255.255", "DE" },
	};
	static const struct row v6[] = {
		{ "2001:db8::", "2001:db8::ffff", "JP" },
	};

	return PARSES_TO(v4, v6, "messy.csv");
}

static bool test_lowercase(void)
{
	static const struct row v4[] = {
		{ "1.0.0.0", "1.0.0.255", "AU" },
		{ "1.0.1.0", "1.0.3.255", "CN" },
	};
	static const struct row v6[] = {
		{ "2001:db8::", "2001:db8::ffff", "JP" },
	};

	return PARSES_TO(v4, v6, "lowercase.csv");
}

static bool test_empty(void)
{
	return PARSES_TO(none, none, "empty.csv");
}

static bool test_two_files(void)
{
	static const struct row v4[] = {
		{ "1.0.0.0", "1.0.0.255", "AU" },
		{ "1.0.1.0", "1.0.3.255", "CN" },
		{ "0.0.0.0", "0.255.255.255", "ZZ" },
		{ "8.8.8.8", "8.8.8.8", "US" },
		{ "224.0.0.0", "255.255.255.255", "AQ" },
		{ "1.0.0.0", "1.0.0.255", "AU" },
		{ "1.0.1.0", "1.0.3.255", "CN" },
	};
	static const struct row v6[] = {
		{ "2001:db8::", "2001:db8::ffff", "JP" },
	};

	return PARSES_TO(v4, v6, "v4.csv", "lowercase.csv");
}

/* The file must fail at @line with exactly @msg, naming the path given. */
static bool fails_with(const char *name, unsigned long line, const char *msg)
{
	struct parse_error err;
	struct range_set set;
	const char *path = fixture(name);
	int ret;

	range_set_init(&set);
	ret = csv_parse_file(path, &set, &err);
	range_set_free(&set);
	if (ret >= 0) {
		printf("# %s parsed without error\n", name);
		return false;
	}
	if (strcmp(err.path, path) || err.line != line || strcmp(err.msg, msg)) {
		printf("# expected %s:%lu: %s\n", path, line, msg);
		printf("#      got %s:%lu: %s\n", err.path, err.line, err.msg);
		return false;
	}
	return true;
}

static bool test_bad_address(void)
{
	return fails_with("bad-address.csv", 4,
			  "invalid IPv4 or IPv6 address: '1.2.3'");
}

static bool test_bad_address_end(void)
{
	return fails_with("bad-address-end.csv", 2,
			  "invalid IPv4 or IPv6 address: '2001:db8::g'");
}

static bool test_bad_family(void)
{
	return fails_with("bad-family.csv", 3,
			  "start and end are different address families: '10.0.0.0,::ffff,DE'");
}

static bool test_bad_order(void)
{
	return fails_with("bad-order.csv", 2,
			  "start is after end: '10.0.0.9,10.0.0.1,DE'");
}

static bool test_bad_country(void)
{
	return fails_with("bad-country.csv", 2, "invalid country code: 'IND'");
}

static bool test_bad_country_digit(void)
{
	return fails_with("bad-country-digit.csv", 1,
			  "invalid country code: 'A1'");
}

static bool test_bad_fields_2(void)
{
	return fails_with("bad-fields-2.csv", 4,
			  "expected 3 fields start,end,cc, got 2: '1.0.2.0,1.0.2.255'");
}

static bool test_bad_fields_4(void)
{
	return fails_with("bad-fields-4.csv", 1,
			  "expected 3 fields start,end,cc, got 4: '1.0.0.0,1.0.0.255,AU,extra'");
}

static bool test_missing_file(void)
{
	return fails_with("no-such-file.csv", 0, "No such file or directory");
}

/* Same checks on text in memory, for cases a fixture would hide. */
static bool buf_fails_with(const char *text, unsigned long line,
			   const char *msg)
{
	struct parse_error err;
	struct range_set set;
	int ret;

	range_set_init(&set);
	ret = csv_parse_buf("mem", text, strlen(text), &set, &err);
	range_set_free(&set);
	if (ret >= 0 || err.line != line || strcmp(err.msg, msg)) {
		printf("# expected mem:%lu: %s\n", line, msg);
		printf("#      got mem:%lu: %s (ret %d)\n", err.line, err.msg, ret);
		return false;
	}
	return true;
}

static bool test_bad_order6(void)
{
	return buf_fails_with("2001:db8::2,2001:db8::1,JP\n", 1,
			      "start is after end: '2001:db8::2,2001:db8::1,JP'");
}

static bool test_quote_is_bounded(void)
{
	char line[200];

	/* 100 x 'a' as the start: the quote stops at 64 and says so. */
	memset(line, 'a', 100);
	strcpy(line + 100, ",1.0.0.0,AU\n");
	return buf_fails_with(line, 1,
			      "invalid IPv4 or IPv6 address: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'...") &&
	       buf_fails_with("1.0.0.0,1.0.0.255,\x1b[\n", 1,
			      "invalid country code: '?['") &&
	       buf_fails_with("1.0.0.0,,AU\n", 1,
			      "invalid IPv4 or IPv6 address: ''");
}

/* The command line goes through the same two helpers. */
static bool test_argv_helpers(void)
{
	uint8_t a[16], cc[2];

	return csv_parse_addr("192.0.2.1", 9, a) == 4 &&
	       a[0] == 192 && a[3] == 1 &&
	       csv_parse_addr("::1", 3, a) == 16 && a[15] == 1 &&
	       csv_parse_addr("::ffff:192.0.2.1", 16, a) == 16 &&
	       csv_parse_addr("192.0.2.1 ", 10, a) == -EINVAL &&
	       csv_parse_addr("192.0.2", 7, a) == -EINVAL &&
	       csv_parse_addr("1.2.3.4\0", 8, a) == -EINVAL &&
	       csv_parse_addr("fe80::1%eth0", 12, a) == -EINVAL &&
	       csv_parse_country("sg", 2, cc) == 0 && !memcmp(cc, "SG", 2) &&
	       csv_parse_country("SGP", 3, cc) == -EINVAL &&
	       csv_parse_country("S", 1, cc) == -EINVAL &&
	       csv_parse_country("S@", 2, cc) == -EINVAL &&
	       csv_parse_country("\xc3\x9f", 2, cc) == -EINVAL;
}

/* Prefixes of the command line (and of policy files). */
static bool test_prefix(void)
{
	uint8_t a[16];
	int len = -1;

	return csv_parse_prefix("198.51.100.0/24", 15, a, &len) == 4 && len == 24 &&
	       a[0] == 198 && a[2] == 100 &&
	       csv_parse_prefix("203.0.113.7", 11, a, &len) == 4 && len == 32 &&
	       csv_parse_prefix("2001:db8::/32", 13, a, &len) == 16 && len == 32 &&
	       csv_parse_prefix("::/0", 4, a, &len) == 16 && len == 0 &&
	       csv_parse_prefix("2001:db8::1/128", 15, a, &len) == 16 && len == 128 &&
	       csv_parse_prefix("198.51.100.1/24", 15, a, &len) == -EDOM && len == 24 &&
	       csv_parse_prefix("2001:db8:8000::/33", 18, a, &len) == 16 &&
	       csv_parse_prefix("2001:db8:8000::/32", 18, a, &len) == -EDOM &&
	       csv_parse_prefix("198.51.100.0/33", 15, a, &len) == -EINVAL &&
	       csv_parse_prefix("2001:db8::/129", 14, a, &len) == -EINVAL &&
	       csv_parse_prefix("198.51.100.0/", 13, a, &len) == -EINVAL &&
	       csv_parse_prefix("198.51.100.0/+8", 15, a, &len) == -EINVAL &&
	       csv_parse_prefix("198.51.100.0/ 8", 15, a, &len) == -EINVAL &&
	       csv_parse_prefix("198.51.100.0/0024", 17, a, &len) == -EINVAL &&
	       csv_parse_prefix("/24", 3, a, &len) == -EINVAL &&
	       csv_parse_prefix("198.51.100.0/24/8", 17, a, &len) == -EINVAL;
}

static const struct {
	bool (*fn)(void);
	const char *name;
} tests[] = {
	{ test_v4, "IPv4 file parses to the exact ranges" },
	{ test_v4_layout, "IPv4 range stored as start, end, country in network order" },
	{ test_v6, "IPv6 file without a final newline parses to the exact ranges" },
	{ test_mixed, "mixed file keeps file order within each family" },
	{ test_messy, "comments, blank lines, CRLF and padded fields are tolerated" },
	{ test_lowercase, "country codes are upper-cased" },
	{ test_empty, "a file of comments and blank lines gives no ranges" },
	{ test_two_files, "two files append to one set in order" },
	{ test_bad_address, "bad start address: line and message" },
	{ test_bad_address_end, "bad end address: line and message" },
	{ test_bad_family, "start and end of different families: line and message" },
	{ test_bad_order, "start after end in a CRLF file: line and message" },
	{ test_bad_country, "three-letter country code: line and message" },
	{ test_bad_country_digit, "country code with a digit: line and message" },
	{ test_bad_fields_2, "two fields: line and message" },
	{ test_bad_fields_4, "four fields: line and message" },
	{ test_missing_file, "missing file: path and system error" },
	{ test_bad_order6, "IPv6 start after end" },
	{ test_quote_is_bounded, "quotes are bounded and control bytes masked" },
	{ test_argv_helpers, "address and country helpers used for argv" },
	{ test_prefix, "prefixes: length bounds, host bits and malformed lengths refused" },
};

/*
 * The fixtures sit next to the source; the binary may be built next to them
 * (userspace/Makefile) or under build/ (top-level Makefile), and run from
 * anywhere: take the first candidate that holds them.
 */
static bool find_fixtures(int argc, char *argv[])
{
	char self[4096], src[4096], here[4096];
	const char *candidates[3];
	size_t i, n = 0;

	if (argc > 1)
		candidates[n++] = argv[1];
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(here, sizeof(here), "%s/csv", dirname(self));
	candidates[n++] = here;
	snprintf(self, sizeof(self), "%s", __FILE__);
	snprintf(src, sizeof(src), "%s/csv", dirname(self));
	candidates[n++] = src;

	for (i = 0; i < n; i++) {
		snprintf(dir, sizeof(dir), "%s", candidates[i]);
		if (!access(fixture("v4.csv"), R_OK))
			return true;
		if (argc > 1)
			break;
	}
	printf("Bail out! fixtures not found (give their directory as the argument)\n");
	return false;
}

int main(int argc, char *argv[])
{
	int failed = 0;
	size_t i;

	if (!find_fixtures(argc, argv))
		return 1;

	printf("1..%zu\n", ARRAY_SIZE(tests));
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		bool ok = tests[i].fn();

		printf("%sok %zu - %s\n", ok ? "" : "not ", i + 1, tests[i].name);
		failed += !ok;
	}
	if (failed)
		printf("# %d of %zu failed\n", failed, ARRAY_SIZE(tests));
	return failed ? 1 : 0;
}
