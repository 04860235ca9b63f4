// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink plumbing shared by every subcommand.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "netlink.h"

/*
 * Socket buffers: a table chunk is a 60 KB message, and the kernel refuses
 * to send one larger than the send buffer (libnl's default is 32 KiB).
 */
#define SOCK_BUF_BYTES (256 * 1024)

/* Lengths every reply attribute must have; binary arrays are checked later. */
static const struct nla_policy reply_policy[JURIS_A_MAX + 1] = {
	[JURIS_A_MODE]		= { .type = NLA_U8 },
	[JURIS_A_UNKNOWN]	= { .type = NLA_U8 },
	[JURIS_A_ALLOW]		= { .type = NLA_UNSPEC },
	[JURIS_A_TABLE_GEN]	= { .type = NLA_U64 },
	[JURIS_A_TABLE_V4]	= { .type = NLA_U32 },
	[JURIS_A_TABLE_V6]	= { .type = NLA_U32 },
	[JURIS_A_SEGMENTS_V4]	= { .type = NLA_U32 },
	[JURIS_A_SEGMENTS_V6]	= { .type = NLA_U32 },
	[JURIS_A_TABLE_BYTES]	= { .type = NLA_U64 },
	[JURIS_A_TOTALS]	= { .type = NLA_NESTED },
	[JURIS_A_ADDR]		= { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 },
	[JURIS_A_COUNTRY]	= { .type = NLA_UNSPEC, .minlen = 2, .maxlen = 2 },
	[JURIS_A_RANGE_START]	= { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 },
	[JURIS_A_RANGE_END]	= { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 },
	[JURIS_A_VERDICT]	= { .type = NLA_U8 },
	[JURIS_A_SPECIAL]	= { .type = NLA_FLAG },
	[JURIS_A_COUNTS]	= { .type = NLA_NESTED },
	[JURIS_A_DENY]		= { .type = NLA_UNSPEC },
	[JURIS_A_PREFIXES]	= { .type = NLA_NESTED },
	[JURIS_A_RULE]		= { .type = NLA_U8 },
	[JURIS_A_UIDS]		= { .type = NLA_NESTED },
	[JURIS_A_ACTION]	= { .type = NLA_U8 },
	[JURIS_A_SCOPE]		= { .type = NLA_U8 },
	[JURIS_A_NAT64]		= { .type = NLA_NESTED },
	[JURIS_A_RULE_INDEX]	= { .type = NLA_U32 },
	[JURIS_A_INITIAL]	= { .type = NLA_FLAG },
	[JURIS_A_EMBEDDED]	= { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 4 },
	[JURIS_A_LOCK]		= { .type = NLA_FLAG },
	[JURIS_A_EVENT_RATE]	= { .type = NLA_U32 },
	[JURIS_A_EVENT_BURST]	= { .type = NLA_U32 },
	[JURIS_A_LOG]		= { .type = NLA_U8 },
	[JURIS_A_SUPPRESSED]	= { .type = NLA_U64 },
	[JURIS_A_SEQ]		= { .type = NLA_U64 },
	[JURIS_A_TIME]		= { .type = NLA_U64 },
	[JURIS_A_HOOK]		= { .type = NLA_U8 },
	[JURIS_A_FAMILY]	= { .type = NLA_U8 },
	[JURIS_A_PROTO]		= { .type = NLA_U8 },
	[JURIS_A_SRC]		= { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 },
	[JURIS_A_DST]		= { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 },
	[JURIS_A_SPORT]		= { .type = NLA_U16 },
	[JURIS_A_DPORT]		= { .type = NLA_U16 },
	[JURIS_A_DIGEST]	= { .type = NLA_UNSPEC, .minlen = 32, .maxlen = 32 },
};

static const struct nla_policy counts_policy[JURIS_COUNTS_A_MAX + 1] = {
	[JURIS_COUNTS_A_ALLOWED]	= { .type = NLA_NESTED },
	[JURIS_COUNTS_A_DENIED]		= { .type = NLA_NESTED },
	[JURIS_COUNTS_A_AUDITED]	= { .type = NLA_NESTED },
};

static const struct nla_policy count_policy[JURIS_COUNT_A_MAX + 1] = {
	[JURIS_COUNT_A_PACKETS]	= { .type = NLA_U64 },
	[JURIS_COUNT_A_BYTES]	= { .type = NLA_U64 },
};

struct request {
	struct juris_nl *nl;
	juris_reply_fn fn;
	void *arg;
	int err;
	bool done;
	bool interrupted;
	bool replied;
};

/* libnl reports its own codes; callers deal in errno only. */
int juris_nl_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_PERM:		return -EPERM;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_BUSY:		return -EBUSY;
	case NLE_INVAL:		return -EINVAL;
	case NLE_RANGE:		return -ERANGE;
	case NLE_MSGSIZE:	return -EMSGSIZE;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_INTR:		return -EINTR;
	case NLE_DUMP_INTR:	return -EINTR;
	case NLE_AF_NOSUPPORT:	return -EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TRUNC:
	case NLE_MSG_OVERFLOW:
	case NLE_PARSE_ERR:	return -EBADMSG;
	default:		return -EIO;
	}
}

