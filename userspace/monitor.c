// SPDX-License-Identifier: GPL-2.0
/*
 * juris monitor [--json] [--rcvbuf BYTES]
 *
 * Joins the "events" multicast group and prints each event as it arrives:
 * a line of key=value pairs, as the kernel log has them, after the time; or
 * with --json, one JSON object per line (JSON Lines), each with a "type":
 *   "event"       a denied or audited packet (keys in the README)
 *   "suppressed"  how many events the kernel's rate limit suppressed since
 *                 the event before ("count") and in all ("total")
 *   "lost"        how many events this socket missed ("count"): its receive
 *                 buffer overran (ENOBUFS); the numbering says how many
 * SIGINT and SIGTERM end it, with a summary on standard error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "netlink.h"
#include "subcommands.h"

#define USAGE "Usage: juris monitor [--json] [--rcvbuf BYTES]\n"

/* Room for a burst of events while the terminal or the pipe is slow. */
#define MONITOR_RCVBUF (8 << 20)
/* What the kernel takes as a receive buffer at least, and a sane most. */
#define MONITOR_RCVBUF_MIN 2048
#define MONITOR_RCVBUF_MAX (1 << 30)

static volatile sig_atomic_t stopping;

struct monitor {
	bool json;
	int rcvbuf;
	bool started;		/* an event came: next_seq and suppressed hold */
	bool overrun;		/* ENOBUFS since the last event */
	uint64_t next_seq;
	uint64_t suppressed;	/* the total the last event reported */
	uint64_t events, lost, suppressed_seen;
	int err;
};

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void fmt_time(uint64_t ns, char *buf, size_t size)
{
	time_t s = ns / 1000000000;
	struct tm tm;
	size_t n;

	gmtime_r(&s, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%09" PRIu64 "Z", ns % 1000000000);
}

static const char *proto_name(uint8_t proto, char *buf, size_t size)
{
	switch (proto) {
	case 6: return "tcp";
	case 17: return "udp";
	case 136: return "udplite";
	case 132: return "sctp";
	case 1: return "icmp";
	case 58: return "icmpv6";
	}
	snprintf(buf, size, "%u", proto);
	return buf;
}

/* A JSON value or a log-line value: a quoted string, a number, or none. */
static void put_value(const struct monitor *m, const char *key, const char *text, bool quote)
{
	if (m->json) {
		if (!text)
			printf(",\"%s\":null", key);
		else
			printf(quote ? ",\"%s\":\"%s\"" : ",\"%s\":%s", key, text);
	} else {
		printf(" %s=%s", key, text ?: "-");
	}
}

/* A u16 or u32 attribute as a number; none when absent. */
static void put_number(const struct monitor *m, const char *key, const struct nlattr *attr,
		       bool is_u16)
{
	char buf[24];

	if (!attr) {
		put_value(m, key, NULL, false);
		return;
	}
	snprintf(buf, sizeof(buf), "%" PRIu64,
		 is_u16 ? nla_get_u16((struct nlattr *)attr) : (uint64_t)nla_get_u32((struct nlattr *)attr));
	put_value(m, key, buf, false);
}

static void print_lost(const struct monitor *m, uint64_t n)
{
	if (m->json)
		printf("{\"type\":\"lost\",\"count\":%" PRIu64 "}\n", n);
	else
		printf("lost %" PRIu64 " events: the receive buffer overran\n", n);
}

static void print_suppressed(const struct monitor *m, uint64_t n, uint64_t total)
{
	if (m->json)
		printf("{\"type\":\"suppressed\",\"count\":%" PRIu64 ",\"total\":%" PRIu64 "}\n",
		       n, total);
	else
		printf("suppressed %" PRIu64 " events (rate limit), %" PRIu64 " in all\n", n, total);
}

static void print_event(const struct monitor *m, struct nlattr *tb[])
{
	static const char *const hooks[] = { [JURIS_SCOPE_LOCAL] = "local",
					     [JURIS_SCOPE_FORWARD] = "forward" };
	uint8_t family = nla_get_u8(tb[JURIS_A_FAMILY]);
	char t[48], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], emb[INET6_ADDRSTRLEN];
	char start[INET6_ADDRSTRLEN], end[INET6_ADDRSTRLEN], seg[2 * INET6_ADDRSTRLEN + 1];
	char cc[3], gen[24], pbuf[4];
	const char *country = NULL;

	fmt_time(nla_get_u64(tb[JURIS_A_TIME]), t, sizeof(t));
	if (m->json)
		printf("{\"type\":\"event\",\"seq\":%" PRIu64 ",\"time\":\"%s\"",
		       (uint64_t)nla_get_u64(tb[JURIS_A_SEQ]), t);
	else
		printf("%s", t);
	put_value(m, "verdict", NAME_OF(verdict_names, nla_get_u8(tb[JURIS_A_VERDICT])), true);
	put_value(m, "mode", NAME_OF(mode_names, nla_get_u8(tb[JURIS_A_MODE])), true);
	put_value(m, "hook", NAME_OF(hooks, nla_get_u8(tb[JURIS_A_HOOK])), true);
	put_value(m, "family", family == AF_INET ? "ipv4" : "ipv6", true);
	put_value(m, "proto", proto_name(nla_get_u8(tb[JURIS_A_PROTO]), pbuf, sizeof(pbuf)),
		  true);
	put_value(m, "src", fmt_addr(nla_data(tb[JURIS_A_SRC]), nla_len(tb[JURIS_A_SRC]), src,
				     sizeof(src)), true);
	put_number(m, "sport", tb[JURIS_A_SPORT], true);
	put_value(m, "dst", fmt_addr(nla_data(tb[JURIS_A_DST]), nla_len(tb[JURIS_A_DST]), dst,
				     sizeof(dst)), true);
	put_number(m, "dport", tb[JURIS_A_DPORT], true);
	put_value(m, "embedded", tb[JURIS_A_EMBEDDED] ?
		  fmt_addr(nla_data(tb[JURIS_A_EMBEDDED]), 4, emb, sizeof(emb)) : NULL, true);
	if (tb[JURIS_A_COUNTRY])
		country = fmt_country(nla_data(tb[JURIS_A_COUNTRY]), cc);
	put_value(m, m->json ? "country" : "cc", country, true);
	snprintf(seg, sizeof(seg), "%s-%s",
		 fmt_addr(nla_data(tb[JURIS_A_RANGE_START]), nla_len(tb[JURIS_A_RANGE_START]),
			  start, sizeof(start)) ?: "?",
		 fmt_addr(nla_data(tb[JURIS_A_RANGE_END]), nla_len(tb[JURIS_A_RANGE_END]),
			  end, sizeof(end)) ?: "?");
	put_value(m, "segment", seg, true);
	put_value(m, "rule", NAME_OF(rule_names, nla_get_u8(tb[JURIS_A_RULE])), true);
	put_number(m, "rule_index", tb[JURIS_A_RULE_INDEX], false);
	put_number(m, "uid", tb[JURIS_A_UID], false);
	snprintf(gen, sizeof(gen), "%" PRIu64, (uint64_t)nla_get_u64(tb[JURIS_A_TABLE_GEN]));
	put_value(m, m->json ? "generation" : "gen", gen, false);
	if (m->json)
		printf(",\"suppressed\":%" PRIu64 "}\n", (uint64_t)nla_get_u64(tb[JURIS_A_SUPPRESSED]));
	else
		printf(" seq=%" PRIu64 "\n", (uint64_t)nla_get_u64(tb[JURIS_A_SEQ]));
}

