/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one path to the kernel: open the "juris" generic netlink family, send
 * a request, collect its replies and ACK, and put errors into words.
 */
#ifndef NETLINK_H
#define NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "fmt.h"
#include "juris.h"

struct juris_nl {
	struct nl_sock *sk;
	int family;
	bool quiet;	/* do not print the kernel's extack text */
};

/*
 * Called once per reply message with its attributes, already checked for
 * their minimum lengths (fixed-size ones exactly). Returns 0 or -errno.
 */
typedef int (*juris_reply_fn)(struct nlattr *tb[JURIS_A_MAX + 1], void *arg);

/*
 * Prints its own one-line error (e.g. module not loaded, or a module that
 * speaks another family version than this CLI) on failure.
 */
int juris_nl_open(struct juris_nl *nl);
void juris_nl_close(struct juris_nl *nl);

/* A request with room for @payload bytes of attributes (nla_total_size). */
struct nl_msg *juris_nl_msg(struct juris_nl *nl, uint8_t cmd, int flags,
			    size_t payload);

/*
 * Sends @msg (and frees it), then reads replies until the ACK, the error or
 * the end of a dump. Returns 0, the kernel's -errno, or -EINTR when a dump
 * was flagged inconsistent (NLM_F_DUMP_INTR): the caller may retry.
 */
int juris_nl_request(struct juris_nl *nl, struct nl_msg *msg,
		     juris_reply_fn fn, void *arg);

/*
 * JURIS_A_TOTALS / JURIS_A_COUNTS; verdicts and fields the kernel did not
 * send are 0. Returns 0, or -EBADMSG for a malformed nest.
 */
int juris_nl_get_counts(struct nlattr *attr,
			struct juris_count counts[__JURIS_VERDICT_LAST]);

/* A message's attributes, checked as replies are; 0 or -EBADMSG. */
int juris_nl_parse(struct nl_msg *msg, struct nlattr *tb[JURIS_A_MAX + 1]);

/* libnl's codes into -errno. */
int juris_nl_errno(int nle);

/* Words for a -errno from the functions above, for a person to read. */
const char *juris_strerror(int err);

#endif /* NETLINK_H */
