// SPDX-License-Identifier: GPL-2.0
/*
 * juris policy set [--mode M] [--allow CC,... | --deny CC,...] [--unknown V]
 *                   [--exempt PREFIX,...] [--block PREFIX,...] [--clear-prefixes]
 *                   [--uid 'UID[-UID] exempt|block|allow CC,...|deny CC,...']... [--clear-uids]
 *
 * Only the options given are sent: the kernel keeps the rest. The prefix
 * options, together, replace the prefix rules whole; the --uid options, in
 * their order, the UID rules.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "fmt.h"
#include "netlink.h"
#include "subcommands.h"

#define USAGE \
	"Usage: juris policy set [--mode off|audit|enforce] [--allow CC,CC,... | --deny CC,CC,...]\n" \
	"                        [--unknown allow|deny] [--exempt PREFIX,...] [--block PREFIX,...]\n" \
	"                        [--clear-prefixes] [--uid 'UID[-UID] exempt|block|allow CC,...|deny CC,...']...\n" \
	"                        [--clear-uids]\n"

struct prefix {
	uint8_t addr[16];
	int family;			/* 4 or 16 bytes */
	int len;
	int action;			/* enum juris_prefix_action */
};

struct uid_rule {
	uint32_t first, last;
	int action;			/* enum juris_uid_action */
	uint8_t countries[2 * 676];
	size_t ncountries;
};

struct policy {
	int mode, unknown;		/* -1: not given */
	const char *set_option;		/* --allow or --deny, if given */
	bool allow[26][26];		/* a set: sorted and unique for free */
	bool has_prefixes;
	struct prefix prefix[JURIS_MAX_PREFIXES];
	size_t nprefix;
	bool has_uids;
	struct uid_rule uid[JURIS_MAX_UID_RULES];
	size_t nuid;
};

/* The next item of a comma-separated list, blanks trimmed; NULL past the end. */
static const char *list_next(const char **s, size_t *len)
{
	const char *b = *s, *e, *comma;

	if (!b)
		return NULL;
	comma = strchr(b, ',');
	e = comma ? comma : b + strlen(b);
	*s = comma ? comma + 1 : NULL;
	while (b < e && (*b == ' ' || *b == '\t'))
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*len = e - b;
	return b;
}

/* "IN,sg, US" lists IN, SG and US; "" lists no country. */
static int parse_set(const char *option, const char *list, struct policy *p)
{
	const char *s = *list ? list : NULL, *item;
	uint8_t cc[2];
	size_t len;

	if (p->set_option && strcmp(p->set_option, option)) {
		fprintf(stderr, "juris: --allow and --deny cannot go together: a policy approves the countries it lists, or all but them\n");
		return -EINVAL;
	}
	p->set_option = option;
	memset(p->allow, 0, sizeof(p->allow));
	while ((item = list_next(&s, &len))) {
		if (csv_parse_country(item, len, cc) < 0) {
			fprintf(stderr, "juris: invalid country code: '%.*s' (expected two letters, as in %s IN,SG)\n",
				(int)len, item, option);
			return -EINVAL;
		}
		p->allow[cc[0] - 'A'][cc[1] - 'A'] = true;
	}
	return 0;
}

/* "203.0.113.7, 2001:db8::/32" adds two rules of the option's action. */
static int parse_prefixes(const char *option, const char *list, int action,
			  struct policy *p)
{
	const char *s = *list ? list : NULL, *item;
	struct prefix *x;
	size_t len;
	int ret;

	p->has_prefixes = true;
	while ((item = list_next(&s, &len))) {
		if (p->nprefix == JURIS_MAX_PREFIXES) {
			fprintf(stderr, "juris: more than %d prefix rules\n", JURIS_MAX_PREFIXES);
			return -E2BIG;
		}
		x = &p->prefix[p->nprefix];
		ret = csv_parse_prefix(item, len, x->addr, &x->len);
		if (ret == -EDOM) {
			fprintf(stderr, "juris: %s %.*s: the address has bits set past /%d\n",
				option, (int)len, item, x->len);
			return ret;
		}
		if (ret < 0) {
			fprintf(stderr, "juris: %s: invalid prefix: '%.*s' (expected ADDRESS/LENGTH, as in 198.51.100.0/24 or 2001:db8::/32)\n",
				option, (int)len, item);
			return ret;
		}
		x->family = ret;
		x->action = action;
		p->nprefix++;
	}
	return 0;
}

