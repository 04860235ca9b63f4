// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of the policy file parser and writer (userspace/pfile.c), TAP
 * output.
 *
 *   pfile_test [EXAMPLES_DIR]
 *
 * EXAMPLES_DIR defaults to examples/, found from the source's location: the
 * example shipped there must parse to what it says. Bad input must fail at
 * the expected line with the exact message the user would see.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfile.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static char dir[4096];

static struct pfile *parse_text(const char *text, struct parse_error *err, int *ret)
{
	struct pfile *p = malloc(sizeof(*p));

	if (!p) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	pfile_init(p);
	*ret = pfile_parse_buf("mem", text, strlen(text), "/etc/juris", p, err);
	return p;
}

static void put(struct pfile *p)
{
	pfile_free(p);
	free(p);
}

static bool prefix_is(const struct pfile_prefix *x, const char *text, int len, int action)
{
	uint8_t a[16] = { 0 };
	int family = strchr(text, ':') ? 16 : 4;

	inet_pton(family == 16 ? AF_INET6 : AF_INET, text, a);
	if (x->family == family && x->len == len && x->action == action &&
	    !memcmp(x->addr, a, family))
		return true;
	printf("# expected %s/%d action %d\n", text, len, action);
	return false;
}

static bool same(const struct pfile *a, const struct pfile *b)
{
	size_t i;

	if (a->mode != b->mode || a->unknown != b->unknown || a->action != b->action ||
	    a->lock != b->lock || a->event_rate != b->event_rate ||
	    a->event_burst != b->event_burst || a->log != b->log ||
	    a->scope != b->scope || a->set != b->set || memcmp(a->cc, b->cc, sizeof(a->cc)) ||
	    a->nprefix != b->nprefix || a->nuid != b->nuid || a->nnat64 != b->nnat64)
		return false;
	for (i = 0; i < a->nprefix; i++)
		if (memcmp(&a->prefix[i], &b->prefix[i], sizeof(a->prefix[i])))
			return false;
	for (i = 0; i < a->nnat64; i++)
		if (memcmp(&a->nat64[i], &b->nat64[i], sizeof(a->nat64[i])))
			return false;
	for (i = 0; i < a->nuid; i++)
		if (a->uid[i].first != b->uid[i].first || a->uid[i].last != b->uid[i].last ||
		    a->uid[i].action != b->uid[i].action ||
		    a->uid[i].ncountries != b->uid[i].ncountries ||
		    memcmp(a->uid[i].countries, b->uid[i].countries, 2 * a->uid[i].ncountries))
			return false;
	return true;
}

/* The example says what it sets; check every directive. */
static bool test_example(void)
{
	char path[8192];
	struct parse_error err;
	struct pfile *p = malloc(sizeof(*p));
	bool ok;

	snprintf(path, sizeof(path), "%s/juris.policy", dir);
	pfile_init(p);
	if (pfile_parse_file(path, p, &err) < 0) {
		printf("# %s:%lu: %s\n", err.path, err.line, err.msg);
		put(p);
		return false;
	}
	snprintf(path, sizeof(path), "%s/sample-table.csv", dir);
	ok = p->mode == JURIS_MODE_ENFORCE && p->set == JURIS_A_ALLOW &&
	     p->cc['I' - 'A']['N' - 'A'] && p->cc['S' - 'A']['G' - 'A'] &&
	     p->unknown == JURIS_UNKNOWN_DENY && p->action == JURIS_ACTION_DROP &&
	     p->scope == JURIS_SCOPE_MASK && p->ntable == 1 && !strcmp(p->table[0], path) &&
	     p->nprefix == 3 && prefix_is(&p->prefix[0], "203.0.113.7", 32, JURIS_PREFIX_EXEMPT) &&
	     prefix_is(&p->prefix[1], "2001:db8:1::", 48, JURIS_PREFIX_EXEMPT) &&
	     prefix_is(&p->prefix[2], "198.51.100.0", 24, JURIS_PREFIX_BLOCK) &&
	     p->nnat64 == 1 && prefix_is(&p->nat64[0], "2001:db8:64::", 96, 0) &&
	     p->nuid == 3 && p->uid[0].first == 0 && p->uid[0].last == 9999 &&
	     p->uid[0].action == JURIS_UID_EXEMPT && p->uid[1].first == 10123 &&
	     p->uid[1].last == 10123 && p->uid[1].action == JURIS_UID_ALLOW &&
	     p->uid[1].ncountries == 1 && !memcmp(p->uid[1].countries, "IN", 2) &&
	     p->uid[2].first == 10200 && p->uid[2].last == 10299 &&
	     p->uid[2].action == JURIS_UID_BLOCK;
	put(p);
	return ok;
}

