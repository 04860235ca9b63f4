/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JURIS_REJECT_H
#define _JURIS_REJECT_H

struct net;
struct sk_buff;

/*
 * Answers a forwarded packet that is about to be dropped: a TCP reset for
 * TCP, else ICMP (ICMPv6) destination unreachable, administratively
 * prohibited. Best effort, atomic context.
 */
void juris_reject_v4(struct net *net, struct sk_buff *skb);
void juris_reject_v6(struct net *net, struct sk_buff *skb);

#endif /* _JURIS_REJECT_H */