/* The kernel wants the listed codes as a sorted array of u8[2]. */
static size_t allow_array(const struct policy *p, uint8_t out[26 * 26][2])
{
	size_t n = 0;
	int a, b;

	for (a = 0; a < 26; a++) {
		for (b = 0; b < 26; b++) {
			if (!p->allow[a][b])
				continue;
			out[n][0] = 'A' + a;
			out[n][1] = 'A' + b;
			n++;
		}
	}
	return n;
}

static int parse_enum(const char *option, const char *value,
		      const char *const names[], size_t n, int *out)
{
	int v = name_lookup(names, n, value);

	if (v < 0) {
		fprintf(stderr, "juris: invalid value for %s: '%s' (expected %s",
			option, value, names[0]);
		for (size_t i = 1; i < n; i++)
			fprintf(stderr, "%s%s", i + 1 < n ? ", " : " or ", names[i]);
		fprintf(stderr, ")\n");
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* Accepts "--name value" and "--name=value"; returns the value or NULL. */
static const char *option_value(const char *name, int argc, const char *argv[],
				int *i)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len))
		return NULL;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (argv[*i][len] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/*
 * "10123 allow IN,SG", "0-9999 exempt", "10200-10299 block": a UID or a
 * range, an action, and for allow and deny the countries, separated by
 * commas or blanks. On error, a message in why.
 */
static int parse_uid_rule(const char *text, struct uid_rule *u, char *why, size_t size)
{
	const char *s = text, *e, *dash;
	size_t i;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strcspn(s, " \t");
	dash = memchr(s, '-', e - s);
	if (csv_parse_uid(s, (dash ? dash : e) - s, &u->first) ||
	    csv_parse_uid(dash ? dash + 1 : s, dash ? (size_t)(e - dash - 1) : (size_t)(e - s),
			  &u->last)) {
		snprintf(why, size, "invalid UID or UID range: '%.*s' (expected as in 10123 or 10000-19999, at most 4294967294)",
			 (int)(e - s), s);
		return -EINVAL;
	}
	if (u->last < u->first) {
		snprintf(why, size, "UID range '%.*s' ends before it starts", (int)(e - s), s);
		return -EINVAL;
	}
	for (s = e; *s == ' ' || *s == '\t'; s++)
		;
	e = s + strcspn(s, " \t");
	u->action = 0;
	for (i = JURIS_UID_EXEMPT; i < ARRAY_SIZE(uid_action_names); i++)
		if ((size_t)(e - s) == strlen(uid_action_names[i]) &&
		    !strncmp(s, uid_action_names[i], e - s))
			u->action = i;
	if (!u->action) {
		snprintf(why, size, "invalid UID action: '%.*s' (expected exempt, block, allow or deny)",
			 (int)(e - s), s);
		return -EINVAL;
	}
	u->ncountries = 0;
	for (s = e;;) {
		uint8_t cc[2];

		s += strspn(s, " \t,");
		if (!*s)
			break;
		e = s + strcspn(s, " \t,");
		if (u->action <= JURIS_UID_BLOCK) {
			snprintf(why, size, "%s takes no countries: '%s'",
				 uid_action_names[u->action], s);
			return -EINVAL;
		}
		if (csv_parse_country(s, e - s, cc) < 0) {
			snprintf(why, size, "invalid country code: '%.*s'", (int)(e - s), s);
			return -EINVAL;
		}
		for (i = 0; i < u->ncountries && memcmp(u->countries + 2 * i, cc, 2); i++)
			;
		if (i == u->ncountries)
			memcpy(u->countries + 2 * u->ncountries++, cc, 2);
		s = e;
	}
	return 0;
}

static int add_uid_rule(const char *value, struct policy *p)
{
	char why[256];

	p->has_uids = true;
	if (p->nuid == JURIS_MAX_UID_RULES) {
		fprintf(stderr, "juris: more than %d UID rules\n", JURIS_MAX_UID_RULES);
		return -E2BIG;
	}
	if (parse_uid_rule(value, &p->uid[p->nuid], why, sizeof(why)) < 0) {
		fprintf(stderr, "juris: --uid: %s\n", why);
		return -EINVAL;
	}
	p->nuid++;
	return 0;
}

static int parse_args(int argc, const char *argv[], struct policy *p)
{
	static const char *const valued[] = { "--mode", "--unknown", "--allow", "--deny",
					      "--exempt", "--block", "--uid" };
	const char *value;
	size_t k;
	int i, ret;

	for (i = 2; i < argc; i++) {
		if ((value = option_value("--mode", argc, argv, &i)))
			ret = parse_enum("--mode", value, mode_names,
					 ARRAY_SIZE(mode_names), &p->mode);
		else if ((value = option_value("--unknown", argc, argv, &i)))
			ret = parse_enum("--unknown", value, unknown_names,
					 ARRAY_SIZE(unknown_names), &p->unknown);
		else if ((value = option_value("--allow", argc, argv, &i)))
			ret = parse_set("--allow", value, p);
		else if ((value = option_value("--deny", argc, argv, &i)))
			ret = parse_set("--deny", value, p);
		else if ((value = option_value("--exempt", argc, argv, &i)))
			ret = parse_prefixes("--exempt", value, JURIS_PREFIX_EXEMPT, p);
		else if ((value = option_value("--block", argc, argv, &i)))
			ret = parse_prefixes("--block", value, JURIS_PREFIX_BLOCK, p);
		else if ((value = option_value("--uid", argc, argv, &i)))
			ret = add_uid_rule(value, p);
		else if (!strcmp(argv[i], "--clear-prefixes"))
			ret = (p->has_prefixes = true, 0);
		else if (!strcmp(argv[i], "--clear-uids"))
			ret = (p->has_uids = true, 0);
		else {
			for (k = 0; k < ARRAY_SIZE(valued); k++) {
				if (!strcmp(argv[i], valued[k])) {
					fprintf(stderr, "juris: option %s needs a value\n%s",
						argv[i], USAGE);
					return -EINVAL;
				}
			}
			fprintf(stderr, "juris: unknown option: '%s'\n%s",
				argv[i], USAGE);
			return -EINVAL;
		}
		if (ret < 0)
			return ret;
	}
	if (p->mode < 0 && p->unknown < 0 && !p->set_option && !p->has_prefixes && !p->has_uids) {
		fprintf(stderr, "juris: nothing to set: give --mode, --allow, --deny, --unknown, --exempt, --block, --clear-prefixes, --uid or --clear-uids\n%s",
			USAGE);
		return -EINVAL;
	}
	return 0;
}

static int put_prefixes(struct nl_msg *msg, const struct policy *p)
{
	struct nlattr *outer, *inner;
	size_t i;

	/* nla_nest_end() drops an empty nest; an empty one clears the rules. */
	if (!p->nprefix)
		return nla_put(msg, JURIS_A_PREFIXES | NLA_F_NESTED, 0, NULL);
	outer = nla_nest_start(msg, JURIS_A_PREFIXES);
	if (!outer)
		return -ENOMEM;
	for (i = 0; i < p->nprefix; i++) {
		const struct prefix *x = &p->prefix[i];

		inner = nla_nest_start(msg, i + 1);
		if (!inner || nla_put(msg, JURIS_PREFIX_A_ADDR, x->family, x->addr) < 0 ||
		    nla_put_u8(msg, JURIS_PREFIX_A_LEN, x->len) < 0 ||
		    nla_put_u8(msg, JURIS_PREFIX_A_ACTION, x->action) < 0)
			return -ENOMEM;
		nla_nest_end(msg, inner);
	}
	nla_nest_end(msg, outer);
	return 0;
}

static int put_uids(struct nl_msg *msg, const struct policy *p)
{
	struct nlattr *outer, *inner;
	size_t i, bytes = NLA_HDRLEN;

	/* nla_nest_end() drops an empty nest; an empty one clears the rules. */
	if (!p->nuid)
		return nla_put(msg, JURIS_A_UIDS | NLA_F_NESTED, 0, NULL);
	for (i = 0; i < p->nuid; i++)
		bytes += 2 * NLA_HDRLEN + 2 * nla_total_size(4) + nla_total_size(1) +
			 nla_total_size(2 * p->uid[i].ncountries);
	if (bytes > UINT16_MAX) {
		fprintf(stderr, "juris: the UID rules take %zu bytes, more than one netlink attribute holds (65535): list fewer countries\n",
			bytes);
		return -E2BIG;
	}
	outer = nla_nest_start(msg, JURIS_A_UIDS);
	if (!outer)
		return -ENOMEM;
	for (i = 0; i < p->nuid; i++) {
		const struct uid_rule *u = &p->uid[i];

		inner = nla_nest_start(msg, i + 1);
		if (!inner || nla_put_u32(msg, JURIS_UID_A_FIRST, u->first) < 0 ||
		    nla_put_u32(msg, JURIS_UID_A_LAST, u->last) < 0 ||
		    nla_put_u8(msg, JURIS_UID_A_ACTION, u->action) < 0 ||
		    (u->action >= JURIS_UID_ALLOW &&
		     nla_put(msg, JURIS_UID_A_COUNTRIES, 2 * u->ncountries, u->countries) < 0))
			return -ENOMEM;
		nla_nest_end(msg, inner);
	}
	nla_nest_end(msg, outer);
	return 0;
}

static int send_policy(const struct policy *p)
{
	uint8_t set[26 * 26][2];
	struct juris_nl nl;
	struct nl_msg *msg;
	int ret;

	ret = juris_nl_open(&nl);
	if (ret < 0)
		return ret;
	msg = juris_nl_msg(&nl, JURIS_CMD_SET_POLICY, 0,
			   2 * nla_total_size(1) + nla_total_size(sizeof(set)) +
			   nla_total_size(0) + p->nprefix * (2 * NLA_HDRLEN +
			   nla_total_size(16) + 2 * nla_total_size(1)) +
			   nla_total_size(0) + p->nuid * (2 * NLA_HDRLEN + 2 * nla_total_size(4) +
			   nla_total_size(1) + nla_total_size(2 * 676)));
	ret = msg ? 0 : -ENOMEM;
	if (!ret && p->mode >= 0)
		ret = nla_put_u8(msg, JURIS_A_MODE, p->mode);
	if (!ret && p->unknown >= 0)
		ret = nla_put_u8(msg, JURIS_A_UNKNOWN, p->unknown);
	if (!ret && p->set_option)
		ret = nla_put(msg, strcmp(p->set_option, "--deny") ? JURIS_A_ALLOW : JURIS_A_DENY,
			      allow_array(p, set) * 2, set);
	if (!ret && p->has_prefixes)
		ret = put_prefixes(msg, p);
	if (!ret && p->has_uids)
		ret = put_uids(msg, p);
	if (ret == -E2BIG) {
		nlmsg_free(msg);
		juris_nl_close(&nl);
		return ret;
	}
	if (ret < 0) {
		nlmsg_free(msg);
		ret = -ENOMEM;
	} else {
		ret = juris_nl_request(&nl, msg, NULL, NULL);
	}
	if (ret < 0)
		fprintf(stderr, "juris: cannot set the policy: %s\n",
			juris_strerror(ret));
	juris_nl_close(&nl);
	return ret;
}

int policy_main(int argc, const char *argv[])
{
	static struct policy p;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(USAGE, stdout);
			return 0;
		}
	}
	if (argc < 2 || strcmp(argv[1], "set")) {
		fputs(USAGE, stderr);
		return 1;
	}
	p.mode = -1;
	p.unknown = -1;
	if (parse_args(argc, argv, &p) < 0)
		return 1;
	return send_policy(&p) < 0;
}