/*
 * What pfile_write() prints parses back to the same policy, and printing
 * that again gives the same text: juris apply of juris policy show output
 * reproduces the policy.
 */
static bool round_trip(const char *text)
{
	struct parse_error err;
	struct pfile *a, *b;
	char *out1 = NULL, *out2 = NULL;
	size_t n1, n2;
	FILE *f;
	int ret;
	bool ok;

	a = parse_text(text, &err, &ret);
	if (ret < 0) {
		printf("# mem:%lu: %s\n", err.line, err.msg);
		put(a);
		return false;
	}
	f = open_memstream(&out1, &n1);
	pfile_write(f, a, 0, NULL);
	fclose(f);
	b = parse_text(out1, &err, &ret);
	f = open_memstream(&out2, &n2);
	pfile_write(f, b, 0, NULL);
	fclose(f);
	ok = ret == 0 && same(a, b) && n1 == n2 && !memcmp(out1, out2, n1);
	if (!ok)
		printf("# first:\n%s# again:\n%s", out1, out2);
	put(a);
	put(b);
	free(out1);
	free(out2);
	return ok;
}

static bool test_round_trip(void)
{
	return round_trip("mode enforce\nallow IN,SG\nunknown deny\naction reject\nscope forward\n"
			  "exempt 203.0.113.7/32 2001:db8:1::/48\nblock 198.51.100.0/24 ::/0\n"
			  "nat64 2001:db8:64::/96 2001:db8:100::/40\n"
			  "uid 0-9999 exempt\nuid 10123 allow IN sg in\nuid 10200-10299 block\n"
			  "uid 4294967294 deny\nevent-rate 100000 1024\nlog kernel\n") &&
	       round_trip("mode off\n") &&
	       round_trip("mode audit\ndeny\n") &&
	       round_trip("mode audit\nallow\nscope local\n") &&
	       round_trip("lock\nmode enforce\n") &&
	       round_trip("mode audit\nevent-rate 0 1\nlog off\n");
}

/* Comments, blanks, commas, case, several lines of a list. */
static bool test_layout(void)
{
	struct parse_error err;
	struct pfile *p;
	int ret;
	bool ok;

	p = parse_text("# a comment\n\n   \t\r\nmode   enforce   # trailing\r\n"
		       "allow in, sg\nallow US\n"
		       "table a#b.csv /abs/c.jtab\n"
		       "exempt 192.0.2.1\nexempt 2001:db8::/32,10.0.0.0/8\n"
		       "uid 7 deny CN,RU", &err, &ret);
	ok = ret == 0 && p->mode == JURIS_MODE_ENFORCE && p->set == JURIS_A_ALLOW &&
	     p->cc['I' - 'A']['N' - 'A'] && p->cc['S' - 'A']['G' - 'A'] &&
	     p->cc['U' - 'A']['S' - 'A'] && !p->cc['C' - 'A']['N' - 'A'] &&
	     p->ntable == 2 && !strcmp(p->table[0], "/etc/juris/a#b.csv") &&
	     !strcmp(p->table[1], "/abs/c.jtab") && p->nprefix == 3 &&
	     prefix_is(&p->prefix[0], "192.0.2.1", 32, JURIS_PREFIX_EXEMPT) &&
	     prefix_is(&p->prefix[2], "10.0.0.0", 8, JURIS_PREFIX_EXEMPT) &&
	     p->nuid == 1 && p->uid[0].ncountries == 2 && p->unknown == -1 &&
	     p->action == -1 && p->scope == -1 && !p->has_nat64 && p->has_uids;
	if (!ok && ret)
		printf("# mem:%lu: %s\n", err.line, err.msg);
	put(p);
	return ok;
}

