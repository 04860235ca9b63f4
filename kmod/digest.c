// SPDX-License-Identifier: GPL-2.0
/*
 * The digest of the active table and policy: SHA-256 over their canonical
 * forms (juris_table_canon(), juris_policy_canon(); uapi/juris.h says them
 * byte for byte), so that juris digest can compute the same value from a
 * policy file without the module. crypto_shash is on Android's KMI lists;
 * the library sha256_update() is not.
 */

#include <crypto/hash.h>
#include <linux/sched.h>

#include "digest.h"
#include "policy.h"
#include "table.h"

static struct crypto_shash *sha256;

int juris_digest_init(void)
{
	sha256 = crypto_alloc_shash("sha256", 0, 0);
	if (IS_ERR(sha256)) {
		pr_err("no sha256 in the kernel's crypto API: %ld\n", PTR_ERR(sha256));
		return PTR_ERR(sha256);
	}
	return 0;
}

void juris_digest_exit(void)
{
	crypto_free_shash(sha256);
}

/* The canonical bytes, gathered into blocks for the hash. */
struct sink {
	struct shash_desc *desc;
	int err;
	u32 n, blocks;
	u8 buf[256];
};

static void flush(struct sink *s)
{
	if (!s->err && s->n)
		s->err = crypto_shash_update(s->desc, s->buf, s->n);
	s->n = 0;
	/* A world table is megabytes: let others run now and then. */
	if (!(++s->blocks % 256))
		cond_resched();
}

static void emit(void *ctx, const void *data, size_t len)
{
	struct sink *s = ctx;
	size_t take;

	while (len) {
		take = min(len, sizeof(s->buf) - s->n);
		memcpy(s->buf + s->n, data, take);
		s->n += take;
		data += take;
		len -= take;
		if (s->n == sizeof(s->buf))
			flush(s);
	}
}

static int digest(const struct juris_table *t, const struct juris_policy *p, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, sha256);
	struct sink s = { .desc = desc };

	desc->tfm = sha256;
	s.err = crypto_shash_init(desc);
	if (t)
		juris_table_canon(t, emit, &s);
	else
		juris_policy_canon(p, p->table ? p->table->digest : NULL, emit, &s);
	flush(&s);
	if (!s.err)
		s.err = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return s.err;
}

int juris_digest_table(struct juris_table *t)
{
	return digest(t, NULL, t->digest);
}

int juris_digest_policy(struct juris_policy *p)
{
	return digest(NULL, p, p->digest);
}