static int on_message(struct nl_msg *msg, void *arg)
{
	static const int required[] = {
		JURIS_A_SEQ, JURIS_A_TIME, JURIS_A_VERDICT, JURIS_A_MODE, JURIS_A_HOOK,
		JURIS_A_FAMILY, JURIS_A_PROTO, JURIS_A_SRC, JURIS_A_DST, JURIS_A_RANGE_START,
		JURIS_A_RANGE_END, JURIS_A_RULE, JURIS_A_TABLE_GEN, JURIS_A_SUPPRESSED,
	};
	const struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[JURIS_A_MAX + 1];
	struct monitor *m = arg;
	uint64_t seq, suppressed;
	size_t i;

	if (g->cmd != JURIS_CMD_EVENT)
		return NL_SKIP;
	if (juris_nl_parse(msg, tb) < 0)
		goto bad;
	for (i = 0; i < ARRAY_SIZE(required); i++)
		if (!tb[required[i]])
			goto bad;
	seq = nla_get_u64(tb[JURIS_A_SEQ]);
	suppressed = nla_get_u64(tb[JURIS_A_SUPPRESSED]);
	if (m->started && seq > m->next_seq) {
		m->lost += seq - m->next_seq;
		print_lost(m, seq - m->next_seq);
	}
	if (m->started && suppressed > m->suppressed) {
		m->suppressed_seen += suppressed - m->suppressed;
		print_suppressed(m, suppressed - m->suppressed, suppressed);
	}
	m->started = true;
	m->overrun = false;
	m->next_seq = seq + 1;
	m->suppressed = suppressed;
	m->events++;
	print_event(m, tb);
	/* A log shipper reads line by line. */
	fflush(stdout);
	return NL_OK;

bad:
	fprintf(stderr, "juris: a malformed event from the kernel, skipped\n");
	return NL_SKIP;
}