/* juris apply fills what the file leaves out, and wants a mode. */
static bool test_complete(void)
{
	struct parse_error err;
	struct pfile *p;
	int ret;
	bool ok;

	p = parse_text("allow IN\n", &err, &ret);
	ok = ret == 0 && pfile_complete(p, &err) == -EINVAL &&
	     !strcmp(err.msg, "no mode: a policy file says mode enforce, audit or off");
	put(p);
	p = parse_text("mode enforce\n", &err, &ret);
	ok = ok && ret == 0 && pfile_complete(p, &err) == 0 &&
	     p->unknown == JURIS_UNKNOWN_ALLOW && p->action == JURIS_ACTION_DROP &&
	     p->scope == JURIS_SCOPE_MASK && p->set == JURIS_A_ALLOW &&
	     p->has_prefixes && p->has_uids && p->has_nat64 && !p->nprefix &&
	     p->event_rate == JURIS_DEFAULT_EVENT_RATE &&
	     p->event_burst == JURIS_DEFAULT_EVENT_BURST && p->log == JURIS_LOG_OFF;
	put(p);
	/* A burst not given is twice the rate, within its bounds. */
	p = parse_text("mode off\nevent-rate 7\n", &err, &ret);
	ok = ok && ret == 0 && p->event_rate == 7 && p->event_burst == 14;
	put(p);
	p = parse_text("mode off\nevent-rate 5000\n", &err, &ret);
	ok = ok && ret == 0 && p->event_burst == JURIS_MAX_EVENT_BURST;
	put(p);
	return ok;
}

