// SPDX-License-Identifier: GPL-2.0
/*
 * juris lookup ADDR [--uid UID] [--json]
 *
 * Asks the kernel rather than reading the file again: the answer is what the
 * active table and policy do, which is what a person debugging a drop needs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fmt.h"
#include "netlink.h"
#include "policy.h"
#include "subcommands.h"

#define USAGE "Usage: juris lookup ADDR [--uid UID] [--json]\n"

struct lookup {
	bool json;
	bool has_uid;
	uint32_t uid;
	const char *text;	/* the address as the user typed it */
	struct pfile_lines lines;	/* of juris policy show, 0: unknown */
};

/* The line of juris policy show holding the rule that decided, or 0. */
static unsigned long rule_line(const struct lookup *l, struct nlattr *tb[])
{
	uint32_t index = tb[JURIS_A_RULE_INDEX] ? nla_get_u32(tb[JURIS_A_RULE_INDEX]) : 0;

	if (!tb[JURIS_A_RULE])
		return 0;
	switch (nla_get_u8(tb[JURIS_A_RULE])) {
	case JURIS_RULE_PREFIX:
		return l->lines.prefix ? l->lines.prefix + index : 0;
	case JURIS_RULE_UID:
		return l->lines.uid ? l->lines.uid + index : 0;
	case JURIS_RULE_COUNTRY:
		return l->lines.set;
	case JURIS_RULE_UNKNOWN:
		return l->lines.unknown;
	}
	return 0;
}

/* Where policy show puts each rule, from the active policy. */
static void find_lines(struct juris_nl *nl, struct lookup *l)
{
	struct table_info t = { 0 };
	FILE *null = fopen("/dev/null", "w");
	struct pfile *p = malloc(sizeof(*p));
	bool initial;

	if (p && null) {
		pfile_init(p);
		nl->quiet = true;
		if (!policy_fetch(nl, p, &t, &initial))
			policy_show(null, p, &t, initial, &l->lines);
		nl->quiet = false;
	}
	if (null)
		fclose(null);
	free(p);
}

/* An address attribute as text, or NULL when absent or malformed. */
static const char *attr_addr(const struct nlattr *attr, char *buf, size_t size)
{
	return attr ? fmt_addr(nla_data(attr), nla_len(attr), buf, size) : NULL;
}

static void print_json_string(const char *key, const char *value, bool comma)
{
	/* Values are addresses and codes: nothing in them needs escaping. */
	if (value)
		printf("\"%s\":\"%s\"%s", key, value, comma ? "," : "");
	else
		printf("\"%s\":null%s", key, comma ? "," : "");
}

static int on_lookup(struct nlattr *tb[], void *arg)
{
	char addr[INET6_ADDRSTRLEN], start[INET6_ADDRSTRLEN];
	char end[INET6_ADDRSTRLEN], cc_buf[3], v4[INET_ADDRSTRLEN];
	const char *a, *s, *e, *cc = NULL, *verdict, *rule = NULL, *embedded;
	const struct lookup *l = arg;
	unsigned long line = rule_line(l, tb);
	bool special;

	if (!tb[JURIS_A_VERDICT])
		return -EBADMSG;
	a = attr_addr(tb[JURIS_A_ADDR], addr, sizeof(addr)) ?: l->text;
	s = attr_addr(tb[JURIS_A_RANGE_START], start, sizeof(start));
	e = attr_addr(tb[JURIS_A_RANGE_END], end, sizeof(end));
	if (tb[JURIS_A_COUNTRY])
		cc = fmt_country(nla_data(tb[JURIS_A_COUNTRY]), cc_buf) ?: "??";
	verdict = NAME_OF(verdict_names, nla_get_u8(tb[JURIS_A_VERDICT]));
	special = tb[JURIS_A_SPECIAL];
	embedded = attr_addr(tb[JURIS_A_EMBEDDED], v4, sizeof(v4));
	if (tb[JURIS_A_RULE])
		rule = NAME_OF(rule_names, nla_get_u8(tb[JURIS_A_RULE]));

	if (l->json) {
		printf("{");
		print_json_string("address", a, true);
		print_json_string("country", cc, true);
		print_json_string("start", s, true);
		print_json_string("end", e, true);
		print_json_string("verdict", verdict, true);
		print_json_string("rule", rule, true);
		if (line)
			printf("\"line\":%lu,", line);
		else
			printf("\"line\":null,");
		print_json_string("embedded", embedded, true);
		printf("\"special\":%s}\n", special ? "true" : "false");
		return 0;
	}
	printf("address: %s\n", a);
	if (embedded)
		printf("embeds: %s (NAT64 or IPv4-mapped: judged as this IPv4 address)\n", embedded);
	printf("country: %s\n", cc ?: "unknown");
	if (s && e)
		printf("segment: %s - %s\n", s, e);
	else
		printf("segment: none (no table loaded)\n");
	printf("verdict: %s\n", verdict);
	if (line)
		printf("rule: %s (line %lu of juris policy show)\n", rule ?: "?", line);
	else
		printf("rule: %s\n", rule ?: "?");
	printf("special: %s\n", special ? "yes (special-purpose address, always allowed)" : "no");
	return 0;
}

int lookup_main(int argc, const char *argv[])
{
	struct lookup l = { .json = false };
	uint8_t addr[16];
	struct juris_nl nl;
	struct nl_msg *msg;
	int i, len, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			l.json = true;
		} else if (!strcmp(argv[i], "--uid") || !strncmp(argv[i], "--uid=", 6)) {
			const char *v = argv[i][5] == '=' ? argv[i] + 6 : i + 1 < argc ? argv[++i] : "";

			if (csv_parse_uid(v, strlen(v), &l.uid)) {
				fprintf(stderr, "juris: invalid UID: '%s'\n", v);
				return 1;
			}
			l.has_uid = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(USAGE, stdout);
			return 0;
		} else if (!l.text) {
			l.text = argv[i];
		} else {
			fprintf(stderr, "juris: unexpected argument: '%s'\n%s",
				argv[i], USAGE);
			return 1;
		}
	}
	if (!l.text) {
		fputs(USAGE, stderr);
		return 1;
	}
	len = csv_parse_addr(l.text, strlen(l.text), addr);
	if (len < 0) {
		fprintf(stderr, "juris: invalid IPv4 or IPv6 address: '%s'\n",
			l.text);
		return 1;
	}

	if (juris_nl_open(&nl) < 0)
		return 1;
	find_lines(&nl, &l);
	msg = juris_nl_msg(&nl, JURIS_CMD_LOOKUP, 0, nla_total_size(16) + nla_total_size(4));
	ret = msg ? 0 : -ENOMEM;
	if (msg && (nla_put(msg, JURIS_A_ADDR, len, addr) < 0 ||
		    (l.has_uid && nla_put_u32(msg, JURIS_A_UID, l.uid) < 0))) {
		nlmsg_free(msg);
		ret = -ENOMEM;
	}
	if (!ret)
		ret = juris_nl_request(&nl, msg, on_lookup, &l);
	if (ret < 0)
		fprintf(stderr, "juris: cannot look up '%s': %s\n", l.text,
			juris_strerror(ret));
	juris_nl_close(&nl);
	return ret < 0;
}
