// SPDX-License-Identifier: GPL-2.0
/*
 * juris status [--json]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "netlink.h"
#include "subcommands.h"

#define USAGE "Usage: juris status [--json]\n"

struct status {
	int mode, unknown, action, scope, log;
	uint32_t event_rate, event_burst;
	uint64_t suppressed;
	char digest[65];	/* hex; empty when the module sent none */
	bool initial;		/* fail_closed's policy, none set since */
	bool locked;
	const struct nlattr *nat64;
	bool deny;		/* the set is a deny list */
	const uint8_t *allow;	/* points into the reply: used before return */
	size_t n_allow;
	const struct nlattr *prefixes;
	const struct nlattr *uids;
	uint64_t generation, bytes;
	uint32_t ranges[2], segments[2];
	struct juris_count totals[__JURIS_VERDICT_LAST];
};

static uint32_t get_u32(const struct nlattr *attr)
{
	return attr ? nla_get_u32(attr) : 0;
}

static uint64_t get_u64(const struct nlattr *attr)
{
	return attr ? nla_get_u64(attr) : 0;
}

/* Each prefix of the nest with the action (0: none), as ADDR/LEN, after sep. */
static void print_prefixes(const struct nlattr *nest, int action, bool json)
{
	struct nlattr *tb[JURIS_PREFIX_A_MAX + 1], *entry;
	char addr[INET6_ADDRSTRLEN];
	const char *sep = "";
	int rem;

	if (!nest)
		return;
	nla_for_each_nested(entry, nest, rem) {
		if (nla_parse_nested(tb, JURIS_PREFIX_A_MAX, entry, NULL) < 0 ||
		    !tb[JURIS_PREFIX_A_ADDR] || !tb[JURIS_PREFIX_A_LEN] ||
		    (tb[JURIS_PREFIX_A_ACTION] ? nla_get_u8(tb[JURIS_PREFIX_A_ACTION]) : 0) != action)
			continue;
		if (!fmt_addr(nla_data(tb[JURIS_PREFIX_A_ADDR]), nla_len(tb[JURIS_PREFIX_A_ADDR]),
			      addr, sizeof(addr)))
			strcpy(addr, "?");
		printf(json ? "%s\"%s/%u\"" : "%s %s/%u", sep, addr,
		       nla_get_u8(tb[JURIS_PREFIX_A_LEN]));
		if (json)
			sep = ",";
	}
}

/* UID rules, in order: "uid A[-B] ACTION [CC...]" lines, or JSON objects. */
static void print_uids(const struct status *st, bool json)
{
	struct nlattr *tb[JURIS_UID_A_MAX + 1], *entry;
	const char *sep = "";
	char cc[3];
	int rem, i, n;

	if (!st->uids)
		return;
	nla_for_each_nested(entry, st->uids, rem) {
		uint32_t first, last;
		const uint8_t *codes = NULL;

		if (nla_parse_nested(tb, JURIS_UID_A_MAX, entry, NULL) < 0 ||
		    !tb[JURIS_UID_A_FIRST] || !tb[JURIS_UID_A_ACTION])
			continue;
		first = nla_get_u32(tb[JURIS_UID_A_FIRST]);
		last = tb[JURIS_UID_A_LAST] ? nla_get_u32(tb[JURIS_UID_A_LAST]) : first;
		n = 0;
		if (tb[JURIS_UID_A_COUNTRIES]) {
			codes = nla_data(tb[JURIS_UID_A_COUNTRIES]);
			n = nla_len(tb[JURIS_UID_A_COUNTRIES]) / 2;
		}
		if (json) {
			printf("%s{\"first\":%u,\"last\":%u,\"action\":\"%s\",\"countries\":[",
			       sep, first, last, NAME_OF(uid_action_names, nla_get_u8(tb[JURIS_UID_A_ACTION])));
			for (i = 0; i < n; i++)
				printf("%s\"%s\"", i ? "," : "", fmt_country(codes + 2 * i, cc) ?: "??");
			printf("]}");
			sep = ",";
			continue;
		}
		printf(first == last ? "uid %u" : "uid %u-%u", first, last);
		printf(" %s", NAME_OF(uid_action_names, nla_get_u8(tb[JURIS_UID_A_ACTION])));
		for (i = 0; i < n; i++)
			printf(" %s", fmt_country(codes + 2 * i, cc) ?: "??");
		printf("\n");
	}
}

