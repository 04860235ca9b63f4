// SPDX-License-Identifier: GPL-2.0
/*
 * juris policy set [--mode M] [--allow CC,... | --deny CC,...] [--unknown V] ...
 * juris policy show
 *
 * Each option of set is a directive of the policy file (pfile.h), parsed by
 * the same code. Only the options given are sent: the kernel keeps the rest.
 * The prefix options, together, replace the prefix rules whole; the --uid
 * options, in their order, the UID rules; the --nat64 ones the NAT64
 * prefixes. show prints the active policy in the file's format.
 */
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "policy.h"
#include "subcommands.h"

#define USAGE \
	"Usage: juris policy set [--mode off|audit|enforce] [--allow CC,CC,... | --deny CC,CC,...]\n" \
	"                        [--unknown allow|deny] [--action drop|reject] [--scope local,forward]\n" \
	"                        [--exempt PREFIX,...] [--block PREFIX,...] [--clear-prefixes]\n" \
	"                        [--uid 'UID[-UID] exempt|block|allow CC,...|deny CC,...']... [--clear-uids]\n" \
	"                        [--nat64 PREFIX,...] [--clear-nat64]\n" \
	"                        [--event-rate PER_SECOND[,BURST]] [--log kernel|off]\n" \
	"       juris policy show\n"

/* The options of set, each the directive of the same name. */
static const char *const directives[] = {
	"mode", "allow", "deny", "unknown", "action", "scope", "exempt", "block", "uid", "nat64",
	"event-rate", "log",
};

size_t policy_msg_size(const struct pfile *p)
{
	return 5 * nla_total_size(1) + 2 * nla_total_size(4) + nla_total_size(0) +
	       nla_total_size(2 * 26 * 26) +
	       nla_total_size(0) + p->nprefix * (2 * NLA_HDRLEN + nla_total_size(16) +
						 2 * nla_total_size(1)) +
	       nla_total_size(0) + p->nnat64 * (2 * NLA_HDRLEN + nla_total_size(16) +
						nla_total_size(1)) +
	       nla_total_size(0) + p->nuid * (2 * NLA_HDRLEN + 2 * nla_total_size(4) +
					      nla_total_size(1) + nla_total_size(2 * 676));
}

/* nla_nest_end() drops an empty nest, but an empty one clears the rules. */
static int put_empty_nest(struct nl_msg *msg, int type)
{
	return nla_put(msg, type | NLA_F_NESTED, 0, NULL) < 0 ? -ENOMEM : 0;
}

static int put_prefixes(struct nl_msg *msg, int type, const struct pfile_prefix *x, size_t n)
{
	struct nlattr *outer, *inner;
	size_t i;

	if (!n)
		return put_empty_nest(msg, type);
	outer = nla_nest_start(msg, type);
	if (!outer)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		inner = nla_nest_start(msg, i + 1);
		if (!inner || nla_put(msg, JURIS_PREFIX_A_ADDR, x[i].family, x[i].addr) < 0 ||
		    nla_put_u8(msg, JURIS_PREFIX_A_LEN, x[i].len) < 0 ||
		    (x[i].action && nla_put_u8(msg, JURIS_PREFIX_A_ACTION, x[i].action) < 0))
			return -ENOMEM;
		nla_nest_end(msg, inner);
	}
	nla_nest_end(msg, outer);
	return 0;
}

