/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JURIS_NETLINK_H
#define _JURIS_NETLINK_H

#include <linux/types.h>

struct juris_event;
struct net;
struct sk_buff;

int juris_netlink_init(void);
void juris_netlink_uninit(void);

/* An event's message (NULL when out of memory), for the work item. */
struct sk_buff *juris_nl_event_msg(const struct juris_event *ev, u64 seq, u64 suppressed,
				   u32 uid);
/* To the namespace's listeners; inside an RCU read section. */
void juris_nl_event_send(struct net *net, struct sk_buff *msg);

#endif /* _JURIS_NETLINK_H */