static const struct {
	const char *text;
	unsigned long line;
	const char *msg;
} bad[] = {
	{ "mode enforce\nmode audit\n", 2, "mode is given twice: first on line 1" },
	{ "mode\n", 1, "mode needs a value" },
	{ "mode on\n", 1, "invalid mode: 'on' (expected off, audit or enforce)" },
	{ "mode enforce audit\n", 1, "mode takes one value: unexpected 'audit'" },
	{ "unknown maybe\n", 1, "invalid unknown: 'maybe' (expected allow or deny)" },
	{ "action bounce\n", 1, "invalid action: 'bounce' (expected drop or reject)" },
	{ "scope\n", 1, "scope needs local, forward or both" },
	{ "scope local input\n", 1, "invalid scope: 'input' (expected local or forward)" },
	{ "\n\nallow IN\ndeny US\n", 4,
	  "allow and deny cannot go together: a policy approves the countries it lists, or all but them" },
	{ "allow IND\n", 1, "invalid country code: 'IND' (expected two letters, as in IN SG)" },
	{ "allow I1\n", 1, "invalid country code: 'I1' (expected two letters, as in IN SG)" },
	{ "exempt 203.0.113.1/24\n", 1, "exempt 203.0.113.1/24: the address has bits set past /24" },
	{ "block 10.0.0.0/33\n", 1,
	  "block: invalid prefix: '10.0.0.0/33' (expected ADDRESS/LENGTH, as in 198.51.100.0/24 or 2001:db8::/32)" },
	{ "nat64 64:ff9b::/95\n", 1,
	  "nat64 64:ff9b::/95: a NAT64 prefix is IPv6, of length 32, 40, 48, 56, 64 or 96" },
	{ "nat64 192.0.2.0/24\n", 1,
	  "nat64 192.0.2.0/24: a NAT64 prefix is IPv6, of length 32, 40, 48, 56, 64 or 96" },
	{ "nat64 bad\n", 1, "nat64: invalid prefix: 'bad' (expected ADDRESS/LENGTH, as in 64:ff9b::/96)" },
	{ "uid\n", 1, "uid needs a UID or a range and an action, as in uid 10123 allow IN" },
	{ "uid 10-5 exempt\n", 1, "UID range '10-5' ends before it starts" },
	{ "uid 4294967295 exempt\n", 1,
	  "invalid UID or UID range: '4294967295' (expected as in 10123 or 10000-19999, at most 4294967294)" },
	{ "uid -5 exempt\n", 1,
	  "invalid UID or UID range: '-5' (expected as in 10123 or 10000-19999, at most 4294967294)" },
	{ "uid 5\n", 1, "invalid UID action: '' (expected exempt, block, allow or deny)" },
	{ "uid 5 permit IN\n", 1, "invalid UID action: 'permit' (expected exempt, block, allow or deny)" },
	{ "uid 5 block IN\n", 1, "block takes no countries: 'IN'" },
	{ "uid 5 allow IN XX1\n", 1, "invalid country code: 'XX1' (expected two letters, as in IN SG)" },
	{ "table\n", 1, "table needs one or more files" },
	{ "table a.csv\ntable b.csv\n", 2, "table is given twice: first on line 1" },
	{ "allow IN\nrule 5\n", 2,
	  "unknown directive: 'rule' (expected mode, allow, deny, unknown, action, scope, table, exempt, block, nat64, uid, event-rate, log or lock)" },
	{ "event-rate\n", 1, "event-rate needs a rate: events a second, 0 for none" },
	{ "event-rate 100001\n", 1,
	  "invalid event rate: '100001' (expected a number from 0 to 100000)" },
	{ "event-rate 99999999999999999999\n", 1,
	  "invalid event rate: '99999999999999999999' (expected a number from 0 to 100000)" },
	{ "event-rate -1\n", 1, "invalid event rate: '-1' (expected a number from 0 to 100000)" },
	{ "event-rate 10 0\n", 1, "invalid event burst: '0' (expected a number from 1 to 1024)" },
	{ "event-rate 10 1025\n", 1,
	  "invalid event burst: '1025' (expected a number from 1 to 1024)" },
	{ "event-rate 10 20 30\n", 1, "event-rate takes a rate and a burst: unexpected '30'" },
	{ "event-rate 10\nevent-rate 20\n", 2, "event-rate is given twice: first on line 1" },
	{ "log dmesg\n", 1, "invalid log: 'dmesg' (expected off or kernel)" },
	{ "log\n", 1, "log needs a value" },
	{ "mode off\nlock now\n", 2, "lock takes no value" },
	{ "lock\nmode off\nlock\n", 3, "lock is given twice: first on line 1" },
	{ "mode enforce\n\0mode off\n", 2, "a NUL byte: this is not a text file" },
};

static bool test_bad(void)
{
	struct parse_error err;
	bool ok = true;
	struct pfile *p;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		p = malloc(sizeof(*p));
		pfile_init(p);
		/* Through the NUL: the text is not a C string there. */
		ret = pfile_parse_buf("mem", bad[i].text,
				      strlen(bad[i].text) + (i + 1 == ARRAY_SIZE(bad) ? 10 : 0),
				      "/etc/juris", p, &err);
		if (ret >= 0 || err.line != bad[i].line || strcmp(err.msg, bad[i].msg)) {
			printf("# expected mem:%lu: %s\n", bad[i].line, bad[i].msg);
			printf("#      got mem:%lu: %s (ret %d)\n", err.line, err.msg, ret);
			ok = false;
		}
		put(p);
	}
	return ok;
}

