// SPDX-License-Identifier: GPL-2.0
/*
 * The policy file: parse it (juris apply, juris policy set) and write it
 * (juris policy show). See pfile.h for the format.
 */
#define _GNU_SOURCE	/* asprintf */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "pfile.h"

static const char *const key_words[] = { "mode", "unknown", "action", "scope", "table",
					 "lock", "event-rate", "log", "allow or deny" };

static const char blanks[] = " \t\r";
static const char separators[] = " \t\r,";

/* The next item of a list of blanks or commas, or NULL past its end. */
static const char *next_item(const char **s, const char *end, size_t *len)
{
	const char *b = *s;

	while (b < end && strchr(separators, *b))
		b++;
	if (b == end)
		return NULL;
	*s = b;
	while (*s < end && !strchr(separators, **s))
		++*s;
	*len = *s - b;
	return b;
}

static bool word_is(const char *w, size_t len, const char *name)
{
	return len == strlen(name) && !strncmp(w, name, len);
}

static int word_index(const char *const words[], size_t n, const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (words[i] && word_is(w, len, words[i]))
			return i;
	return -1;
}

/* "expected off, audit or enforce" into why. */
static int bad_word(const char *what, const char *const words[], size_t n,
		    const char *w, size_t len, char *why, size_t size)
{
	size_t i, used;

	used = snprintf(why, size, "invalid %s: '%.*s' (expected", what, (int)len, w);
	for (i = 0; i < n && used < size; i++)
		used += snprintf(why + used, size - used, "%s %s",
				 i == 0 ? "" : i + 1 < n ? "," : " or", words[i]);
	if (used < size)
		snprintf(why + used, size - used, ")");
	return -EINVAL;
}

