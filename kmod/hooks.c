// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: judge each outgoing and forwarded packet by the country
 * of its destination. Runs under the RCU read lock netfilter holds; takes no
 * other lock, allocates nothing, never sleeps.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/percpu.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "events.h"
#include "hooks.h"
#include "juris.h"
#include "reject.h"

/*
 * After conntrack, mangle and destination NAT (-100), so the destination we
 * judge is the one the packet will really go to; after the filter table.
 */
#define JURIS_PRIORITY (NF_IP_PRI_FILTER + 10)

/* What decided a packet's verdict, for its event. */
struct why {
	u8 rule;		/* enum juris_rule */
	const struct juris_uid_rule *uid;
};

static unsigned int judge(struct juris_net *jn, const struct juris_policy *policy,
			  struct sk_buff *skb, const struct nf_hook_state *state,
			  enum juris_verdict verdict, u16 cc, u8 proto, const struct why *why)
{
	struct juris_count __percpu *c;
	int err;

	/* A country's slot, or JURIS_SLOT_SPECIAL for JURIS_CC_SPECIAL. */
	c = jn->counts[verdict] + cc;
	this_cpu_inc(c->packets);
	this_cpu_add(c->bytes, skb->len);

	if (verdict == JURIS_VERDICT_ALLOW)
		return NF_ACCEPT;
	if (policy->event_rate)
		juris_event(jn, policy, skb, state, verdict, cc, why->rule, why->uid);
	if (verdict != JURIS_VERDICT_DENY)
		return NF_ACCEPT;
	if (state->hook != NF_INET_LOCAL_OUT) {
		if (policy->action == JURIS_ACTION_REJECT) {
			if (state->pf == NFPROTO_IPV4)
				juris_reject_v4(state->net, skb);
			else
				juris_reject_v6(state->net, skb);
		}
		return NF_DROP;
	}
	/*
	 * Tell the sending program now rather than let it time out. A TCP
	 * connect passes only ECONNREFUSED up from its transmit path;
	 * datagram sends return this errno from sendmsg.
	 */
	err = proto == IPPROTO_TCP ? -ECONNREFUSED : -EPERM;
	/* NF_DROP_ERR does not parenthesise its argument: pass a plain name. */
	return NF_DROP_ERR(err);
}

/*
 * The UID rule of a locally generated packet's socket: its owner, which
 * follows fchown() (Android's DnsResolver hands each app's lookups to that
 * app's UID this way). Forwarded packets and packets without a full socket
 * (time-wait, request sockets) have none.
 */
static const struct juris_uid_rule *uid_rule(const struct juris_policy *policy,
					     const struct sk_buff *skb,
					     const struct nf_hook_state *state)
{
	const struct sock *sk = skb->sk;

	if (!policy->nuidspan || state->hook != NF_INET_LOCAL_OUT || !sk || !sk_fullsock(sk))
		return NULL;
	return juris_uid_rule(policy, __kuid_val(sk->sk_uid));
}

/*
 * A packet to one of the device's own addresses, whatever it is, goes out
 * over loopback and never leaves: it is local, like the special-purpose
 * destinations, not judged by country.
 */
static bool to_self(const struct nf_hook_state *state)
{
	return state->hook == NF_INET_LOCAL_OUT && state->out &&
	       (state->out->flags & IFF_LOOPBACK);
}

/* Mode off, or a packet outside the policy's scope, passes uncounted. */
static bool judged(const struct juris_policy *policy, const struct nf_hook_state *state)
{
	return policy->mode != JURIS_MODE_OFF &&
	       policy->scope & (state->hook == NF_INET_LOCAL_OUT ? JURIS_SCOPE_LOCAL :
				JURIS_SCOPE_FORWARD);
}

static unsigned int hook4(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	struct juris_net *jn = priv;
	const struct juris_policy *policy = rcu_dereference(jn->policy);
	enum juris_verdict verdict;
	const struct iphdr *iph;
	struct why why;
	u16 cc;

	if (!judged(policy, state))
		return NF_ACCEPT;
	iph = ip_hdr(skb);
	if (to_self(state))
		return judge(jn, policy, skb, state, JURIS_VERDICT_ALLOW, JURIS_CC_SPECIAL, 0,
			     NULL);
	why.uid = uid_rule(policy, skb, state);
	verdict = juris_judge_v4(policy, policy->table, ntohl(iph->daddr), why.uid, &cc,
				 &why.rule);
	return judge(jn, policy, skb, state, verdict, cc, iph->protocol, &why);
}