/* Past each limit: E2BIG and a message that names it. */
static bool test_limits(void)
{
	struct parse_error err;
	size_t size = 64 * 1024;
	char *text = malloc(size);
	struct pfile *p;
	size_t n = 0;
	bool ok;
	int i, ret;

	for (i = 0; i <= JURIS_MAX_PREFIXES; i++)
		n += snprintf(text + n, size - n, "block 10.%d.%d.0/24\n", i / 256, i % 256);
	p = parse_text(text, &err, &ret);
	ok = ret == -E2BIG && err.line == JURIS_MAX_PREFIXES + 1 &&
	     !strcmp(err.msg, "more than 1024 prefix rules (exempt and block together)");
	put(p);
	for (i = n = 0; i <= JURIS_MAX_NAT64; i++)
		n += snprintf(text + n, size - n, "nat64 2001:db8:%x::/48\n", i);
	p = parse_text(text, &err, &ret);
	ok = ok && ret == -E2BIG && err.line == JURIS_MAX_NAT64 + 1 &&
	     !strcmp(err.msg, "more than 16 NAT64 prefixes");
	put(p);
	for (i = n = 0; i <= JURIS_MAX_UID_RULES; i++)
		n += snprintf(text + n, size - n, "uid %d exempt\n", i);
	p = parse_text(text, &err, &ret);
	ok = ok && ret == -E2BIG && err.line == JURIS_MAX_UID_RULES + 1 &&
	     !strcmp(err.msg, "more than 256 UID rules");
	put(p);
	free(text);
	return ok;
}

/* juris policy set: each option a directive, no line, no table. */
static bool test_options(void)
{
	struct pfile *p = malloc(sizeof(*p));
	char why[256];
	bool ok;

	pfile_init(p);
	ok = pfile_directive(p, "mode audit", 10, 0, NULL, why, sizeof(why)) == 0 &&
	     pfile_directive(p, "mode off", 8, 0, NULL, why, sizeof(why)) == -EINVAL &&
	     !strcmp(why, "mode is given twice") &&
	     pfile_directive(p, "table x.csv", 11, 0, NULL, why, sizeof(why)) == -EINVAL &&
	     !strcmp(why, "table is for policy files: load one with juris table load") &&
	     pfile_directive(p, "allow ", 6, 0, NULL, why, sizeof(why)) == 0 &&
	     p->set == JURIS_A_ALLOW && !p->nprefix && !p->has_prefixes;
	put(p);
	return ok;
}

/* The UID parser both the file and juris lookup --uid use. */
static bool test_uid(void)
{
	uint32_t u = 1;

	return csv_parse_uid("0", 1, &u) == 0 && u == 0 &&
	       csv_parse_uid("4294967294", 10, &u) == 0 && u == 4294967294U &&
	       csv_parse_uid("4294967295", 10, &u) == -EINVAL &&
	       csv_parse_uid("99999999999", 11, &u) == -EINVAL &&
	       csv_parse_uid("", 0, &u) == -EINVAL &&
	       csv_parse_uid("+1", 2, &u) == -EINVAL &&
	       csv_parse_uid("-1", 2, &u) == -EINVAL &&
	       csv_parse_uid(" 1", 2, &u) == -EINVAL &&
	       csv_parse_uid("1a", 2, &u) == -EINVAL &&
	       csv_parse_uid("10123", 3, &u) == 0 && u == 101;
}

static const struct {
	const char *name;
	bool (*fn)(void);
} tests[] = {
	{ "the shipped example parses to what it says", test_example },
	{ "policy show output applies back to the same policy", test_round_trip },
	{ "comments, blanks, commas, case, relative table paths", test_layout },
	{ "apply: defaults, and a file must say its mode", test_complete },
	{ "bad lines name their line and what is wrong", test_bad },
	{ "limits: prefix rules, NAT64 prefixes, UID rules", test_limits },
	{ "policy set options are directives without table", test_options },
	{ "UIDs: decimal, at most 4294967294", test_uid },
};

int main(int argc, char *argv[])
{
	size_t i;
	int failed = 0;

	if (argc > 1) {
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	} else {
		char src[4096];

		snprintf(src, sizeof(src), "%s", __FILE__);
		snprintf(dir, sizeof(dir), "%s/../../examples", dirname(src));
	}
	printf("1..%zu\n", ARRAY_SIZE(tests));
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		bool ok = tests[i].fn();

		printf("%sok %zu - %s\n", ok ? "" : "not ", i + 1, tests[i].name);
		failed += !ok;
	}
	return failed ? 1 : 0;
}