/* Joins the group; a larger receive buffer than other commands need. */
static int join(struct juris_nl *nl, int size)
{
	int fd = nl_socket_get_fd(nl->sk), group, ret;

	group = genl_ctrl_resolve_grp(nl->sk, JURIS_GENL_NAME, JURIS_MCGRP_EVENTS);
	if (group < 0) {
		fprintf(stderr, "juris: the juris module has no \"%s\" group: %s\n",
			JURIS_MCGRP_EVENTS, juris_strerror(juris_nl_errno(group)));
		return juris_nl_errno(group);
	}
	/* Past rmem_max needs CAP_NET_ADMIN; without it, what rmem_max allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	ret = nl_socket_add_membership(nl->sk, group);
	if (ret < 0) {
		ret = juris_nl_errno(ret);
		fprintf(stderr, "juris: cannot join the event group: %s\n", juris_strerror(ret));
		return ret;
	}
	return nl_socket_set_nonblocking(nl->sk) < 0 ? -EIO : 0;
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/*
 * SIGINT and SIGTERM are blocked but while ppoll() waits, so one that comes
 * between the check of stopping and the wait still ends the wait.
 */
static int receive(struct juris_nl *nl, struct monitor *m, const sigset_t *waiting)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	bool nomem = false;
	struct nl_cb *cb;
	int ret = 0;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_message, m);
	/* Events are not answers: they carry sequence number 0. */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	while (!stopping) {
		if (ppoll(&pfd, 1, NULL, waiting) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		while (!stopping) {
			ret = nl_recvmsgs(nl->sk, cb);
			if (ret >= 0) {
				nomem = false;
				continue;
			}
			if (ret == -NLE_AGAIN || ret == -NLE_INTR) {
				ret = 0;
				break;
			}
			/*
			 * libnl's name for ENOBUFS: events were dropped for
			 * us, the socket says so once. Twice in a row is this
			 * program out of memory.
			 */
			if (ret == -NLE_NOMEM && !nomem) {
				nomem = true;
				if (!m->overrun)
					fprintf(stderr, "juris: the receive buffer overran: events lost\n");
				m->overrun = true;
				continue;
			}
			ret = juris_nl_errno(ret);
			fprintf(stderr, "juris: cannot receive events: %s\n", juris_strerror(ret));
			goto out;
		}
	}
	ret = ret < 0 ? ret : 0;
out:
	nl_cb_put(cb);
	return ret;
}

/* 0 to go on, 1 on a bad argument, -1 after --help. */
static int parse_args(int argc, const char *argv[], struct monitor *m)
{
	char *end;
	long v;
	int i;

	m->rcvbuf = MONITOR_RCVBUF;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			m->json = true;
		} else if (!strcmp(argv[i], "--rcvbuf") && i + 1 < argc) {
			errno = 0;
			v = strtol(argv[++i], &end, 10);
			if (errno || *end || end == argv[i] || v < MONITOR_RCVBUF_MIN ||
			    v > MONITOR_RCVBUF_MAX) {
				fprintf(stderr, "juris: invalid receive buffer size: '%s' (expected bytes, %d to %d)\n",
					argv[i], MONITOR_RCVBUF_MIN, MONITOR_RCVBUF_MAX);
				return 1;
			}
			m->rcvbuf = v;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(USAGE, stdout);
			return -1;
		} else {
			fprintf(stderr, "juris: unknown argument: '%s'\n%s", argv[i], USAGE);
			return 1;
		}
	}
	return 0;
}

int monitor_main(int argc, const char *argv[])
{
	struct monitor m = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, waiting;
	struct juris_nl nl;
	int ret;

	ret = parse_args(argc, argv, &m);
	if (ret)
		return ret > 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &waiting);

	if (juris_nl_open(&nl) < 0)
		return 1;
	ret = join(&nl, m.rcvbuf);
	if (!ret) {
		fprintf(stderr, "juris: monitoring the events of this network namespace\n");
		ret = receive(&nl, &m, &waiting);
	}
	juris_nl_close(&nl);
	if (ret < 0)
		return 1;
	fprintf(stderr, "juris: %" PRIu64 " events, %" PRIu64 " lost, %" PRIu64 " suppressed by the rate limit meanwhile%s\n",
		m.events, m.lost, m.suppressed_seen,
		m.overrun ? "; more lost after the last event" : "");
	return 0;
}