static unsigned int hook6(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	struct juris_net *jn = priv;
	const struct juris_policy *policy = rcu_dereference(jn->policy);
	enum juris_verdict verdict;
	const struct ipv6hdr *ip6h;
	juris_u128 daddr;
	struct why why;
	u16 cc;
	u8 proto;

	if (!judged(policy, state))
		return NF_ACCEPT;
	ip6h = ipv6_hdr(skb);
	daddr = (juris_u128)ntohl(ip6h->daddr.s6_addr32[0]) << 96 |
		(juris_u128)ntohl(ip6h->daddr.s6_addr32[1]) << 64 |
		(u64)ntohl(ip6h->daddr.s6_addr32[2]) << 32 |
		ntohl(ip6h->daddr.s6_addr32[3]);
	if (to_self(state))
		return judge(jn, policy, skb, state, JURIS_VERDICT_ALLOW, JURIS_CC_SPECIAL, 0,
			     NULL);
	why.uid = uid_rule(policy, skb, state);
	verdict = juris_judge_v6(policy, policy->table, daddr, why.uid, &cc, &why.rule);
	proto = ip6h->nexthdr;
	/* The errno depends on the transport, past any extension headers. */
	if (verdict == JURIS_VERDICT_DENY && state->hook == NF_INET_LOCAL_OUT) {
		__be16 frag_off;

		if (ipv6_skip_exthdr(skb, sizeof(*ip6h), &proto, &frag_off) < 0)
			proto = ip6h->nexthdr;
	}
	return judge(jn, policy, skb, state, verdict, cc, proto, &why);
}

static int hooks_register(struct net *net, struct juris_net *jn)
{
	static const struct {
		u8 pf;
		unsigned int hooknum;
		nf_hookfn *fn;
	} hooks[] = {
		{ NFPROTO_IPV4, NF_INET_LOCAL_OUT, hook4 },
		{ NFPROTO_IPV4, NF_INET_FORWARD, hook4 },
		{ NFPROTO_IPV6, NF_INET_LOCAL_OUT, hook6 },
		{ NFPROTO_IPV6, NF_INET_FORWARD, hook6 },
	};
	int i;

	BUILD_BUG_ON(ARRAY_SIZE(hooks) != ARRAY_SIZE(jn->hook_ops));
	for (i = 0; i < ARRAY_SIZE(hooks); ++i) {
		jn->hook_ops[i] = (struct nf_hook_ops){
			.hook = hooks[i].fn,
			.priv = jn,
			.pf = hooks[i].pf,
			.hooknum = hooks[i].hooknum,
			.priority = JURIS_PRIORITY,
		};
	}
	return nf_register_net_hooks(net, jn->hook_ops, ARRAY_SIZE(jn->hook_ops));
}

/*
 * The counters and the event queue come with the first hooks and stay:
 * turning juris off and on again keeps the counts.
 */
static int counts_alloc(struct net *net, struct juris_net *jn)
{
	struct juris_count __percpu *c;
	int v;

	for (v = 0; v < __JURIS_VERDICT_LAST; ++v) {
		if (jn->counts[v])
			continue;
		c = __alloc_percpu_gfp(JURIS_NSLOTS * sizeof(struct juris_count),
				       __alignof__(struct juris_count), JURIS_GFP);
		if (!c)
			return -ENOMEM;
		/* Zeroed before it is seen: status and dumps read it unlocked. */
		smp_store_release(&jn->counts[v], c);
	}
	if (!jn->events) {
		struct juris_events *e = juris_events_new(net);

		if (!e)
			return -ENOMEM;
		/* Whole before status reads it unlocked. */
		smp_store_release(&jn->events, e);
	}
	return 0;
}

int juris_hooks_set(struct net *net, struct juris_net *jn, bool on)
{
	int ret;

	if (on == jn->hooked)
		return 0;
	if (!on) {
		nf_unregister_net_hooks(net, jn->hook_ops, ARRAY_SIZE(jn->hook_ops));
		jn->hooked = false;
		return 0;
	}
	ret = counts_alloc(net, jn);
	if (!ret)
		ret = hooks_register(net, jn);
	if (!ret)
		jn->hooked = true;
	return ret;
}