static int put_uids(struct nl_msg *msg, const struct pfile *p)
{
	struct nlattr *outer, *inner;
	size_t i, bytes = NLA_HDRLEN;

	for (i = 0; i < p->nuid; i++)
		bytes += 2 * NLA_HDRLEN + 2 * nla_total_size(4) + nla_total_size(1) +
			 nla_total_size(2 * p->uid[i].ncountries);
	if (bytes > UINT16_MAX) {
		fprintf(stderr, "juris: the UID rules take %zu bytes, more than one netlink attribute holds (65535): list fewer countries\n",
			bytes);
		return -E2BIG;
	}
	if (!p->nuid)
		return put_empty_nest(msg, JURIS_A_UIDS);
	outer = nla_nest_start(msg, JURIS_A_UIDS);
	if (!outer)
		return -ENOMEM;
	for (i = 0; i < p->nuid; i++) {
		const struct pfile_uid *u = &p->uid[i];

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

int policy_put(struct nl_msg *msg, const struct pfile *p)
{
	uint8_t set[26 * 26][2];
	size_t n = 0;
	int a, b, ret = 0;

	for (a = 0; a < 26; a++) {
		for (b = 0; b < 26; b++) {
			if (!p->cc[a][b])
				continue;
			set[n][0] = 'A' + a;
			set[n++][1] = 'A' + b;
		}
	}
	if (p->mode >= 0 && nla_put_u8(msg, JURIS_A_MODE, p->mode) < 0)
		return -ENOMEM;
	if (p->unknown >= 0 && nla_put_u8(msg, JURIS_A_UNKNOWN, p->unknown) < 0)
		return -ENOMEM;
	if (p->action >= 0 && nla_put_u8(msg, JURIS_A_ACTION, p->action) < 0)
		return -ENOMEM;
	if (p->scope >= 0 && nla_put_u8(msg, JURIS_A_SCOPE, p->scope) < 0)
		return -ENOMEM;
	if (p->set && nla_put(msg, p->set, 2 * n, set) < 0)
		return -ENOMEM;
	if (p->event_rate >= 0 && (nla_put_u32(msg, JURIS_A_EVENT_RATE, p->event_rate) < 0 ||
				   nla_put_u32(msg, JURIS_A_EVENT_BURST, p->event_burst) < 0))
		return -ENOMEM;
	if (p->log >= 0 && nla_put_u8(msg, JURIS_A_LOG, p->log) < 0)
		return -ENOMEM;
	if (p->has_prefixes)
		ret = put_prefixes(msg, JURIS_A_PREFIXES, p->prefix, p->nprefix);
	if (!ret && p->has_nat64)
		ret = put_prefixes(msg, JURIS_A_NAT64, p->nat64, p->nnat64);
	if (!ret && p->has_uids)
		ret = put_uids(msg, p);
	/* Last: the kernel locks once the rest is published. */
	if (!ret && p->lock && nla_put_flag(msg, JURIS_A_LOCK) < 0)
		ret = -ENOMEM;
	return ret;
}

/* Each nest entry of a prefix kind into x; false when malformed. */
static bool get_prefixes(const struct nlattr *attr, struct pfile_prefix *x, size_t max,
			 size_t *n)
{
	struct nlattr *tb[JURIS_PREFIX_A_MAX + 1], *entry;
	int rem, len;

	*n = 0;
	if (!attr)
		return true;
	nla_for_each_nested(entry, attr, rem) {
		if (*n == max || nla_parse_nested(tb, JURIS_PREFIX_A_MAX, entry, NULL) < 0 ||
		    !tb[JURIS_PREFIX_A_ADDR] || !tb[JURIS_PREFIX_A_LEN])
			return false;
		len = nla_len(tb[JURIS_PREFIX_A_ADDR]);
		if (len != 4 && len != 16)
			return false;
		memcpy(x[*n].addr, nla_data(tb[JURIS_PREFIX_A_ADDR]), len);
		x[*n].family = len;
		x[*n].len = nla_get_u8(tb[JURIS_PREFIX_A_LEN]);
		x[*n].action = tb[JURIS_PREFIX_A_ACTION] ?
			       nla_get_u8(tb[JURIS_PREFIX_A_ACTION]) : 0;
		++*n;
	}
	return true;
}

static bool get_uids(const struct nlattr *attr, struct pfile *p)
{
	struct nlattr *tb[JURIS_UID_A_MAX + 1], *entry;
	struct pfile_uid *u;
	int rem;

	if (!attr)
		return true;
	nla_for_each_nested(entry, attr, rem) {
		if (p->nuid == JURIS_MAX_UID_RULES ||
		    nla_parse_nested(tb, JURIS_UID_A_MAX, entry, NULL) < 0 ||
		    !tb[JURIS_UID_A_FIRST] || !tb[JURIS_UID_A_ACTION])
			return false;
		u = &p->uid[p->nuid++];
		u->first = nla_get_u32(tb[JURIS_UID_A_FIRST]);
		u->last = tb[JURIS_UID_A_LAST] ? nla_get_u32(tb[JURIS_UID_A_LAST]) : u->first;
		u->action = nla_get_u8(tb[JURIS_UID_A_ACTION]);
		if (u->action < JURIS_UID_EXEMPT || u->action > JURIS_UID_MAX)
			return false;
		u->ncountries = 0;
		if (tb[JURIS_UID_A_COUNTRIES]) {
			size_t len = nla_len(tb[JURIS_UID_A_COUNTRIES]);

			if (len > sizeof(u->countries))
				return false;
			memcpy(u->countries, nla_data(tb[JURIS_UID_A_COUNTRIES]), len);
			u->ncountries = len / 2;
		}
	}
	return true;
}

struct fetch {
	struct pfile *p;
	struct table_info *t;
	bool *initial;
};

static int on_status(struct nlattr *tb[], void *arg)
{
	const struct fetch *f = arg;
	struct pfile *p = f->p;
	const struct nlattr *set = tb[JURIS_A_ALLOW] ?: tb[JURIS_A_DENY];

	if (!tb[JURIS_A_MODE] || !tb[JURIS_A_UNKNOWN] || !tb[JURIS_A_ACTION] ||
	    !tb[JURIS_A_SCOPE] || !set || !tb[JURIS_A_EVENT_RATE] || !tb[JURIS_A_EVENT_BURST] ||
	    !tb[JURIS_A_LOG])
		return -EBADMSG;
	p->event_rate = nla_get_u32(tb[JURIS_A_EVENT_RATE]);
	p->event_burst = nla_get_u32(tb[JURIS_A_EVENT_BURST]);
	p->log = nla_get_u8(tb[JURIS_A_LOG]);
	if (p->log > JURIS_LOG_MAX)
		return -EBADMSG;
	p->mode = nla_get_u8(tb[JURIS_A_MODE]);
	p->unknown = nla_get_u8(tb[JURIS_A_UNKNOWN]);
	p->action = nla_get_u8(tb[JURIS_A_ACTION]);
	p->scope = nla_get_u8(tb[JURIS_A_SCOPE]);
	if (p->mode > JURIS_MODE_MAX || p->unknown > JURIS_UNKNOWN_MAX ||
	    p->action > JURIS_ACTION_MAX || !p->scope || p->scope > (int)JURIS_SCOPE_MASK)
		return -EBADMSG;
	p->set = tb[JURIS_A_ALLOW] ? JURIS_A_ALLOW : JURIS_A_DENY;
	for (int i = 0; i + 1 < nla_len(set); i += 2) {
		const uint8_t *cc = (const uint8_t *)nla_data(set) + i;

		if (cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z')
			return -EBADMSG;
		p->cc[cc[0] - 'A'][cc[1] - 'A'] = true;
	}
	p->has_prefixes = p->has_uids = p->has_nat64 = true;
	if (!get_prefixes(tb[JURIS_A_PREFIXES], p->prefix, JURIS_MAX_PREFIXES, &p->nprefix) ||
	    !get_prefixes(tb[JURIS_A_NAT64], p->nat64, JURIS_MAX_NAT64, &p->nnat64) ||
	    !get_uids(tb[JURIS_A_UIDS], p))
		return -EBADMSG;
	p->lock = tb[JURIS_A_LOCK];
	if (f->initial)
		*f->initial = tb[JURIS_A_INITIAL];
	if (f->t) {
		struct table_info *t = f->t;

		t->loaded = tb[JURIS_A_TABLE_GEN];
		if (t->loaded) {
			t->generation = nla_get_u64(tb[JURIS_A_TABLE_GEN]);
			t->ranges[0] = tb[JURIS_A_TABLE_V4] ? nla_get_u32(tb[JURIS_A_TABLE_V4]) : 0;
			t->ranges[1] = tb[JURIS_A_TABLE_V6] ? nla_get_u32(tb[JURIS_A_TABLE_V6]) : 0;
			t->segments[0] = tb[JURIS_A_SEGMENTS_V4] ?
					 nla_get_u32(tb[JURIS_A_SEGMENTS_V4]) : 0;
			t->segments[1] = tb[JURIS_A_SEGMENTS_V6] ?
					 nla_get_u32(tb[JURIS_A_SEGMENTS_V6]) : 0;
			t->bytes = tb[JURIS_A_TABLE_BYTES] ? nla_get_u64(tb[JURIS_A_TABLE_BYTES]) : 0;
		}
	}
	return 0;
}

int policy_fetch(struct juris_nl *nl, struct pfile *p, struct table_info *t, bool *initial)
{
	struct fetch f = { .p = p, .t = t, .initial = initial };
	struct nl_msg *msg;
	int ret;

	msg = juris_nl_msg(nl, JURIS_CMD_GET_STATUS, 0, 0);
	ret = msg ? juris_nl_request(nl, msg, on_status, &f) : -ENOMEM;
	if (ret < 0 && !nl->quiet)
		fprintf(stderr, "juris: cannot read the policy: %s\n", juris_strerror(ret));
	return ret;
}

void policy_show(FILE *f, const struct pfile *p, const struct table_info *t, bool initial,
		 struct pfile_lines *lines)
{
	char size[32];
	unsigned long header = 2;

	fprintf(f, "# juris policy show: the active policy of this network namespace\n");
	if (t->loaded) {
		fmt_size(t->bytes, size, sizeof(size));
		fprintf(f, "# table: generation %" PRIu64 ", %" PRIu32 " IPv4 + %" PRIu32 " IPv6 ranges, %" PRIu32 " + %" PRIu32 " segments, %s\n",
			t->generation, t->ranges[0], t->ranges[1], t->segments[0],
			t->segments[1], size);
	} else {
		fprintf(f, "# table: none loaded\n");
	}
	if (initial) {
		fprintf(f, "# initial: the fail_closed policy, no policy set since the namespace began\n");
		header++;
	}
	pfile_write(f, p, header, lines);
}

static int show(void)
{
	struct pfile *p = malloc(sizeof(*p));
	struct table_info t = { 0 };
	struct juris_nl nl;
	bool initial;
	int ret;

	if (!p)
		return -ENOMEM;
	pfile_init(p);
	ret = juris_nl_open(&nl);
	if (!ret) {
		ret = policy_fetch(&nl, p, &t, &initial);
		juris_nl_close(&nl);
	}
	if (!ret)
		policy_show(stdout, p, &t, initial, NULL);
	free(p);
	return ret;
}

/* Accepts "--name value" and "--name=value"; returns the value or NULL. */
static const char *option_value(const char *name, int argc, const char *argv[], int *i)
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

static int parse_args(int argc, const char *argv[], struct pfile *p)
{
	char option[32], why[512], *text;
	const char *value;
	size_t k;
	int i, ret;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--clear-prefixes")) {
			p->has_prefixes = true;
			continue;
		}
		if (!strcmp(argv[i], "--clear-uids")) {
			p->has_uids = true;
			continue;
		}
		if (!strcmp(argv[i], "--clear-nat64")) {
			p->has_nat64 = true;
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(directives); k++) {
			snprintf(option, sizeof(option), "--%s", directives[k]);
			value = option_value(option, argc, argv, &i);
			if (value)
				break;
			if (!strcmp(argv[i], option)) {
				fprintf(stderr, "juris: option %s needs a value\n%s", option, USAGE);
				return -EINVAL;
			}
		}
		if (k == ARRAY_SIZE(directives)) {
			fprintf(stderr, "juris: unknown option: '%s'\n%s", argv[i], USAGE);
			return -EINVAL;
		}
		/* "--allow IN,SG" is the directive "allow IN,SG". */
		if (asprintf(&text, "%s %s", directives[k], value) < 0)
			return -ENOMEM;
		ret = pfile_directive(p, text, strlen(text), 0, NULL, why, sizeof(why));
		free(text);
		if (ret < 0) {
			fprintf(stderr, "juris: %s: %s\n", option, why);
			return ret;
		}
	}
	if (p->mode < 0 && p->unknown < 0 && p->action < 0 && p->scope < 0 && !p->set &&
	    p->event_rate < 0 && p->log < 0 &&
	    !p->has_prefixes && !p->has_uids && !p->has_nat64) {
		fprintf(stderr, "juris: nothing to set: give one or more options\n%s", USAGE);
		return -EINVAL;
	}
	return 0;
}

static int send_policy(const struct pfile *p)
{
	struct juris_nl nl;
	struct nl_msg *msg;
	int ret;

	ret = juris_nl_open(&nl);
	if (ret < 0)
		return ret;
	msg = juris_nl_msg(&nl, JURIS_CMD_SET_POLICY, 0, policy_msg_size(p));
	ret = msg ? policy_put(msg, p) : -ENOMEM;
	if (ret < 0) {
		nlmsg_free(msg);
		if (ret != -E2BIG)
			fprintf(stderr, "juris: cannot set the policy: %s\n", juris_strerror(ret));
	} else {
		ret = juris_nl_request(&nl, msg, NULL, NULL);
		if (ret < 0)
			fprintf(stderr, "juris: cannot set the policy: %s\n", juris_strerror(ret));
	}
	juris_nl_close(&nl);
	return ret;
}

/* juris lock: SET_POLICY with the lock alone. */
int lock_main(int argc, const char *argv[])
{
	struct pfile *p;
	int ret;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs("Usage: juris lock\n", stdout);
		return 0;
	}
	if (argc != 1) {
		fputs("Usage: juris lock\n", stderr);
		return 1;
	}
	p = malloc(sizeof(*p));
	if (!p)
		return 1;
	pfile_init(p);
	p->lock = true;
	ret = send_policy(p);
	free(p);
	if (!ret)
		printf("locked: the table and policy of this network namespace cannot change until it ends (the initial one: until reboot)\n");
	return ret < 0;
}

int policy_main(int argc, const char *argv[])
{
	struct pfile *p;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(USAGE, stdout);
			return 0;
		}
	}
	if (argc == 2 && !strcmp(argv[1], "show"))
		return show() < 0;
	if (argc < 2 || strcmp(argv[1], "set")) {
		fputs(USAGE, stderr);
		return 1;
	}
	p = malloc(sizeof(*p));
	if (!p)
		return 1;
	pfile_init(p);
	ret = parse_args(argc, argv, p);
	if (!ret)
		ret = send_policy(p);
	free(p);
	return ret < 0;
}
