// SPDX-License-Identifier: GPL-2.0
/*
 * juris digest FILE
 *
 * The digest a device shows in juris status once FILE is applied, computed
 * here without the module: the kernel's own table and policy code (built
 * into this program) turns the file and the tables it names into the table
 * and the policy the kernel would hold, and their canonical forms
 * (uapi/juris.h, "Digest") are hashed with SHA-256. A file without a table
 * line describes a device with no table loaded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jtab.h"
#include "policy.h"
#include "sha256.h"
#include "subcommands.h"
#include "table.h"
/* The kernel's; table.h above is the CLI's. */
#include "../kmod/policy.h"

#define USAGE "Usage: juris digest FILE   (- reads standard input)\n"

static void to_sha256(void *ctx, const void *data, size_t len)
{
	sha256_update(ctx, data, len);
}

static juris_u128 addr_of(const uint8_t *a, int len)
{
	juris_u128 v = 0;
	int i;

	for (i = 0; i < len; i++)
		v = v << 8 | a[i];
	return v;
}

static void set_of(u64 *set, const uint8_t *codes, size_t n)
{
	uint16_t cc;
	size_t i;

	for (i = 0; i < n; i++) {
		cc = juris_cc_index(codes + 2 * i);
		set[cc / 64] |= 1ULL << (cc % 64);
	}
}

/* The policy the kernel would hold after juris apply of @f. */
static struct juris_policy *policy_of(const struct pfile *f)
{
	struct juris_prefix_rule *prefix = calloc(f->nprefix + 1, sizeof(*prefix));
	struct juris_uid_rule *uid = calloc(f->nuid + 1, sizeof(*uid));
	struct juris_rules rules = { .prefix = prefix, .nprefix = f->nprefix,
				     .uid = uid, .nuid = f->nuid };
	struct juris_policy *p = NULL;
	juris_u128 a;
	size_t i;
	int x, y;

	if (!prefix || !uid)
		goto out;
	for (i = 0; i < f->nprefix; i++) {
		a = addr_of(f->prefix[i].addr, f->prefix[i].family);
		prefix[i].hi = a >> 64;
		prefix[i].lo = (uint64_t)a;
		prefix[i].bits = 8 * f->prefix[i].family;
		prefix[i].len = f->prefix[i].len;
		prefix[i].action = f->prefix[i].action;
	}
	for (i = 0; i < f->nuid; i++) {
		uid[i].first = f->uid[i].first;
		uid[i].last = f->uid[i].last;
		uid[i].action = f->uid[i].action;
		set_of(uid[i].set, f->uid[i].countries, f->uid[i].ncountries);
	}
	/* Sorted and without duplicates, as the kernel keeps them. */
	p = juris_policy_new(NULL, &rules);
	if (!p)
		goto out;
	p->mode = f->mode;
	p->unknown = f->unknown;
	p->action = f->action;
	p->scope = f->scope;
	p->log = f->log;
	p->event_rate = f->event_rate;
	p->event_burst = f->event_burst;
	p->deny = f->set == JURIS_A_DENY;
	for (x = 0; x < 26; x++)
		for (y = 0; y < 26; y++)
			if (f->cc[x][y])
				juris_policy_list(p, 1 + 26 * x + y);
	p->nnat64 = f->nnat64;
	for (i = 0; i < f->nnat64; i++) {
		p->nat64[i] = addr_of(f->nat64[i].addr, 16);
		p->nat64_len[i] = f->nat64[i].len;
	}
out:
	free(prefix);
	free(uid);
	return p;
}

/* The table's digest, built as the kernel builds what juris apply sends. */
static int table_digest(const struct range_set *set, uint8_t out[SHA256_BYTES])
{
	struct juris_range *r4 = range_set_rows(set, 4), *r6 = range_set_rows(set, 16);
	struct juris_overlay over[2];
	struct juris_table *t = NULL;
	struct sha256 s;

	if (r4 && r6) {
		juris_special_overlay(over);
		t = juris_table_build(r4, set->n4, r6, set->n6, over);
	}
	free(r4);
	free(r6);
	if (!t)
		return -ENOMEM;
	sha256_init(&s);
	juris_table_canon(t, to_sha256, &s);
	sha256_final(&s, out);
	juris_table_free(t);
	return 0;
}

/* Whether the last file digest_file() read named a table. */
static bool has_table;

static int digest_file(const char *path, uint8_t out[SHA256_BYTES])
{
	uint8_t table[SHA256_BYTES];
	struct juris_policy *kp = NULL;
	struct range_set set;
	struct pfile *p;
	struct sha256 s;
	int ret;

	p = malloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	pfile_init(p);
	range_set_init(&set);
	ret = policy_file_read(path, p, &set);
	has_table = p->ntable;
	if (!ret && p->ntable)
		ret = table_digest(&set, table);
	if (!ret) {
		kp = policy_of(p);
		ret = kp ? 0 : -ENOMEM;
	}
	if (!ret) {
		sha256_init(&s);
		juris_policy_canon(kp, p->ntable ? table : NULL, to_sha256, &s);
		sha256_final(&s, out);
	}
	if (ret == -ENOMEM)
		fprintf(stderr, "juris: out of memory\n");
	free(kp);
	range_set_free(&set);
	pfile_free(p);
	free(p);
	return ret;
}

int digest_main(int argc, const char *argv[])
{
	uint8_t d[SHA256_BYTES];
	int i;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(USAGE, stdout);
		return 0;
	}
	if (argc != 2) {
		fputs(USAGE, stderr);
		return 1;
	}
	if (digest_file(argv[1], d) < 0)
		return 1;
	if (!has_table)
		fprintf(stderr, "juris: %s has no table line: this is the digest of a device with no table loaded\n",
			argv[1]);
	for (i = 0; i < SHA256_BYTES; i++)
		printf("%02x", d[i]);
	printf("\n");
	return 0;
}
