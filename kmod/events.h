/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JURIS_EVENTS_H
#define _JURIS_EVENTS_H

#include <linux/irq_work.h>
#include <linux/workqueue.h>

#include "policy.h"

struct juris_net;
struct net;
struct nf_hook_state;
struct sk_buff;

/*
 * Events waiting for the work item that sends them: a power of two, no
 * fewer than a burst can bring before the work runs.
 */
#define JURIS_EVENT_RING 1024

/* One denied or audited packet, as the packet path saw it. */
struct juris_event {
	u64 time;		/* ns since the epoch */
	u64 generation;		/* of the table; 0: none */
	u8 src[16], dst[16];	/* 4 bytes used for IPv4 */
	u8 start[16], end[16];	/* the segment: seg_len bytes */
	u8 embedded[4];		/* the IPv4 address a NAT64 destination embeds */
	u32 kuid;
	u32 rule_index;
	u16 cc;			/* JURIS_CC_UNKNOWN or a country index */
	u16 sport, dport;
	u8 verdict, mode, hook, family, proto, rule, log;
	u8 seg_len;		/* 4 or 16 */
	bool has_uid, has_ports, embeds;
};

struct juris_event_slot {
	unsigned long seq;	/* whose turn the slot is: see events.c */
	struct juris_event ev;
};

/* A namespace's events: allocated with its hooks, freed with it. */
struct juris_events {
	/* Token bucket: when the next event is due, in mono_fast ns. */
	atomic64_t tat;
	u64 __percpu *suppressed;
	atomic_long_t head;	/* the next slot a producer claims */
	unsigned long tail;	/* the work's: the next slot it sends */
	u64 seq;		/* the work's: the next event's JURIS_A_SEQ */
	struct net *net;
	struct irq_work wake;	/* queues work from the packet path, lock-free */
	struct work_struct work;
	struct juris_event_slot ring[JURIS_EVENT_RING];
};

struct juris_events *juris_events_new(struct net *net);
/* After the hooks are gone and a grace period has passed. */
void juris_events_free(struct juris_events *e);
/*
 * A new rate or burst: a bucket in debt at the old rate is empty at the
 * new one, refilling from now. jn->lock held, rate not 0.
 */
void juris_events_rate_changed(struct juris_events *e, u32 rate, u32 burst);
/* Events suppressed so far (0 for NULL). */
u64 juris_events_suppressed(const struct juris_events *e);

/*
 * Packet path: one event for a denied or audited packet, or one more
 * suppressed. Lock-free, never sleeps; the work item sends it.
 */
void juris_event(struct juris_net *jn, const struct juris_policy *p,
		 const struct sk_buff *skb, const struct nf_hook_state *state,
		 u8 verdict, u16 cc, u8 rule, const struct juris_uid_rule *u);

/* Events are sent once the family is registered ... */
void juris_events_start(void);
/*
 * ... and no more after this, for module removal: afterwards the family
 * may be unregistered with work items still to run.
 */
void juris_events_stop(void);

#endif /* _JURIS_EVENTS_H */
