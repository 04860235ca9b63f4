/* SPDX-License-Identifier: GPL-2.0 */
/* Table loads, shared by juris table load and juris apply. */
#ifndef TABLE_H
#define TABLE_H

#include "csv.h"
#include "jtab.h"
#include "netlink.h"
#include "pfile.h"

struct commit_stats {
	uint64_t generation, bytes;
	uint32_t ranges[2], segments[2];
};

/*
 * Parses every file (CSV or compiled) into @set, printing the first error
 * as FILE:LINE; @sources, if given, gets each one's digest and rows.
 */
int table_parse_files(int n, const char *paths[], struct range_set *set,
		      struct jtab_source *sources);

/*
 * The kernel's transaction: BEGIN, ADD as many chunks as needed, COMMIT
 * (with @policy's attributes, if not NULL: the table and the policy switch
 * together); any failure ABORTs and changes nothing. Prints its errors.
 */
int table_transaction(struct juris_nl *nl, const struct range_set *set,
		      const struct pfile *policy, struct commit_stats *st);

/*
 * A policy file and the tables it names, read and checked whole (juris
 * apply, juris digest): the file's defaults filled in, the rows in @set.
 * Prints the first error as FILE:LINE; 0 or -errno.
 */
int policy_file_read(const char *path, struct pfile *p, struct range_set *set);

#endif /* TABLE_H */
