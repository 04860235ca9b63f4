// SPDX-License-Identifier: GPL-2.0
/*
 * juris table load FILE...
 * juris table compile FILE... -o OUT.jtab
 *
 * Every file is parsed before the kernel hears anything, so a typo on the
 * last line of the last file cannot leave a half-loaded table. The load
 * itself is the kernel's transaction: BEGIN, ADD as many chunks as needed,
 * COMMIT; any failure ABORTs.
 */
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "fmt.h"
#include "jtab.h"
#include "netlink.h"
#include "policy.h"
#include "subcommands.h"
#include "table.h"

#define USAGE \
	"Usage: juris table load FILE...                (CSV or compiled; - reads standard input)\n" \
	"       juris table compile FILE... -o OUT.jtab  (flatten and check once, load fast)\n"

int table_parse_files(int n, const char *paths[], struct range_set *set,
		       struct jtab_source *sources)
{
	struct parse_error err;
	int i;

	for (i = 0; i < n; i++) {
		size_t before = set->n4 + set->n6;

		if (table_parse_file(paths[i], set, sources ? sources[i].sha256 : NULL,
				     &err) >= 0) {
			if (sources) {
				const char *slash = strrchr(paths[i], '/');

				/* The name alone: the same inputs compile alike anywhere. */
				sources[i].name = !strcmp(paths[i], "-") ? "<stdin>" :
						  slash ? slash + 1 : paths[i];
				sources[i].rows = set->n4 + set->n6 - before;
			}
			continue;
		}
		if (err.line)
			fprintf(stderr, "juris: %s:%lu: %s\n", err.path,
				err.line, err.msg);
		else
			fprintf(stderr, "juris: %s: %s\n", err.path, err.msg);
		return -EINVAL;
	}
	return 0;
}

static int simple_request(struct juris_nl *nl, uint8_t cmd, juris_reply_fn fn,
			  void *arg)
{
	struct nl_msg *msg = juris_nl_msg(nl, cmd, 0, 0);

	if (!msg)
		return -ENOMEM;
	return juris_nl_request(nl, msg, fn, arg);
}

/*
 * One attribute per ADD message, each at most JURIS_MAX_CHUNK_BYTES: the
 * netlink attribute length field stops at 64 KiB.
 */
static int add_ranges(struct juris_nl *nl, int family, const void *ranges,
		      size_t n, size_t size)
{
	size_t per_chunk = JURIS_MAX_CHUNK_BYTES / size, i, count;
	int attr = family == 4 ? JURIS_A_RANGES4 : JURIS_A_RANGES6;
	struct nl_msg *msg;
	int ret;

	for (i = 0; i < n; i += count) {
		count = n - i < per_chunk ? n - i : per_chunk;
		msg = juris_nl_msg(nl, JURIS_CMD_TABLE_ADD, 0,
				   nla_total_size(count * size));
		ret = msg ? 0 : -ENOMEM;
		if (msg && nla_put(msg, attr, count * size,
				   (const uint8_t *)ranges + i * size) < 0) {
			nlmsg_free(msg);
			ret = -ENOMEM;
		}
		if (!ret)
			ret = juris_nl_request(nl, msg, NULL, NULL);
		if (ret < 0) {
			fprintf(stderr, "juris: cannot add IPv%d ranges %zu-%zu: %s\n",
				family, i + 1, i + count, juris_strerror(ret));
			return ret;
		}
	}
	return 0;
}

static int on_commit(struct nlattr *tb[], void *arg)
{
	struct commit_stats *st = arg;

	if (!tb[JURIS_A_TABLE_GEN])
		return -EBADMSG;
	st->generation = nla_get_u64(tb[JURIS_A_TABLE_GEN]);
	if (tb[JURIS_A_TABLE_V4])
		st->ranges[0] = nla_get_u32(tb[JURIS_A_TABLE_V4]);
	if (tb[JURIS_A_TABLE_V6])
		st->ranges[1] = nla_get_u32(tb[JURIS_A_TABLE_V6]);
	if (tb[JURIS_A_SEGMENTS_V4])
		st->segments[0] = nla_get_u32(tb[JURIS_A_SEGMENTS_V4]);
	if (tb[JURIS_A_SEGMENTS_V6])
		st->segments[1] = nla_get_u32(tb[JURIS_A_SEGMENTS_V6]);
	if (tb[JURIS_A_TABLE_BYTES])
		st->bytes = nla_get_u64(tb[JURIS_A_TABLE_BYTES]);
	return 0;
}

