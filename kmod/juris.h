/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JURIS_H
#define _JURIS_H

#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "policy.h"
#include "table.h"

struct juris_events;
struct juris_txn;

/* One counter slot, per CPU. */
struct juris_count {
	u64 packets;
	u64 bytes;
};

/* The state of one network namespace. */
struct juris_net {
	/* With the table it judges by: see struct juris_policy. */
	struct juris_policy __rcu *policy;
	/*
	 * Per verdict, JURIS_NSLOTS counters each, indexed by country.
	 * Allocated with the first mode other than off, then kept; NULL
	 * before (the namespace has counted nothing).
	 */
	struct juris_count __percpu *counts[__JURIS_VERDICT_LAST];
	/* Allocated with the counters, then kept; see events.h. */
	struct juris_events *events;
	struct mutex lock;	/* serialises writers of all the fields */
	struct juris_txn *txn;	/* the table load in progress, if any */
	/*
	 * Its socket's portid (0: none), read without the lock when any
	 * generic netlink socket of the namespace is released.
	 */
	u32 txn_portid;
	u64 generation;
	/*
	 * juris lock: no change ever again, and a reference on the module
	 * until the namespace ends.
	 */
	bool locked;
	/*
	 * Registered only while the mode is not off: a namespace that does
	 * not use juris pays nothing per packet.
	 */
	bool hooked;
	struct nf_hook_ops hook_ops[4];
};

extern unsigned int juris_net_id;

static inline struct juris_net *juris_net(struct net *net)
{
	return net_generic(net, juris_net_id);
}

#define juris_dereference(jn, p) \
	rcu_dereference_protected(p, lockdep_is_held(&(jn)->lock))

/* Ends the table load in progress, if any; jn->lock held. */
void juris_txn_drop(struct juris_net *jn);

/*
 * Publishes new in place of the namespace's policy (and table), hooking
 * or unhooking for its mode; frees the old one (and a table new does not
 * keep) after a grace period; new->digest is set first. jn->lock held.
 * Fails only to hook or to hash, and then frees new.
 */
int juris_policy_publish(struct net *net, struct juris_net *jn, struct juris_policy *new);

#endif /* _JURIS_H */
