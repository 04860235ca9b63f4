/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compiled tables (.jtab): the disjoint segments the kernel would build
 * from a set of CSV rows, with the sources they came from, in a versioned
 * and checksummed binary file. Loading one skips the CSV parsing and hands
 * the kernel rows that are sorted and disjoint already.
 *
 * Layout, every integer big-endian (as the addresses are):
 *
 *   "JURISTAB"            8 bytes
 *   version               u16, 1
 *   flags                 u16, 0
 *   header length         u32, the bytes before the first segment
 *   IPv4 segments         u32
 *   IPv6 segments         u32
 *   sources               u32
 *   reserved              u32, 0
 *   per source:           u16 name length, the name, u32 rows, SHA-256 of
 *                         the file (32 bytes)
 *   IPv4 segments         start (4 bytes), country (2 letters, or two zero
 *                         bytes: no country)
 *   IPv6 segments         start (16 bytes), country
 *   SHA-256               of every byte before it
 *
 * Each family's segments cover its whole address space: the first starts
 * at 0, each ends where the next starts, the last at the top; neighbours
 * have different countries.
 */
#ifndef JTAB_H
#define JTAB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "csv.h"
#include "sha256.h"

#define JTAB_MAGIC "JURISTAB"
#define JTAB_VERSION 1
#define JTAB_HEADER_BYTES 32
#define JTAB_NAME_MAX 4096

struct jtab_source {
	const char *name;
	uint32_t rows;
	uint8_t sha256[SHA256_BYTES];
};

/* A source as the file records it; the name points into the file's bytes. */
struct jtab_file_source {
	const char *name;	/* not NUL-terminated */
	uint16_t name_len;
	uint32_t rows;
	uint8_t sha256[SHA256_BYTES];
};

/* What a file holds, as jtab_parse_buf() found it. */
struct jtab_info {
	uint16_t version;
	uint32_t segments[2];
	uint32_t nsources;
	struct jtab_file_source *sources;	/* malloc'ed */
};

bool jtab_is(const void *buf, size_t len);

/*
 * Checks the whole file, then appends a row to @set for each segment that
 * has a country. On failure returns -errno (-EINVAL for a bad file) with
 * a message in @err naming what is wrong, and appends nothing. @info may
 * be NULL; otherwise free info->sources after use.
 */
int jtab_parse_buf(const char *path, const void *buf, size_t len,
		   struct range_set *set, struct jtab_info *info,
		   struct parse_error *err);

/*
 * Writes the table @set flattens to (the kernel's rules, by its own code)
 * with @sources in the header. Returns the bytes written or -errno.
 */
long jtab_write(FILE *f, const struct range_set *set,
		const struct jtab_source *sources, uint32_t nsources,
		uint32_t segments[2]);

struct juris_range;

/*
 * The set's rows of one family (@len 4 or 16) as the kernel takes them,
 * numbered in file order (its tie rule), malloc'ed; NULL without memory.
 */
struct juris_range *range_set_rows(const struct range_set *set, int len);

/*
 * Parses a CSV or compiled table, told apart by content. @sha256, if not
 * NULL, receives the digest of the file's bytes.
 */
int table_parse_file(const char *path, struct range_set *set,
		     uint8_t sha256[SHA256_BYTES], struct parse_error *err);

#endif /* JTAB_H */
