/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JURIS_DIGEST_H
#define _JURIS_DIGEST_H

struct juris_policy;
struct juris_table;

/* The kernel's SHA-256, through the crypto API GKI exports to modules. */
int juris_digest_init(void);
void juris_digest_exit(void);

/* t->digest; may sleep (a world table is megabytes). */
int juris_digest_table(struct juris_table *t);
/* p->digest, with its table's; may sleep. */
int juris_digest_policy(struct juris_policy *p);

#endif /* _JURIS_DIGEST_H */
