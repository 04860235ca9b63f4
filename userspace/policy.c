// SPDX-License-Identifier: GPL-2.0
/*
 * juris policy set [--mode M] [--allow CC,...] [--unknown V]
 *
 * Only the options given are sent: the kernel keeps the rest.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "fmt.h"
#include "netlink.h"
#include "subcommands.h"

#define USAGE "Usage: juris policy set [--mode off|audit|enforce] [--allow CC,CC,...] [--unknown allow|deny]\n"

struct policy {
	int mode, unknown;		/* -1: not given */
	bool has_allow;
	bool allow[26][26];		/* a set: sorted and unique for free */
};

/* "IN,sg, US" approves IN, SG and US; "" approves no country. */
static int parse_allow(const char *list, struct policy *p)
{
	const char *s = list, *e, *comma;
	uint8_t cc[2];

	p->has_allow = true;
	memset(p->allow, 0, sizeof(p->allow));
	if (!*list)
		return 0;
	for (;;) {
		comma = strchr(s, ',');
		e = comma ? comma : s + strlen(s);
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (csv_parse_country(s, e - s, cc) < 0) {
			fprintf(stderr, "juris: invalid country code: '%.*s' (expected two letters, as in --allow IN,SG)\n",
				(int)(e - s), s);
			return -EINVAL;
		}
		p->allow[cc[0] - 'A'][cc[1] - 'A'] = true;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

/* The kernel wants the approved codes as a sorted array of u8[2]. */
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

static int parse_args(int argc, const char *argv[], struct policy *p)
{
	const char *value;
	int i, ret;

	for (i = 2; i < argc; i++) {
		if ((value = option_value("--mode", argc, argv, &i)))
			ret = parse_enum("--mode", value, mode_names,
					 ARRAY_SIZE(mode_names), &p->mode);
		else if ((value = option_value("--unknown", argc, argv, &i)))
			ret = parse_enum("--unknown", value, unknown_names,
					 ARRAY_SIZE(unknown_names), &p->unknown);
		else if ((value = option_value("--allow", argc, argv, &i)))
			ret = parse_allow(value, p);
		else if (!strcmp(argv[i], "--mode") || !strcmp(argv[i], "--allow") ||
			 !strcmp(argv[i], "--unknown")) {
			fprintf(stderr, "juris: option %s needs a value\n%s",
				argv[i], USAGE);
			return -EINVAL;
		} else {
			fprintf(stderr, "juris: unknown option: '%s'\n%s",
				argv[i], USAGE);
			return -EINVAL;
		}
		if (ret < 0)
			return ret;
	}
	if (p->mode < 0 && p->unknown < 0 && !p->has_allow) {
		fprintf(stderr, "juris: nothing to set: give --mode, --allow or --unknown\n%s",
			USAGE);
		return -EINVAL;
	}
	return 0;
}

static int send_policy(const struct policy *p)
{
	uint8_t allow[26 * 26][2];
	struct juris_nl nl;
	struct nl_msg *msg;
	int ret;

	ret = juris_nl_open(&nl);
	if (ret < 0)
		return ret;
	msg = juris_nl_msg(&nl, JURIS_CMD_SET_POLICY, 0,
			   2 * nla_total_size(1) +
			   nla_total_size(sizeof(allow)));
	ret = msg ? 0 : -ENOMEM;
	if (!ret && p->mode >= 0)
		ret = nla_put_u8(msg, JURIS_A_MODE, p->mode);
	if (!ret && p->unknown >= 0)
		ret = nla_put_u8(msg, JURIS_A_UNKNOWN, p->unknown);
	if (!ret && p->has_allow)
		ret = nla_put(msg, JURIS_A_ALLOW, allow_array(p, allow) * 2,
			      allow);
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
	struct policy p = { .mode = -1, .unknown = -1 };
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
	if (parse_args(argc, argv, &p) < 0)
		return 1;
	return send_policy(&p) < 0;
}
