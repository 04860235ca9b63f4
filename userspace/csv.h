/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parser for IP-to-country tables: CSV rows "start,end,cc".
 *
 * Kept free of libnl so the host test can link it alone. Ranges are stored
 * in the wire layout of the uapi header, so a chunk of the arrays is sent to
 * the kernel as it is.
 */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>
#include <stdint.h>

/* By path, so a test build needs no -I for the uapi directory. */
#include "../kmod/uapi/juris.h"

struct range_set {
	struct juris_range4 *v4;
	struct juris_range6 *v6;
	size_t n4, n6;
	size_t cap4, cap6;
};

struct parse_error {
	const char *path;
	unsigned long line;	/* 0: the file itself could not be read */
	char msg[256];		/* "what is wrong: 'offending text'" */
};

void range_set_init(struct range_set *set);
void range_set_free(struct range_set *set);

/*
 * Appends every row of the file to @set, in file order. On failure returns
 * -errno and fills @err; rows before the bad one stay in @set.
 */
int csv_parse_file(const char *path, struct range_set *set,
		   struct parse_error *err);
int csv_parse_buf(const char *path, const char *buf, size_t len,
		  struct range_set *set, struct parse_error *err);
/* The whole file (or standard input for "-") into a malloc'ed buffer. */
int csv_read_file(const char *path, char **buf, size_t *len,
		  struct parse_error *err);
/* One row of @len-byte addresses; fails past JURIS_MAX_RANGES. */
int range_set_add(struct range_set *set, int len, const uint8_t *start,
		  const uint8_t *end, const uint8_t *cc, struct parse_error *err);

/*
 * Shared with the command line, so an address or country is accepted the
 * same way in a file and in argv. @len is the text's length (no NUL needed).
 * csv_parse_addr returns 4 or 16 (the address length) or -EINVAL.
 */
int csv_parse_addr(const char *text, size_t len, uint8_t addr[16]);
/*
 * ADDR/LEN, or ADDR alone for one address: returns 4 or 16 (the address's
 * bytes, in addr) and the length in *plen; -EINVAL when malformed, -EDOM
 * when the address has bits set past the length.
 */
int csv_parse_prefix(const char *text, size_t len, uint8_t addr[16], int *plen);
/* A UID: decimal digits only, at most 4294967294 ((uid_t)-1 is no UID). */
int csv_parse_uid(const char *text, size_t len, uint32_t *uid);
int csv_parse_country(const char *text, size_t len, uint8_t cc[2]);

#endif /* CSV_H */
