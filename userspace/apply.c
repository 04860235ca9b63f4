// SPDX-License-Identifier: GPL-2.0
/*
 * juris apply FILE|-
 *
 * Makes the network namespace match a policy file (pfile.h): every
 * directive the file leaves out takes its default. The file and its tables
 * are read and checked whole before the kernel hears anything; then one
 * kernel transaction switches the table and the policy together (a table
 * load whose COMMIT carries the policy), or without a table line one
 * SET_POLICY message. A failure anywhere, or the CLI killed midway,
 * changes nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "subcommands.h"
#include "table.h"

#define USAGE "Usage: juris apply FILE   (- reads standard input; see juris policy show)\n"

int policy_file_read(const char *path, struct pfile *p, struct range_set *set)
{
	struct parse_error err;
	int ret;

	ret = pfile_parse_file(path, p, &err);
	if (!ret)
		ret = pfile_complete(p, &err);
	if (ret < 0) {
		if (err.line)
			fprintf(stderr, "juris: %s:%lu: %s\n", err.path, err.line, err.msg);
		else
			fprintf(stderr, "juris: %s: %s\n", err.path, err.msg);
		return ret;
	}
	if (!p->ntable)
		return 0;
	ret = table_parse_files(p->ntable, (const char **)p->table, set, NULL);
	if (!ret && !set->n4 && !set->n6) {
		fprintf(stderr, "juris: %s: no ranges found in the table files\n", err.path);
		ret = -EINVAL;
	}
	return ret;
}

static int apply(const char *path)
{
	struct commit_stats st = { 0 };
	struct range_set set;
	struct juris_nl nl;
	struct nl_msg *msg;
	struct pfile *p;
	size_t ncc = 0;
	int ret, a, b;

	p = malloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	pfile_init(p);
	range_set_init(&set);
	ret = policy_file_read(path, p, &set);
	if (ret < 0)
		goto out;

	ret = juris_nl_open(&nl);
	if (ret < 0)
		goto out;
	if (p->ntable) {
		ret = table_transaction(&nl, &set, p, &st);
	} else {
		msg = juris_nl_msg(&nl, JURIS_CMD_SET_POLICY, 0, policy_msg_size(p));
		ret = msg ? policy_put(msg, p) : -ENOMEM;
		if (ret < 0)
			nlmsg_free(msg);
		else
			ret = juris_nl_request(&nl, msg, NULL, NULL);
		if (ret < 0 && ret != -E2BIG)
			fprintf(stderr, "juris: cannot apply the policy: %s\n", juris_strerror(ret));
	}
	juris_nl_close(&nl);
	if (ret < 0)
		goto out;

	for (a = 0; a < 26; a++)
		for (b = 0; b < 26; b++)
			ncc += p->cc[a][b];
	printf("applied %s: mode %s, %s %zu countr%s, %zu prefix rule%s, %zu UID rule%s, %zu NAT64 prefix%s",
	       !strcmp(path, "-") ? "<stdin>" : path, NAME_OF(mode_names, p->mode),
	       p->set == JURIS_A_DENY ? "deny" : "allow",
	       ncc, ncc == 1 ? "y" : "ies", p->nprefix, p->nprefix == 1 ? "" : "s",
	       p->nuid, p->nuid == 1 ? "" : "s", p->nnat64, p->nnat64 == 1 ? "" : "es");
	if (p->ntable)
		printf("; table generation %" PRIu64 " (%" PRIu32 " IPv4 + %" PRIu32 " IPv6 ranges)",
		       st.generation, st.ranges[0], st.ranges[1]);
	printf("%s\n", p->lock ? "; locked" : "");
out:
	range_set_free(&set);
	pfile_free(p);
	free(p);
	return ret;
}

int apply_main(int argc, const char *argv[])
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(USAGE, stdout);
		return 0;
	}
	if (argc != 2) {
		fputs(USAGE, stderr);
		return 1;
	}
	return apply(argv[1]) < 0;
}