static void print_text(const struct status *st)
{
	char size[32], cc[3];
	size_t i;
	int v;

	printf("mode: %s\n", NAME_OF(mode_names, st->mode));
	printf("approved:%s", !st->deny ? "" : st->n_allow ? " every country but" :
	       " every country");
	for (i = 0; i < st->n_allow; i++)
		printf(" %s", fmt_country(st->allow + 2 * i, cc) ?: "??");
	printf("%s\n", st->n_allow || st->deny ? "" : " (none)");
	printf("unknown: %s\n", NAME_OF(unknown_names, st->unknown));
	printf("action: %s\n", NAME_OF(action_names, st->action));
	printf("scope:%s%s\n", st->scope & JURIS_SCOPE_LOCAL ? " local" : "",
	       st->scope & JURIS_SCOPE_FORWARD ? " forward" : "");
	if (st->event_rate)
		printf("events: %" PRIu32 " a second, bursts of %" PRIu32 ", %" PRIu64 " suppressed\n",
		       st->event_rate, st->event_burst, st->suppressed);
	else
		printf("events: off, %" PRIu64 " suppressed\n", st->suppressed);
	printf("log: %s\n", NAME_OF(log_names, st->log));
	printf("digest: %s\n", st->digest);
	if (st->initial)
		printf("initial: yes (fail_closed: no policy set yet)\n");
	if (st->locked)
		printf("locked: yes (no change until the namespace ends)\n");
	if (st->nat64) {
		printf("nat64:");
		print_prefixes(st->nat64, 0, false);
		printf("\n");
	}
	if (st->prefixes) {
		printf("exempt:");
		print_prefixes(st->prefixes, JURIS_PREFIX_EXEMPT, false);
		printf("\nblock:");
		print_prefixes(st->prefixes, JURIS_PREFIX_BLOCK, false);
		printf("\n");
	}
	print_uids(st, false);
	fmt_size(st->bytes, size, sizeof(size));
	printf("table: generation %" PRIu64 ", %" PRIu32 " IPv4 + %" PRIu32 " IPv6 ranges, %" PRIu32 " + %" PRIu32 " segments, %s\n",
	       st->generation, st->ranges[0], st->ranges[1], st->segments[0],
	       st->segments[1], size);
	for (v = 0; v < __JURIS_VERDICT_LAST; v++)
		printf("%s: %llu packets, %llu bytes\n", verdict_counted[v],
		       (unsigned long long)st->totals[v].packets,
		       (unsigned long long)st->totals[v].bytes);
}

static void print_json(const struct status *st)
{
	char cc[3];
	size_t i;

	printf("{\"mode\":\"%s\",\"%s\":[", NAME_OF(mode_names, st->mode),
	       st->deny ? "deny" : "allow");
	for (i = 0; i < st->n_allow; i++)
		printf("%s\"%s\"", i ? "," : "",
		       fmt_country(st->allow + 2 * i, cc) ?: "??");
	printf("],\"unknown\":\"%s\",\"action\":\"%s\",\"scope\":[%s%s%s],\"initial\":%s,",
	       NAME_OF(unknown_names, st->unknown), NAME_OF(action_names, st->action),
	       st->scope & JURIS_SCOPE_LOCAL ? "\"local\"" : "",
	       st->scope == JURIS_SCOPE_MASK ? "," : "",
	       st->scope & JURIS_SCOPE_FORWARD ? "\"forward\"" : "",
	       st->initial ? "true" : "false");
	printf("\"locked\":%s,\"digest\":\"%s\",", st->locked ? "true" : "false", st->digest);
	printf("\"events\":{\"rate\":%" PRIu32 ",\"burst\":%" PRIu32 ",\"suppressed\":%" PRIu64 ",\"log\":\"%s\"},",
	       st->event_rate, st->event_burst, st->suppressed, NAME_OF(log_names, st->log));
	printf("\"nat64\":[");
	print_prefixes(st->nat64, 0, true);
	printf("],\"exempt\":[");
	print_prefixes(st->prefixes, JURIS_PREFIX_EXEMPT, true);
	printf("],\"block\":[");
	print_prefixes(st->prefixes, JURIS_PREFIX_BLOCK, true);
	printf("],\"uids\":[");
	print_uids(st, true);
	printf("],");
	printf("\"table\":{\"generation\":%" PRIu64 ",\"ranges_v4\":%" PRIu32 ",\"ranges_v6\":%" PRIu32 ",\"segments_v4\":%" PRIu32 ",\"segments_v6\":%" PRIu32 ",\"bytes\":%" PRIu64 "},",
	       st->generation, st->ranges[0], st->ranges[1], st->segments[0],
	       st->segments[1], st->bytes);
	printf("\"totals\":{");
	json_counts(st->totals);
	printf("}}\n");
}

