/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The deliberately naive reference for the table core, shared by the host
 * test and the fuzz harness: scan every input row for the smallest one
 * covering the address, the later row winning a tie. Too slow for the
 * kernel, too simple to be wrong in the same way as the sweep in table.c.
 */
#ifndef _JURIS_TEST_NAIVE_H
#define _JURIS_TEST_NAIVE_H

#include "../../kmod/table.h"

static inline u16 naive_lookup(const struct juris_range *r, u32 n, juris_u128 a)
{
	const struct juris_range *best = NULL;
	u32 i;

	for (i = 0; i < n; ++i) {
		juris_u128 size;

		if (a < r[i].start || a > r[i].end)
			continue;
		size = r[i].end - r[i].start;
		if (!best || size < best->end - best->start ||
		    (size == best->end - best->start && r[i].seq > best->seq))
			best = &r[i];
	}
	return best ? best->cc : JURIS_CC_UNKNOWN;
}

#endif /* _JURIS_TEST_NAIVE_H */