int table_transaction(struct juris_nl *nl, const struct range_set *set,
		      const struct pfile *policy, struct commit_stats *st)
{
	struct nl_msg *msg;
	int ret;

	ret = simple_request(nl, JURIS_CMD_TABLE_BEGIN, NULL, NULL);
	if (ret < 0) {
		fprintf(stderr, "juris: cannot begin the table load: %s\n",
			juris_strerror(ret));
		return ret;
	}
	ret = add_ranges(nl, 4, set->v4, set->n4, sizeof(*set->v4));
	if (!ret)
		ret = add_ranges(nl, 6, set->v6, set->n6, sizeof(*set->v6));
	if (!ret) {
		/* With a policy, the table and the policy switch together. */
		msg = juris_nl_msg(nl, JURIS_CMD_TABLE_COMMIT, 0,
				   policy ? policy_msg_size(policy) : 0);
		ret = msg ? 0 : -ENOMEM;
		if (msg && policy)
			ret = policy_put(msg, policy);
		if (ret < 0)
			nlmsg_free(msg);
		else
			ret = juris_nl_request(nl, msg, on_commit, st);
		if (ret < 0 && ret != -E2BIG)
			fprintf(stderr, "juris: cannot commit the %s: %s\n",
				policy ? "table and the policy" : "table", juris_strerror(ret));
	}
	if (ret < 0) {
		/*
		 * The kernel may have dropped the transaction already; this
		 * ABORT is for the cases where it has not, and its own error
		 * would only hide the first one.
		 */
		nl->quiet = true;
		simple_request(nl, JURIS_CMD_TABLE_ABORT, NULL, NULL);
	}
	return ret;
}

static int load(int n, const char *paths[])
{
	struct commit_stats st = { 0 };
	struct range_set set;
	struct juris_nl nl;
	char size[32];
	int ret;

	range_set_init(&set);
	ret = table_parse_files(n, paths, &set, NULL);
	if (ret < 0)
		goto out;
	if (!set.n4 && !set.n6) {
		/* An empty table would turn every address into "unknown". */
		fprintf(stderr, "juris: no ranges found in the given file%s; nothing loaded\n",
			n > 1 ? "s" : "");
		ret = -EINVAL;
		goto out;
	}
	ret = juris_nl_open(&nl);
	if (ret < 0)
		goto out;
	ret = table_transaction(&nl, &set, NULL, &st);
	juris_nl_close(&nl);
	if (ret < 0)
		goto out;

	fmt_size(st.bytes, size, sizeof(size));
	printf("loaded %" PRIu32 " IPv4 and %" PRIu32 " IPv6 ranges (generation %" PRIu64 ", %" PRIu32 " + %" PRIu32 " segments, %s)\n",
	       st.ranges[0], st.ranges[1], st.generation, st.segments[0],
	       st.segments[1], size);
out:
	range_set_free(&set);
	return ret < 0;
}

/* Writes OUT.tmp, then renames it: a failed compile leaves no half file. */
static int compile(int n, const char *paths[], const char *path)
{
	struct jtab_source *sources = calloc(n, sizeof(*sources));
	uint32_t segments[2];
	struct range_set set;
	char *tmp = NULL;
	FILE *f = NULL;
	long bytes = 0;
	char size[32];
	int ret;

	range_set_init(&set);
	ret = sources ? table_parse_files(n, paths, &set, sources) : -ENOMEM;
	if (ret < 0)
		goto out;
	if (!set.n4 && !set.n6) {
		fprintf(stderr, "juris: no ranges found in the given file%s; nothing compiled\n",
			n > 1 ? "s" : "");
		ret = -EINVAL;
		goto out;
	}
	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		ret = -ENOMEM;
		goto out;
	}
	f = fopen(tmp, "wbx");
	if (!f) {
		ret = -errno;
		fprintf(stderr, "juris: %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	bytes = jtab_write(f, &set, sources, n, segments);
	ret = bytes < 0 ? (int)bytes : 0;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret < 0) {
		fprintf(stderr, "juris: cannot write %s: %s\n", path, strerror(-ret));
		unlink(tmp);
		goto out;
	}
	fmt_size(bytes, size, sizeof(size));
	printf("compiled %zu IPv4 and %zu IPv6 ranges into %" PRIu32 " + %" PRIu32 " segments: %s (%s)\n",
	       set.n4, set.n6, segments[0], segments[1], path, size);
out:
	free(tmp);
	free(sources);
	range_set_free(&set);
	return ret < 0;
}

int table_main(int argc, const char *argv[])
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(USAGE, stdout);
			return 0;
		}
	}
	if (argc >= 3 && !strcmp(argv[1], "load"))
		return load(argc - 2, argv + 2);
	if (argc >= 5 && !strcmp(argv[1], "compile") && !strcmp(argv[argc - 2], "-o"))
		return compile(argc - 4, argv + 2, argv[argc - 1]);
	fputs(USAGE, stderr);
	return 1;
}