const char *juris_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case EPERM:
	case EACCES:
		return "permission denied (CAP_NET_ADMIN needed)";
	case EBUSY:
		return "another table load is in progress";
	case ENOMEM:
		return "out of memory";
	case EINVAL:
		return "the kernel rejected the request as invalid";
	case E2BIG:
		return "too many ranges for the kernel";
	case EMSGSIZE:
		return "message too large for the netlink socket";
	case EOPNOTSUPP:
		return "not supported by the loaded juris module";
	case EINTR:
		return "the data changed while it was being read";
	case EBADMSG:
		return "malformed netlink message from the kernel";
	case ENOBUFS:
		return "the kernel's answer was lost (no buffer space for it); the request may have taken effect";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

/* Prints NLMSGERR_ATTR_MSG from the TLVs found @offset bytes into @nlh. */
static void print_extack(const struct nlmsghdr *nlh, size_t offset)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlattr *msg;
	const char *text;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || offset >= nlh->nlmsg_len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + offset),
		      nlh->nlmsg_len - offset, NULL) < 0)
		return;
	msg = tb[NLMSGERR_ATTR_MSG];
	if (!msg || nla_len(msg) < 2)
		return;
	text = nla_data(msg);
	if (text[nla_len(msg) - 1] != '\0')
		return;
	fprintf(stderr, "juris: kernel reports: %s\n", text);
}

static int on_error(struct sockaddr_nl *from, struct nlmsgerr *e, void *arg)
{
	/* libnl hands over the payload; the header sits right before it. */
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)e - 1;
	struct request *req = arg;
	size_t offset = NLMSG_HDRLEN + sizeof(*e);

	(void)from;
	/* The kernel echoes the request unless it was capped. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if (!req->nl->quiet)
		print_extack(nlh, offset);
	req->err = e->error < 0 ? e->error : -e->error;
	req->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

/* NLMSG_DONE carries the dump's own result, which may be an error. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct request *req = arg;
	int status;

	if (nlmsg_datalen(nlh) >= (int)sizeof(status)) {
		memcpy(&status, nlmsg_data(nlh), sizeof(status));
		if (status < 0) {
			if (!req->nl->quiet)
				print_extack(nlh, NLMSG_HDRLEN + sizeof(status));
			req->err = status;
		}
	}
	req->done = true;
	return NL_STOP;
}

static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	(void)msg;
	/* Keep reading to the end: the rest of the dump is still queued. */
	req->interrupted = true;
	return NL_OK;
}

int juris_nl_parse(struct nl_msg *msg, struct nlattr *tb[JURIS_A_MAX + 1])
{
	return genlmsg_parse(nlmsg_hdr(msg), 0, tb, JURIS_A_MAX, reply_policy) < 0 ? -EBADMSG : 0;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[JURIS_A_MAX + 1];
	struct request *req = arg;
	int ret;

	/* A bad reply is remembered, but the ACK must still be read. */
	if (req->err || !req->fn)
		return NL_SKIP;
	if (juris_nl_parse(msg, tb) < 0) {
		req->err = -EBADMSG;
		return NL_SKIP;
	}
	ret = req->fn(tb, req->arg);
	if (ret < 0)
		req->err = ret;
	else
		req->replied = true;
	return NL_OK;
}

/*
 * The socket reported ENOBUFS: the kernel could not allocate a message for
 * us, the ACK most likely. The request was handled in our sendmsg(), so
 * whatever else it answered is queued already: read it without blocking.
 * A request whose reply arrived took effect (COMMIT builds its reply before
 * it commits); with no reply, nobody can tell, and the caller hears ENOBUFS.
 */
static void recover_lost_answer(struct juris_nl *nl, struct nl_cb *cb,
				struct request *req, bool dump)
{
	int ret;

	if (nl_socket_set_nonblocking(nl->sk) < 0) {
		req->err = -ENOBUFS;
		return;
	}
	do
		ret = nl_recvmsgs(nl->sk, cb);
	while (!req->done && ret >= 0);
	fcntl(nl_socket_get_fd(nl->sk), F_SETFL,
	      fcntl(nl_socket_get_fd(nl->sk), F_GETFL) & ~O_NONBLOCK);
	if (req->done)
		return;
	if (req->replied && !dump && !req->err)
		req->done = true;
	else if (!req->err)
		req->err = -ENOBUFS;
}

int juris_nl_request(struct juris_nl *nl, struct nl_msg *msg,
		     juris_reply_fn fn, void *arg)
{
	struct request req = { .nl = nl, .fn = fn, .arg = arg };
	bool dump = nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP;
	struct nl_cb *cb;
	int ret;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &req);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, &req);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &req);

	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		req.err = juris_nl_errno(ret);
		goto out;
	}
	while (!req.done) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret == -NLE_NOMEM && !req.done) {
			/* libnl's name for ENOBUFS from recvmsg() */
			recover_lost_answer(nl, cb, &req, dump);
			break;
		}
		if (ret < 0 && !req.done) {
			req.err = juris_nl_errno(ret);
			break;
		}
	}
	if (!req.err && req.interrupted)
		req.err = -EINTR;
