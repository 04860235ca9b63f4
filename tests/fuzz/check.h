/* SPDX-License-Identifier: GPL-2.0 */
/* What the fuzz harnesses check beyond the sanitizers: a failure aborts. */
#ifndef JURIS_FUZZ_CHECK_H
#define JURIS_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

#endif /* JURIS_FUZZ_CHECK_H */
