// SPDX-License-Identifier: GPL-2.0
/*
 * action reject: a forwarded packet the policy denies is answered, so the
 * client behind the device (a tethered laptop, a container) fails at once
 * instead of timing out. TCP gets a reset that looks as if it came from
 * the destination; anything else an ICMP or ICMPv6 "administratively
 * prohibited" error from this host. Called from the forward hook, in
 * softirq context under RCU: allocates atomically, takes none of our locks,
 * and gives up quietly (the packet is dropped all the same) when it cannot.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/tcp.h>

#include "reject.h"

/* Room for any link layer below the reset. */
#define RST_HEADROOM LL_MAX_HEADER

/*
 * The reset's TCP header, answering oth (with payload bytes of data): as
 * RFC 9293 3.10.7.1 says, a segment with ACK takes its ack number as the
 * sequence; one without is acknowledged.
 */
static void rst_fill(struct tcphdr *th, const struct tcphdr *oth, u32 payload)
{
	memset(th, 0, sizeof(*th));
	th->source = oth->dest;
	th->dest = oth->source;
	th->doff = sizeof(*th) / 4;
	th->rst = 1;
	if (oth->ack) {
		th->seq = oth->ack_seq;
	} else {
		th->ack = 1;
		th->ack_seq = htonl(ntohl(oth->seq) + oth->syn + oth->fin + payload);
	}
}

static void rst4(struct net *net, struct sk_buff *skb)
{
	const struct iphdr *oiph = ip_hdr(skb);
	unsigned int thoff = ip_hdrlen(skb);
	struct flowi4 fl4 = { };
	const struct tcphdr *oth;
	struct tcphdr _oth, *th;
	struct sk_buff *nskb;
	struct iphdr *iph;
	struct rtable *rt;
	int payload;

	oth = skb_header_pointer(skb, thoff, sizeof(_oth), &_oth);
	if (!oth || oth->rst || oth->doff < sizeof(_oth) / 4)
		return;
	payload = ntohs(oiph->tot_len) - thoff - oth->doff * 4;
	if (payload < 0)
		return;
	/* Routed by destination alone: the source is not one of ours. */
	fl4.daddr = oiph->saddr;
	fl4.flowi4_proto = IPPROTO_TCP;
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return;
	nskb = alloc_skb(RST_HEADROOM + sizeof(*iph) + sizeof(*th), GFP_ATOMIC);
	if (!nskb) {
		ip_rt_put(rt);
		return;
	}
	skb_dst_set(nskb, &rt->dst);
	skb_reserve(nskb, RST_HEADROOM);
	skb_reset_network_header(nskb);
	iph = skb_put_zero(nskb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->frag_off = htons(IP_DF);
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = IPPROTO_TCP;
	iph->saddr = oiph->daddr;
	iph->daddr = oiph->saddr;
	skb_set_transport_header(nskb, sizeof(*iph));
	th = skb_put(nskb, sizeof(*th));
	rst_fill(th, oth, payload);
	th->check = tcp_v4_check(sizeof(*th), iph->saddr, iph->daddr,
				 csum_partial(th, sizeof(*th), 0));
	nskb->protocol = htons(ETH_P_IP);
	/* Sets the length and the header checksum. */
	ip_local_out(net, NULL, nskb);
}

static void rst6(struct net *net, struct sk_buff *skb, unsigned int thoff)
{
	const struct ipv6hdr *oip6h = ipv6_hdr(skb);
	struct flowi6 fl6 = { };
	const struct tcphdr *oth;
	struct tcphdr _oth, *th;
	struct ipv6hdr *ip6h;
	struct sk_buff *nskb;
	struct dst_entry *dst;
	int payload;

	oth = skb_header_pointer(skb, thoff, sizeof(_oth), &_oth);
	if (!oth || oth->rst || oth->doff < sizeof(_oth) / 4)
		return;
	payload = skb->len - thoff - oth->doff * 4;
	if (payload < 0)
		return;
	fl6.daddr = oip6h->saddr;
	fl6.flowi6_proto = IPPROTO_TCP;
	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		return;
	}
	nskb = alloc_skb(RST_HEADROOM + sizeof(*ip6h) + sizeof(*th), GFP_ATOMIC);
	if (!nskb) {
		dst_release(dst);
		return;
	}
	skb_dst_set(nskb, dst);
	skb_reserve(nskb, RST_HEADROOM);
	skb_reset_network_header(nskb);
	ip6h = skb_put_zero(nskb, sizeof(*ip6h));
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->nexthdr = IPPROTO_TCP;
	ip6h->hop_limit = READ_ONCE(net->ipv6.devconf_all->hop_limit);
	ip6h->saddr = oip6h->daddr;
	ip6h->daddr = oip6h->saddr;
	skb_set_transport_header(nskb, sizeof(*ip6h));
	th = skb_put(nskb, sizeof(*th));
	rst_fill(th, oth, payload);
	th->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, sizeof(*th), IPPROTO_TCP,
				    csum_partial(th, sizeof(*th), 0));
	nskb->protocol = htons(ETH_P_IPV6);
	/* Sets the payload length. */
	ip6_local_out(net, NULL, nskb);
}

void juris_reject_v4(struct net *net, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	/* Only the first fragment holds the TCP header; icmp_send() checks the same. */
	if (iph->frag_off & htons(IP_OFFSET))
		return;
	if (iph->protocol == IPPROTO_TCP)
		rst4(net, skb);
	else
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PKT_FILTERED, 0);
}

void juris_reject_v6(struct net *net, struct sk_buff *skb)
{
	u8 proto = ipv6_hdr(skb)->nexthdr;
	__be16 frag_off = 0;
	int thoff;

	thoff = ipv6_skip_exthdr(skb, sizeof(struct ipv6hdr), &proto, &frag_off);
	if (thoff < 0 || (frag_off & htons(~0x7)))
		return;
	if (proto == IPPROTO_TCP)
		rst6(net, skb, thoff);
	else
		icmpv6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADM_PROHIBITED, 0);
}