/* The one value of mode, unknown or action. */
static int one_word(const char *what, const char *const words[], size_t n,
		    const char *s, const char *end, int *out, char *why, size_t size)
{
	const char *w, *extra;
	size_t len, elen;
	int v;

	w = next_item(&s, end, &len);
	if (!w) {
		snprintf(why, size, "%s needs a value", what);
		return -EINVAL;
	}
	v = word_index(words, n, w, len);
	if (v < 0)
		return bad_word(what, words, n, w, len, why, size);
	extra = next_item(&s, end, &elen);
	if (extra) {
		snprintf(why, size, "%s takes one value: unexpected '%.*s'", what, (int)elen, extra);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_scope(const char *s, const char *end, int *out, char *why, size_t size)
{
	static const char *const words[] = { "local", "forward" };
	const char *w;
	size_t len;
	int v;

	*out = 0;
	while ((w = next_item(&s, end, &len))) {
		v = word_index(words, ARRAY_SIZE(words), w, len);
		if (v < 0)
			return bad_word("scope", words, ARRAY_SIZE(words), w, len, why, size);
		*out |= v ? JURIS_SCOPE_FORWARD : JURIS_SCOPE_LOCAL;
	}
	if (!*out) {
		snprintf(why, size, "scope needs local, forward or both");
		return -EINVAL;
	}
	return 0;
}

static int parse_countries(const char *s, const char *end, uint8_t *codes, size_t *n,
			   bool cc[26][26], char *why, size_t size)
{
	const char *w;
	uint8_t c[2];
	size_t len, i;

	while ((w = next_item(&s, end, &len))) {
		if (csv_parse_country(w, len, c) < 0) {
			snprintf(why, size, "invalid country code: '%.*s' (expected two letters, as in IN SG)",
				 (int)len, w);
			return -EINVAL;
		}
		if (cc) {
			cc[c[0] - 'A'][c[1] - 'A'] = true;
			continue;
		}
		for (i = 0; i < *n && memcmp(codes + 2 * i, c, 2); i++)
			;
		if (i == *n)
			memcpy(codes + 2 * (*n)++, c, 2);
	}
	return 0;
}

/* A decimal number from min to max, for what. */
static int parse_number(const char *what, const char *w, size_t len, long min, long max,
			long *out, char *why, size_t size)
{
	long v = 0;
	size_t i;

	for (i = 0; i < len && w[i] >= '0' && w[i] <= '9' && v <= max; i++)
		v = 10 * v + (w[i] - '0');
	if (!len || i < len || v < min || v > max) {
		snprintf(why, size, "invalid %s: '%.*s' (expected a number from %ld to %ld)",
			 what, (int)len, w, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* event-rate PER_SECOND [BURST]: the burst defaults to twice the rate. */
static int parse_event_rate(struct pfile *p, const char *s, const char *end, char *why,
			    size_t size)
{
	const char *w;
	size_t len;
	int ret;

	w = next_item(&s, end, &len);
	if (!w) {
		snprintf(why, size, "event-rate needs a rate: events a second, 0 for none");
		return -EINVAL;
	}
	ret = parse_number("event rate", w, len, 0, JURIS_MAX_EVENT_RATE, &p->event_rate, why,
			   size);
	if (ret < 0)
		return ret;
	w = next_item(&s, end, &len);
	if (!w) {
		p->event_burst = p->event_rate * 2;
		if (p->event_burst < 1)
			p->event_burst = 1;
		if (p->event_burst > JURIS_MAX_EVENT_BURST)
			p->event_burst = JURIS_MAX_EVENT_BURST;
		return 0;
	}
	ret = parse_number("event burst", w, len, 1, JURIS_MAX_EVENT_BURST, &p->event_burst,
			   why, size);
	if (ret < 0)
		return ret;
	w = next_item(&s, end, &len);
	if (w) {
		snprintf(why, size, "event-rate takes a rate and a burst: unexpected '%.*s'",
			 (int)len, w);
		return -EINVAL;
	}
	return 0;
}

/* NAT64 prefixes: the lengths RFC 6052 defines. */
static bool nat64_len(int len)
{
	return len == 32 || len == 40 || len == 48 || len == 56 || len == 64 || len == 96;
}

static int parse_prefixes(struct pfile *p, const char *what, int action,
			  const char *s, const char *end, char *why, size_t size)
{
	bool nat64 = !action;
	size_t max = nat64 ? JURIS_MAX_NAT64 : JURIS_MAX_PREFIXES;
	size_t *n = nat64 ? &p->nnat64 : &p->nprefix;
	struct pfile_prefix *x;
	const char *w;
	size_t len;
	int ret;

	if (nat64)
		p->has_nat64 = true;
	else
		p->has_prefixes = true;
	while ((w = next_item(&s, end, &len))) {
		if (*n == max) {
			snprintf(why, size, "more than %zu %s", max,
				 nat64 ? "NAT64 prefixes" : "prefix rules (exempt and block together)");
			return -E2BIG;
		}
		x = nat64 ? &p->nat64[*n] : &p->prefix[*n];
		ret = csv_parse_prefix(w, len, x->addr, &x->len);
		if (ret == -EDOM) {
			snprintf(why, size, "%s %.*s: the address has bits set past /%d",
				 what, (int)len, w, x->len);
			return ret;
		}
		if (ret < 0) {
			snprintf(why, size, "%s: invalid prefix: '%.*s' (expected ADDRESS/LENGTH, as in %s)",
				 what, (int)len, w,
				 nat64 ? "64:ff9b::/96" : "198.51.100.0/24 or 2001:db8::/32");
			return ret;
		}
		if (nat64 && (ret != 16 || !nat64_len(x->len))) {
			snprintf(why, size, "nat64 %.*s: a NAT64 prefix is IPv6, of length 32, 40, 48, 56, 64 or 96",
				 (int)len, w);
			return -EINVAL;
		}
		x->family = ret;
		x->action = action;
		++*n;
	}
	return 0;
}

/* "10123 allow IN SG", "0-9999 exempt", "10200-10299 block". */
static int parse_uid(struct pfile *p, const char *s, const char *end, char *why, size_t size)
{
	const char *w, *dash;
	struct pfile_uid *u;
	size_t len;

	p->has_uids = true;
	if (p->nuid == JURIS_MAX_UID_RULES) {
		snprintf(why, size, "more than %d UID rules", JURIS_MAX_UID_RULES);
		return -E2BIG;
	}
	u = &p->uid[p->nuid];
	w = next_item(&s, end, &len);
	if (!w) {
		snprintf(why, size, "uid needs a UID or a range and an action, as in uid 10123 allow IN");
		return -EINVAL;
	}
	dash = memchr(w, '-', len);
	if (csv_parse_uid(w, dash ? (size_t)(dash - w) : len, &u->first) ||
	    csv_parse_uid(dash ? dash + 1 : w, dash ? (size_t)(w + len - dash - 1) : len, &u->last)) {
		snprintf(why, size, "invalid UID or UID range: '%.*s' (expected as in 10123 or 10000-19999, at most 4294967294)",
			 (int)len, w);
		return -EINVAL;
	}
	if (u->last < u->first) {
		snprintf(why, size, "UID range '%.*s' ends before it starts", (int)len, w);
		return -EINVAL;
	}
	w = next_item(&s, end, &len);
	u->action = w ? word_index(uid_action_names, ARRAY_SIZE(uid_action_names), w, len) : -1;
	if (u->action < 0) {
		snprintf(why, size, "invalid UID action: '%.*s' (expected exempt, block, allow or deny)",
			 w ? (int)len : 0, w ?: "");
		return -EINVAL;
	}
	u->ncountries = 0;
	if (u->action <= JURIS_UID_BLOCK && (w = next_item(&s, end, &len))) {
		snprintf(why, size, "%s takes no countries: '%.*s'", uid_action_names[u->action],
			 (int)(end - w), w);
		return -EINVAL;
	}
	if (parse_countries(s, end, u->countries, &u->ncountries, NULL, why, size))
		return -EINVAL;
	p->nuid++;
	return 0;
}

static int parse_table(struct pfile *p, const char *s, const char *end, const char *dir,
		       char *why, size_t size)
{
	const char *w;
	size_t len;
	char **t;

	while ((w = next_item(&s, end, &len))) {
		t = realloc(p->table, (p->ntable + 1) * sizeof(*t));
		if (!t)
			goto nomem;
		p->table = t;
		if (*w == '/' || !strcmp(dir, "."))
			t[p->ntable] = strndup(w, len);
		else if (asprintf(&t[p->ntable], "%s/%.*s", dir, (int)len, w) < 0)
			t[p->ntable] = NULL;
		if (!t[p->ntable])
			goto nomem;
		p->ntable++;
	}
	if (!p->ntable) {
		snprintf(why, size, "table needs one or more files");
		return -EINVAL;
	}
	return 0;

nomem:
	snprintf(why, size, "out of memory");
	return -ENOMEM;
}

/* The first allow or deny sets the kind; more of the same add countries. */
static int parse_set(struct pfile *p, int kind, unsigned long line, const char *s,
		     const char *end, char *why, size_t size)
{
	if (p->set && p->set != kind) {
		snprintf(why, size, "allow and deny cannot go together: a policy approves the countries it lists, or all but them");
		return -EINVAL;
	}
	if (!p->set) {
		p->given |= 1U << PFILE_SET;
		p->line[PFILE_SET] = line;
	}
	p->set = kind;
	return parse_countries(s, end, NULL, NULL, p->cc, why, size);
}

void pfile_init(struct pfile *p)
{
	memset(p, 0, sizeof(*p));
	p->mode = p->unknown = p->action = p->scope = p->log = -1;
	p->event_rate = p->event_burst = -1;
}

void pfile_free(struct pfile *p)
{
	size_t i;

	for (i = 0; i < p->ntable; i++)
		free(p->table[i]);
	free(p->table);
	p->table = NULL;
	p->ntable = 0;
}

int pfile_directive(struct pfile *p, const char *text, size_t len, unsigned long line,
		    const char *dir, char *why, size_t size)
{
	static const char *const words[] = {
		[PFILE_MODE] = "mode", [PFILE_UNKNOWN] = "unknown", [PFILE_ACTION] = "action",
		[PFILE_SCOPE] = "scope", [PFILE_TABLE] = "table", [PFILE_LOCK] = "lock",
		[PFILE_EVENT_RATE] = "event-rate", [PFILE_LOG] = "log",
	};
	const char *end = text + len, *s = text, *w;
	size_t wlen;
	int key;

	w = next_item(&s, end, &wlen);
	if (!w) {
		snprintf(why, size, "empty directive");
		return -EINVAL;
	}
	key = word_index(words, PFILE_SET, w, wlen);
	if (key >= 0) {
		if (p->given & 1U << key) {
			if (p->line[key] && line)
				snprintf(why, size, "%s is given twice: first on line %lu",
					 key_words[key], p->line[key]);
			else
				snprintf(why, size, "%s is given twice", key_words[key]);
			return -EINVAL;
		}
		p->given |= 1U << key;
		p->line[key] = line;
	}
	switch (key) {
	case PFILE_MODE:
		return one_word("mode", mode_names, ARRAY_SIZE(mode_names), s, end, &p->mode,
				why, size);
	case PFILE_UNKNOWN:
		return one_word("unknown", unknown_names, ARRAY_SIZE(unknown_names), s, end,
				&p->unknown, why, size);
	case PFILE_ACTION:
		return one_word("action", action_names, ARRAY_SIZE(action_names), s, end,
				&p->action, why, size);
	case PFILE_SCOPE:
		return parse_scope(s, end, &p->scope, why, size);
	case PFILE_EVENT_RATE:
		return parse_event_rate(p, s, end, why, size);
	case PFILE_LOG:
		return one_word("log", log_names, ARRAY_SIZE(log_names), s, end, &p->log, why,
				size);
	case PFILE_LOCK:
		if (next_item(&s, end, &wlen)) {
			snprintf(why, size, "lock takes no value");
			return -EINVAL;
		}
		p->lock = true;
		return 0;
	case PFILE_TABLE:
		if (!dir) {
			snprintf(why, size, "table is for policy files: load one with juris table load");
			return -EINVAL;
		}
		return parse_table(p, s, end, dir, why, size);
	}
	if (word_is(w, wlen, "allow"))
		return parse_set(p, JURIS_A_ALLOW, line, s, end, why, size);
	if (word_is(w, wlen, "deny"))
		return parse_set(p, JURIS_A_DENY, line, s, end, why, size);
	if (word_is(w, wlen, "exempt"))
		return parse_prefixes(p, "exempt", JURIS_PREFIX_EXEMPT, s, end, why, size);
	if (word_is(w, wlen, "block"))
		return parse_prefixes(p, "block", JURIS_PREFIX_BLOCK, s, end, why, size);
	if (word_is(w, wlen, "nat64"))
		return parse_prefixes(p, "nat64", 0, s, end, why, size);
	if (word_is(w, wlen, "uid"))
		return parse_uid(p, s, end, why, size);
	snprintf(why, size, "unknown directive: '%.*s' (expected mode, allow, deny, unknown, action, scope, table, exempt, block, nat64, uid, event-rate, log or lock)",
		 (int)wlen, w);
	return -EINVAL;
}

int pfile_parse_buf(const char *path, const char *buf, size_t len, const char *dir,
		    struct pfile *p, struct parse_error *err)
{
	const char *line = buf, *end = buf + len, *eol, *e, *hash;
	int ret;

	err->path = path;
	err->line = 0;
	err->msg[0] = '\0';
	e = memchr(buf, '\0', len);
	if (e) {
		for (err->line = 1, hash = buf; hash < e; hash++)
			err->line += *hash == '\n';
		snprintf(err->msg, sizeof(err->msg), "a NUL byte: this is not a text file");
		return -EINVAL;
	}
	for (; line < end; line = eol + 1) {
		err->line++;
		eol = memchr(line, '\n', end - line) ?: end;
		/* A comment starts at a '#' that begins a word. */
		for (hash = line; hash < eol; hash++)
			if (*hash == '#' && (hash == line || strchr(blanks, hash[-1])))
				break;
		for (e = line; e < hash && strchr(blanks, *e); e++)
			;
		if (e == hash)
			continue;
		ret = pfile_directive(p, line, hash - line, err->line, dir, err->msg,
				      sizeof(err->msg));
		if (ret < 0)
			return ret;
	}
	err->line = 0;
	return 0;
}

int pfile_parse_file(const char *path, struct pfile *p, struct parse_error *err)
{
	const char *slash = strrchr(path, '/');
	char *buf, *dir;
	size_t len;
	int ret;

	ret = csv_read_file(path, &buf, &len, err);
	if (ret < 0)
		return ret;
	dir = !strcmp(path, "-") || !slash ? strdup(".") :
	      slash == path ? strdup("/") : strndup(path, slash - path);
	if (!dir) {
		free(buf);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -ENOMEM;
	}
	ret = pfile_parse_buf(err->path, buf, len, dir, p, err);
	free(dir);
	free(buf);
	return ret;
}

int pfile_complete(struct pfile *p, struct parse_error *err)
{
	if (p->mode < 0) {
		err->line = 0;
		snprintf(err->msg, sizeof(err->msg),
			 "no mode: a policy file says mode enforce, audit or off");
		return -EINVAL;
	}
	if (p->unknown < 0)
		p->unknown = JURIS_UNKNOWN_ALLOW;
	if (p->action < 0)
		p->action = JURIS_ACTION_DROP;
	if (p->scope < 0)
		p->scope = JURIS_SCOPE_LOCAL | JURIS_SCOPE_FORWARD;
	if (p->event_rate < 0) {
		p->event_rate = JURIS_DEFAULT_EVENT_RATE;
		p->event_burst = JURIS_DEFAULT_EVENT_BURST;
	}
	if (p->log < 0)
		p->log = JURIS_LOG_OFF;
	if (!p->set)
		p->set = JURIS_A_ALLOW;
	p->has_prefixes = p->has_uids = p->has_nat64 = true;
	return 0;
}

static void write_prefix(FILE *f, const char *what, const struct pfile_prefix *x)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(x->family == 4 ? AF_INET : AF_INET6, x->addr, a, sizeof(a)))
		strcpy(a, "?");
	fprintf(f, "%s %s/%d\n", what, a, x->len);
}

void pfile_write(FILE *f, const struct pfile *p, unsigned long first_line,
		 struct pfile_lines *lines)
{
	unsigned long line = first_line;
	struct pfile_lines at = { 0 };
	size_t i, j;
	int a, b;

	if (p->mode >= 0 && ++line)
		fprintf(f, "mode %s\n", mode_names[p->mode]);
	if (p->set) {
		at.set = ++line;
		fprintf(f, "%s", p->set == JURIS_A_DENY ? "deny" : "allow");
		for (a = 0; a < 26; a++)
			for (b = 0; b < 26; b++)
				if (p->cc[a][b])
					fprintf(f, " %c%c", 'A' + a, 'A' + b);
		fprintf(f, "\n");
	}
	if (p->unknown >= 0) {
		at.unknown = ++line;
		fprintf(f, "unknown %s\n", unknown_names[p->unknown]);
	}
	if (p->action >= 0 && ++line)
		fprintf(f, "action %s\n", action_names[p->action]);
	if (p->scope > 0 && ++line)
		fprintf(f, "scope%s%s\n", p->scope & JURIS_SCOPE_LOCAL ? " local" : "",
			p->scope & JURIS_SCOPE_FORWARD ? " forward" : "");
	if (p->event_rate >= 0 && ++line)
		fprintf(f, "event-rate %ld %ld\n", p->event_rate, p->event_burst);
	if (p->log >= 0 && ++line)
		fprintf(f, "log %s\n", log_names[p->log]);
	at.nat64 = line + 1;
	for (i = 0; i < p->nnat64; i++, line++)
		write_prefix(f, "nat64", &p->nat64[i]);
	at.prefix = line + 1;
	for (i = 0; i < p->nprefix; i++, line++)
		write_prefix(f, p->prefix[i].action == JURIS_PREFIX_BLOCK ? "block" : "exempt",
			     &p->prefix[i]);
	at.uid = line + 1;
	for (i = 0; i < p->nuid; i++, line++) {
		const struct pfile_uid *u = &p->uid[i];

		if (u->first == u->last)
			fprintf(f, "uid %u %s", u->first, uid_action_names[u->action]);
		else
			fprintf(f, "uid %u-%u %s", u->first, u->last, uid_action_names[u->action]);
		for (j = 0; j < u->ncountries; j++)
			fprintf(f, " %c%c", u->countries[2 * j], u->countries[2 * j + 1]);
		fprintf(f, "\n");
	}
	if (p->lock)
		fprintf(f, "lock\n");
	if (lines)
		*lines = at;
}
