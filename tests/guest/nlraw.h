/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink without a library, for the guest tools that must send
 * what no library would (the fuzzer) or keep their own memory small (the
 * load tests): a socket, a message builder, and a request that waits for
 * its ack and keeps the extack text.
 */
#ifndef _JURIS_NLRAW_H
#define _JURIS_NLRAW_H

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NLR_BUF 65536

struct nlr {
	int fd;
	int family;
	__u32 seq;
	char extack[256];
};

struct nlr_msg {
	union {
		struct nlmsghdr nlh;
		char buf[NLR_BUF];
	};
};

static inline struct nlattr *nlr_tail(struct nlr_msg *m)
{
	return (struct nlattr *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));
}

static inline void nlr_init(struct nlr_msg *m, int type, int cmd, int flags)
{
	struct genlmsghdr *g;

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m->nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	g = NLMSG_DATA(&m->nlh);
	g->cmd = cmd;
	g->version = 1;
}

/* Returns the attribute, so a caller can fill or nest into it. */
static inline struct nlattr *nlr_put(struct nlr_msg *m, int type, const void *data, int len)
{
	struct nlattr *a = nlr_tail(m);

	if (NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_HDRLEN + NLA_ALIGN(len) > NLR_BUF)
		return NULL;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (data)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_HDRLEN + NLA_ALIGN(len);
	return a;
}

static inline int nlr_send(struct nlr *c, struct nlr_msg *m)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	m->nlh.nlmsg_seq = ++c->seq;
	if (sendto(c->fd, m->buf, m->nlh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/* The extack message of an error, when the kernel sent one. */
static inline void nlr_extack(struct nlr *c, struct nlmsghdr *h)
{
	struct nlmsgerr *e = NLMSG_DATA(h);
	int off = sizeof(*e), len;
	struct nlattr *a;

	c->extack[0] = 0;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	len = (int)h->nlmsg_len - NLMSG_HDRLEN - off;
	a = (struct nlattr *)((char *)e + off);
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			snprintf(c->extack, sizeof(c->extack), "%.*s",
				 (int)(a->nla_len - NLA_HDRLEN), (char *)a + NLA_HDRLEN);
			return;
		}
		len -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	}
}

typedef void (*nlr_cb)(struct nlmsghdr *h, void *arg);

/*
 * Reads until the ack (or the end of a dump) of sequence seq: 0 or the
 * negative errno the kernel answered, data messages to cb.
 */
static inline int nlr_wait(struct nlr *c, __u32 seq, nlr_cb cb, void *arg)
{
	static char buf[NLR_BUF];

	for (;;) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				nlr_extack(c, h);
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (cb)
				cb(h, arg);
		}
	}
}

static inline int nlr_call(struct nlr *c, struct nlr_msg *m, nlr_cb cb, void *arg)
{
	int ret;

	m->nlh.nlmsg_flags |= NLM_F_ACK;
	c->extack[0] = 0;
	ret = nlr_send(c, m);
	return ret ? ret : nlr_wait(c, c->seq, cb, arg);
}

/* Attribute type of a message's payload, or NULL: top level only. */
static inline struct nlattr *nlr_attr(struct nlmsghdr *h, int type)
{
	int len = (int)h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);

	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		len -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

static void nlr_family_cb(struct nlmsghdr *h, void *arg)
{
	struct nlattr *a = nlr_attr(h, CTRL_ATTR_FAMILY_ID);

	if (a)
		*(int *)arg = *(__u16 *)((char *)a + NLA_HDRLEN);
}

/* A generic netlink socket, with extended acks, and the id of family name. */
static inline int nlr_open(struct nlr *c, const char *name)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static struct nlr_msg m;
	int one = 1, ret;

	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (c->fd < 0)
		return -errno;
	setsockopt(c->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(c->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto err;
	nlr_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	nlr_put(&m, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	c->family = -1;
	ret = nlr_call(c, &m, nlr_family_cb, &c->family);
	if (ret || c->family < 0) {
		close(c->fd);
		return ret ? ret : -ENOENT;
	}
	return 0;
err:
	ret = -errno;
	close(c->fd);
	return ret;
}

#endif /* _JURIS_NLRAW_H */