out:
	nl_cb_put(cb);
	return req.err;
}

struct nl_msg *juris_nl_msg(struct juris_nl *nl, uint8_t cmd, int flags,
			    size_t payload)
{
	struct nl_msg *msg;

	/* libnl's nlmsg_alloc() is one page; table chunks are ~60 KB. */
	msg = nlmsg_alloc_size(NLMSG_HDRLEN + GENL_HDRLEN + payload);
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, JURIS_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int juris_nl_get_counts(struct nlattr *attr,
			struct juris_count counts[__JURIS_VERDICT_LAST])
{
	static const int verdict_attr[__JURIS_VERDICT_LAST] = {
		[JURIS_VERDICT_ALLOW] = JURIS_COUNTS_A_ALLOWED,
		[JURIS_VERDICT_DENY] = JURIS_COUNTS_A_DENIED,
		[JURIS_VERDICT_AUDIT] = JURIS_COUNTS_A_AUDITED,
	};
	struct nlattr *verdicts[JURIS_COUNTS_A_MAX + 1];
	struct nlattr *fields[JURIS_COUNT_A_MAX + 1];
	int v;

	memset(counts, 0, sizeof(*counts) * __JURIS_VERDICT_LAST);
	if (!attr)
		return 0;
	/* Newer kernels may add attributes: nla_parse skips unknown types. */
	if (nla_parse_nested(verdicts, JURIS_COUNTS_A_MAX, attr, counts_policy) < 0)
		return -EBADMSG;
	for (v = 0; v < __JURIS_VERDICT_LAST; ++v) {
		if (!verdicts[verdict_attr[v]])
			continue;
		if (nla_parse_nested(fields, JURIS_COUNT_A_MAX, verdicts[verdict_attr[v]],
				     count_policy) < 0)
			return -EBADMSG;
		if (fields[JURIS_COUNT_A_PACKETS])
			counts[v].packets = nla_get_u64(fields[JURIS_COUNT_A_PACKETS]);
		if (fields[JURIS_COUNT_A_BYTES])
			counts[v].bytes = nla_get_u64(fields[JURIS_COUNT_A_BYTES]);
	}
	return 0;
}

static void set_flag(struct juris_nl *nl, int option)
{
	int one = 1;

	/* Best effort: an older kernel just loses the detail. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, option, &one,
		   sizeof(one));
}

/*
 * The family's id, and a refusal to go on when the module speaks another
 * version of the protocol: attributes would be misread silently.
 */
static int resolve_family(struct juris_nl *nl)
{
	struct genl_family *family;
	struct nl_cache *cache;
	int ret, version;

	ret = genl_ctrl_alloc_cache(nl->sk, &cache);
	if (ret < 0) {
		ret = juris_nl_errno(ret);
		fprintf(stderr, "juris: cannot list the generic netlink families: %s\n",
			juris_strerror(ret));
		return ret;
	}
	family = genl_ctrl_search_by_name(cache, JURIS_GENL_NAME);
	nl_cache_free(cache);
	if (!family) {
		fprintf(stderr, "juris: the juris kernel module is not loaded (generic netlink family \"%s\" not found)\n",
			JURIS_GENL_NAME);
		return -ENOENT;
	}
	nl->family = genl_family_get_id(family);
	version = genl_family_get_version(family);
	genl_family_put(family);
	if (version != JURIS_GENL_VERSION) {
		fprintf(stderr, "juris: the loaded juris module speaks protocol version %d, this juris command version %d: install a module and a CLI from the same release\n",
			version, JURIS_GENL_VERSION);
		return -EPROTONOSUPPORT;
	}
	return 0;
}

int juris_nl_open(struct juris_nl *nl)
{
	int ret;

	nl->quiet = false;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		fprintf(stderr, "juris: out of memory\n");
		return -ENOMEM;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		ret = juris_nl_errno(ret);
		fprintf(stderr, "juris: cannot open a generic netlink socket: %s\n",
			juris_strerror(ret));
		goto err;
	}
	/* The kernel explains refusals in extended ACK text. */
	set_flag(nl, NETLINK_EXT_ACK);
	/* Errors need not echo a 60 KB table chunk back to us. */
	set_flag(nl, NETLINK_CAP_ACK);
	ret = nl_socket_set_buffer_size(nl->sk, SOCK_BUF_BYTES, SOCK_BUF_BYTES);
	if (ret < 0) {
		ret = juris_nl_errno(ret);
		fprintf(stderr, "juris: cannot size the netlink socket buffers: %s\n",
			juris_strerror(ret));
		goto err;
	}

	ret = resolve_family(nl);
	if (ret)
		goto err;
	return 0;

err:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return ret;
}

void juris_nl_close(struct juris_nl *nl)
{
	/* Closing also drops a table transaction left open by a failure. */
	nl_socket_free(nl->sk);
	nl->sk = NULL;
}
