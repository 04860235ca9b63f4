/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy as a person writes it: one directive per line, '#' comments.
 *
 *   mode off|audit|enforce        allow CC...  or  deny CC...
 *   unknown allow|deny            action drop|reject
 *   scope local|forward|local forward
 *   table FILE...                 (juris apply only; relative to the file)
 *   exempt PREFIX...              block PREFIX...
 *   nat64 PREFIX...               (IPv6, of length 32, 40, 48, 56, 64 or 96)
 *   uid A[-B] exempt|block|allow CC...|deny CC...
 *   event-rate PER_SECOND [BURST] (events: 0 for none; BURST 1 to 1024,
 *                                 twice the rate when not given)
 *   log kernel|off                (a kernel log line per event, or none)
 *   lock                          (no change ever again: juris lock)
 *
 * Lists take blanks or commas. One parser serves juris apply (a file) and
 * juris policy set (each option is a directive); juris policy show writes
 * the same format. Kept free of libnl so the host test and the fuzzer link
 * it alone.
 */
#ifndef PFILE_H
#define PFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csv.h"

struct pfile_prefix {
	uint8_t addr[16];
	int family;			/* 4 or 16: the address's bytes */
	int len;
	int action;			/* enum juris_prefix_action; 0 for nat64 */
};

struct pfile_uid {
	uint32_t first, last;
	int action;			/* enum juris_uid_action */
	uint8_t countries[2 * 676];	/* allow, deny: in the order written */
	size_t ncountries;
};

/* Single-valued directives, for "given twice" and for their line. */
enum pfile_key {
	PFILE_MODE,
	PFILE_UNKNOWN,
	PFILE_ACTION,
	PFILE_SCOPE,
	PFILE_TABLE,
	PFILE_LOCK,
	PFILE_EVENT_RATE,
	PFILE_LOG,
	PFILE_SET,			/* the first allow or deny line */
	__PFILE_KEYS
};

struct pfile {
	int mode, unknown, action, scope, log;	/* -1: not given */
	long event_rate, event_burst;	/* -1: not given */
	int set;			/* 0: not given, else JURIS_A_ALLOW or JURIS_A_DENY */
	bool lock;			/* lock the namespace once applied */
	bool cc[26][26];		/* the countries the set lists */
	bool has_prefixes, has_uids, has_nat64;
	size_t nprefix, nuid, nnat64;
	struct pfile_prefix prefix[JURIS_MAX_PREFIXES];
	struct pfile_prefix nat64[JURIS_MAX_NAT64];
	struct pfile_uid uid[JURIS_MAX_UID_RULES];
	char **table;			/* the table files, resolved; malloc'ed */
	size_t ntable;
	unsigned int given;		/* bit per enum pfile_key */
	unsigned long line[__PFILE_KEYS];	/* where each was given; 0: an option */
};

/* Where juris policy show put each rule: the first of each kind's lines. */
struct pfile_lines {
	unsigned long set, unknown, nat64, prefix, uid;
};

void pfile_init(struct pfile *p);
void pfile_free(struct pfile *p);

/*
 * One directive, @len bytes without the newline. @line numbers it for the
 * messages (0: a command-line option). @dir, where a table file's relative
 * path starts; NULL refuses the table directive. On failure returns -errno
 * with the reason in @why.
 */
int pfile_directive(struct pfile *p, const char *text, size_t len, unsigned long line,
		    const char *dir, char *why, size_t size);

/* A whole file's text; errors name @path and the line. */
int pfile_parse_buf(const char *path, const char *buf, size_t len, const char *dir,
		    struct pfile *p, struct parse_error *err);
/* The file (- for standard input), its table paths relative to its folder. */
int pfile_parse_file(const char *path, struct pfile *p, struct parse_error *err);

/*
 * What juris apply sends: every directive the file did not give takes its
 * default (unknown allow, action drop, scope local forward, no set, no
 * rules, event-rate 100 200, log off). A file must say its mode: -EINVAL with the reason in @err if not.
 */
int pfile_complete(struct pfile *p, struct parse_error *err);

/* The policy in the file format, without a table line; where rules went in @lines. */
void pfile_write(FILE *f, const struct pfile *p, unsigned long first_line,
		 struct pfile_lines *lines);

#endif /* PFILE_H */
