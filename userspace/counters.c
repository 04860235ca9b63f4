// SPDX-License-Identifier: GPL-2.0
/*
 * juris counters [--json]
 *
 * A netlink dump, one message per destination country. When the kernel
 * flags the dump as inconsistent (the counters' country set changed while it
 * was being read), it is read again from the start.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "netlink.h"
#include "subcommands.h"

#define USAGE "Usage: juris counters [--json]\n"
#define DUMP_TRIES 5

struct row {
	char name[8];		/* "IN", "unknown" or "special" */
	bool mapped, special;
	uint64_t total_packets;
	struct juris_count counts[__JURIS_VERDICT_LAST];
};

struct rows {
	struct row *row;
	size_t n, cap;
};

static int on_counter(struct nlattr *tb[], void *arg)
{
	struct rows *rows = arg;
	struct row *r;
	char cc[3];
	int v;

	if (rows->n == rows->cap) {
		size_t cap = rows->cap ? rows->cap * 2 : 64;
		struct row *p = realloc(rows->row, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		rows->row = p;
		rows->cap = cap;
	}
	r = &rows->row[rows->n++];
	memset(r, 0, sizeof(*r));
	r->special = tb[JURIS_A_SPECIAL];
	r->mapped = tb[JURIS_A_COUNTRY];
	if (r->mapped)
		strcpy(r->name, fmt_country(nla_data(tb[JURIS_A_COUNTRY]), cc) ?: "??");
	else
		strcpy(r->name, r->special ? "special" : "unknown");
	if (juris_nl_get_counts(tb[JURIS_A_COUNTS], r->counts))
		return -EBADMSG;
	for (v = 0; v < __JURIS_VERDICT_LAST; v++)
		r->total_packets += r->counts[v].packets;
	return 0;
}

/* Busiest first; equal totals by name so the order is stable. */
static int compare_rows(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->total_packets != y->total_packets)
		return x->total_packets < y->total_packets ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int dump(struct rows *rows)
{
	struct juris_nl nl;
	struct nl_msg *msg;
	int tries, ret;

	if (juris_nl_open(&nl) < 0)
		return -ENOENT;
	for (tries = 0; tries < DUMP_TRIES; tries++) {
		rows->n = 0;
		msg = juris_nl_msg(&nl, JURIS_CMD_GET_COUNTERS, NLM_F_DUMP, 0);
		ret = msg ? juris_nl_request(&nl, msg, on_counter, rows) : -ENOMEM;
		if (ret != -EINTR)
			break;
	}
	if (ret == -EINTR)
		fprintf(stderr, "juris: cannot read the counters: they kept changing during %d attempts\n",
			DUMP_TRIES);
	else if (ret < 0)
		fprintf(stderr, "juris: cannot read the counters: %s\n",
			juris_strerror(ret));
	juris_nl_close(&nl);
	return ret;
}

static void print_text(const struct rows *rows)
{
	size_t i;
	int v;

	printf("%-8s", "country");
	for (v = 0; v < __JURIS_VERDICT_LAST; v++)
		printf(" %13s-pkts %13s-bytes", verdict_counted[v],
		       verdict_counted[v]);
	printf("\n");
	for (i = 0; i < rows->n; i++) {
		printf("%-8s", rows->row[i].name);
		for (v = 0; v < __JURIS_VERDICT_LAST; v++)
			printf(" %18llu %19llu",
			       (unsigned long long)rows->row[i].counts[v].packets,
			       (unsigned long long)rows->row[i].counts[v].bytes);
		printf("\n");
	}
}

static void print_json(const struct rows *rows)
{
	const struct row *r;
	size_t i;

	printf("[");
	for (i = 0; i < rows->n; i++) {
		r = &rows->row[i];
		printf("%s{\"country\":", i ? "," : "");
		if (r->mapped)
			printf("\"%s\"", r->name);
		else
			printf("null");
		printf(",\"special\":%s,", r->special ? "true" : "false");
		json_counts(r->counts);
		printf("}");
	}
	printf("]\n");
}

int counters_main(int argc, const char *argv[])
{
	struct rows rows = { 0 };
	bool json = false;
	int ret;

	ret = parse_json_only(argc, argv, USAGE, &json);
	if (ret)
		return ret > 0;
	ret = dump(&rows);
	if (!ret) {
		qsort(rows.row, rows.n, sizeof(*rows.row), compare_rows);
		if (json)
			print_json(&rows);
		else
			print_text(&rows);
	}
	free(rows.row);
	return ret < 0;
}
