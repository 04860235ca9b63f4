/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A policy (struct pfile) to and from the kernel: what juris policy set,
 * policy show, apply and lookup share.
 */
#ifndef POLICY_H
#define POLICY_H

#include "netlink.h"
#include "pfile.h"

/* The table a status reply describes, for policy show's comment. */
struct table_info {
	bool loaded;
	uint64_t generation, bytes;
	uint32_t ranges[2], segments[2];
};

/* Room the attributes of @p take in a message. */
size_t policy_msg_size(const struct pfile *p);
/* The attributes of what @p gives (SET_POLICY's, or COMMIT's for apply). */
int policy_put(struct nl_msg *msg, const struct pfile *p);
/*
 * The active policy into @p (pfile_init()ed), from a status reply; @t and
 * @initial, if not NULL, get the table and whether the namespace still holds
 * the fail_closed initial policy. Returns 0 or -errno, with its own message.
 */
int policy_fetch(struct juris_nl *nl, struct pfile *p, struct table_info *t, bool *initial);

/* What juris policy show prints: the policy, the table as a comment. */
void policy_show(FILE *f, const struct pfile *p, const struct table_info *t, bool initial,
		 struct pfile_lines *lines);

#endif /* POLICY_H */
