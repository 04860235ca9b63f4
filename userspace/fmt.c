// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

const char *const mode_names[__JURIS_MODE_LAST] = {
	[JURIS_MODE_OFF] = "off",
	[JURIS_MODE_AUDIT] = "audit",
	[JURIS_MODE_ENFORCE] = "enforce",
};

const char *const unknown_names[__JURIS_UNKNOWN_LAST] = {
	[JURIS_UNKNOWN_ALLOW] = "allow",
	[JURIS_UNKNOWN_DENY] = "deny",
};

const char *const action_names[__JURIS_ACTION_LAST] = {
	[JURIS_ACTION_DROP] = "drop",
	[JURIS_ACTION_REJECT] = "reject",
};

const char *const log_names[__JURIS_LOG_LAST] = {
	[JURIS_LOG_OFF] = "off",
	[JURIS_LOG_KERNEL] = "kernel",
};

const char *const verdict_names[__JURIS_VERDICT_LAST] = {
	[JURIS_VERDICT_ALLOW] = "allow",
	[JURIS_VERDICT_DENY] = "deny",
	[JURIS_VERDICT_AUDIT] = "audit",
};

const char *const verdict_counted[__JURIS_VERDICT_LAST] = {
	[JURIS_VERDICT_ALLOW] = "allowed",
	[JURIS_VERDICT_DENY] = "denied",
	[JURIS_VERDICT_AUDIT] = "audited",
};

const char *const rule_names[__JURIS_RULE_LAST] = {
	[JURIS_RULE_SPECIAL] = "special",
	[JURIS_RULE_PREFIX] = "prefix",
	[JURIS_RULE_COUNTRY] = "country",
	[JURIS_RULE_UNKNOWN] = "unknown",
	[JURIS_RULE_UID] = "uid",
};

const char *const prefix_action_names[__JURIS_PREFIX_LAST] = {
	[JURIS_PREFIX_EXEMPT] = "exempt",
	[JURIS_PREFIX_BLOCK] = "block",
};

const char *const uid_action_names[__JURIS_UID_LAST] = {
	[JURIS_UID_EXEMPT] = "exempt",
	[JURIS_UID_BLOCK] = "block",
	[JURIS_UID_ALLOW] = "allow",
	[JURIS_UID_DENY] = "deny",
};

int name_lookup(const char *const names[], size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return i;
	return -EINVAL;
}

int parse_json_only(int argc, const char *argv[], const char *usage, bool *json)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			*json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return -1;
		} else {
			fprintf(stderr, "juris: unknown argument: '%s'\n%s", argv[i], usage);
			return 1;
		}
	}
	return 0;
}

void fmt_size(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double value = bytes;
	size_t i;

	if (bytes < 1024) {
		snprintf(buf, size, "%" PRIu64 " bytes", bytes);
		return;
	}
	for (i = 0; i + 1 < ARRAY_SIZE(units) && value >= 1024 * 1024; i++)
		value /= 1024;
	snprintf(buf, size, "%.1f %s", value / 1024, units[i]);
}

const char *fmt_addr(const void *addr, size_t len, char *buf, size_t size)
{
	if (len != 4 && len != 16)
		return NULL;
	return inet_ntop(len == 4 ? AF_INET : AF_INET6, addr, buf, size);
}

const char *fmt_country(const uint8_t cc[2], char buf[3])
{
	if (cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z')
		return NULL;
	buf[0] = cc[0];
	buf[1] = cc[1];
	buf[2] = '\0';
	return buf;
}

void json_counts(const struct juris_count counts[__JURIS_VERDICT_LAST])
{
	int v;

	for (v = 0; v < __JURIS_VERDICT_LAST; v++)
		printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}",
		       v ? "," : "", verdict_counted[v],
		       (unsigned long long)counts[v].packets,
		       (unsigned long long)counts[v].bytes);
}
