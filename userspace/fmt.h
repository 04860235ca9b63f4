/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of the protocol's enums and the small formatters the subcommands
 * share, so text and JSON spell things the same way everywhere.
 */
#ifndef FMT_H
#define FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "juris.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Packets and bytes of one verdict, as the kernel reports them. */
struct juris_count {
	uint64_t packets;
	uint64_t bytes;
};

extern const char *const mode_names[__JURIS_MODE_LAST];
extern const char *const unknown_names[__JURIS_UNKNOWN_LAST];
extern const char *const action_names[__JURIS_ACTION_LAST];
extern const char *const log_names[__JURIS_LOG_LAST];
/* What lookup says the policy would do: "allow", "deny", "audit". */
extern const char *const verdict_names[__JURIS_VERDICT_LAST];
/* What counters say happened: "allowed", "denied", "audited". */
extern const char *const verdict_counted[__JURIS_VERDICT_LAST];
extern const char *const rule_names[__JURIS_RULE_LAST];
extern const char *const prefix_action_names[__JURIS_PREFIX_LAST];
extern const char *const uid_action_names[__JURIS_UID_LAST];

/* Value to name, "invalid" for what this build does not know. */
#define NAME_OF(names, value) \
	((unsigned int)(value) < ARRAY_SIZE(names) && (names)[value] ? \
	 (names)[value] : "invalid")
/* Name to value, or -EINVAL. */
int name_lookup(const char *const names[], size_t n, const char *name);

/*
 * The arguments of a command whose only option is --json. Returns 0 to go
 * on, or the exit status when there is nothing more to do (help, error).
 */
int parse_json_only(int argc, const char *argv[], const char *usage, bool *json);

/* "2.1 MiB"; @buf of 32 bytes is always enough. */
void fmt_size(uint64_t bytes, char *buf, size_t size);
/* @len is 4 or 16; NULL when the length is neither. */
const char *fmt_addr(const void *addr, size_t len, char *buf, size_t size);
/* Two upper-case letters, or NULL when @cc is not a country code. */
const char *fmt_country(const uint8_t cc[2], char buf[3]);

/* "allowed":{"packets":N,"bytes":N},"denied":{...},"audited":{...} */
void json_counts(const struct juris_count counts[__JURIS_VERDICT_LAST]);

#endif /* FMT_H */