struct reply {
	bool json;
};

static int on_status(struct nlattr *tb[], void *arg)
{
	const struct reply *r = arg;
	struct status st = { 0 };

	if (!tb[JURIS_A_MODE] || !tb[JURIS_A_UNKNOWN] || !tb[JURIS_A_ACTION] ||
	    !tb[JURIS_A_SCOPE])
		return -EBADMSG;
	st.mode = nla_get_u8(tb[JURIS_A_MODE]);
	st.unknown = nla_get_u8(tb[JURIS_A_UNKNOWN]);
	st.action = nla_get_u8(tb[JURIS_A_ACTION]);
	st.scope = nla_get_u8(tb[JURIS_A_SCOPE]);
	st.event_rate = get_u32(tb[JURIS_A_EVENT_RATE]);
	st.event_burst = get_u32(tb[JURIS_A_EVENT_BURST]);
	st.log = tb[JURIS_A_LOG] ? nla_get_u8(tb[JURIS_A_LOG]) : JURIS_LOG_OFF;
	st.suppressed = get_u64(tb[JURIS_A_SUPPRESSED]);
	if (tb[JURIS_A_DIGEST])
		for (int i = 0; i < 32; i++)
			sprintf(st.digest + 2 * i, "%02x", ((const uint8_t *)nla_data(tb[JURIS_A_DIGEST]))[i]);
	st.initial = tb[JURIS_A_INITIAL];
	st.locked = tb[JURIS_A_LOCK];
	st.nat64 = tb[JURIS_A_NAT64];
	if (tb[JURIS_A_ALLOW] || tb[JURIS_A_DENY]) {
		st.deny = !tb[JURIS_A_ALLOW];
		st.allow = nla_data(tb[JURIS_A_ALLOW] ?: tb[JURIS_A_DENY]);
		st.n_allow = nla_len(tb[JURIS_A_ALLOW] ?: tb[JURIS_A_DENY]) / 2;
	}
	st.prefixes = tb[JURIS_A_PREFIXES];
	st.uids = tb[JURIS_A_UIDS];
	st.generation = get_u64(tb[JURIS_A_TABLE_GEN]);
	st.ranges[0] = get_u32(tb[JURIS_A_TABLE_V4]);
	st.ranges[1] = get_u32(tb[JURIS_A_TABLE_V6]);
	st.segments[0] = get_u32(tb[JURIS_A_SEGMENTS_V4]);
	st.segments[1] = get_u32(tb[JURIS_A_SEGMENTS_V6]);
	st.bytes = get_u64(tb[JURIS_A_TABLE_BYTES]);
	if (juris_nl_get_counts(tb[JURIS_A_TOTALS], st.totals))
		return -EBADMSG;

	/* Printed here: the attributes die with the message. */
	if (r->json)
		print_json(&st);
	else
		print_text(&st);
	return 0;
}

int status_main(int argc, const char *argv[])
{
	struct reply r = { .json = false };
	struct juris_nl nl;
	struct nl_msg *msg;
	int ret;

	ret = parse_json_only(argc, argv, USAGE, &r.json);
	if (ret)
		return ret > 0;

	if (juris_nl_open(&nl) < 0)
		return 1;
	msg = juris_nl_msg(&nl, JURIS_CMD_GET_STATUS, 0, 0);
	ret = msg ? juris_nl_request(&nl, msg, on_status, &r) : -ENOMEM;
	if (ret < 0)
		fprintf(stderr, "juris: cannot read the status: %s\n",
			juris_strerror(ret));
	juris_nl_close(&nl);
	return ret < 0;
}
