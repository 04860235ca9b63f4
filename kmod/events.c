// SPDX-License-Identifier: GPL-2.0
/*
 * Events: one per denied or audited packet, for the "events" multicast
 * group and, with log kernel, the kernel log.
 *
 * The packet path only decides and records: a token bucket (one cmpxchg)
 * admits the event or counts it suppressed (per CPU), and an admitted one
 * is copied into the namespace's ring, a bounded lock-free queue of many
 * producers (each slot's seq says whose turn it is, as in Dmitry Vyukov's
 * bounded queue), and irq_work, lock-free too, queues the work item. The
 * work builds the netlink messages and the log lines, where it may sleep:
 * whether anyone listens costs the packet path nothing.
 */

#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/timekeeping.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "events.h"
#include "juris.h"
#include "netlink.h"

/*
 * No event is sent before the family is registered (a fail_closed
 * namespace judges from the start) nor after it is unregistered.
 */
static bool stopped = true;

/* The kernel log lines of all namespaces together. */
static DEFINE_RATELIMIT_STATE(log_limit, 5 * HZ, 50);

static void events_wake(struct irq_work *w)
{
	struct juris_events *e = container_of(w, struct juris_events, wake);

	queue_work(system_wq, &e->work);
}

static void events_work(struct work_struct *w);

struct juris_events *juris_events_new(struct net *net)
{
	struct juris_events *e;
	unsigned long i;

	e = kvzalloc(sizeof(*e), JURIS_GFP);
	if (!e)
		return NULL;
	e->suppressed = alloc_percpu_gfp(u64, JURIS_GFP);
	if (!e->suppressed) {
		kvfree(e);
		return NULL;
	}
	for (i = 0; i < JURIS_EVENT_RING; ++i)
		e->ring[i].seq = i;
	e->net = net;
	init_irq_work(&e->wake, events_wake);
	INIT_WORK(&e->work, events_work);
	return e;
}

void juris_events_free(struct juris_events *e)
{
	if (!e)
		return;
	/* The wake may queue the work: wait for it first. */
	irq_work_sync(&e->wake);
	cancel_work_sync(&e->work);
	free_percpu(e->suppressed);
	kvfree(e);
}

u64 juris_events_suppressed(const struct juris_events *e)
{
	u64 n = 0;
	int cpu;

	if (!e)
		return 0;
	for_each_possible_cpu(cpu)
		n += READ_ONCE(*per_cpu_ptr(e->suppressed, cpu));
	return n;
}

void juris_events_start(void)
{
	WRITE_ONCE(stopped, false);
}

void juris_events_stop(void)
{
	WRITE_ONCE(stopped, true);
	/* The work sends inside an RCU read section: none is left after. */
	synchronize_rcu();
}

/*
 * Generic cell rate algorithm: tat is when the bucket is next full again,
 * less a burst; an event is admitted while it stays within burst events
 * of now. A tat further ahead than one burst at this rate is a slower
 * rate's debt (juris_events_rate_changed() clears most of it as the rate
 * changes; packets judged by the old policy meanwhile may add some): it
 * becomes an empty bucket, which refills at this rate.
 */
static bool admit(struct juris_events *e, u32 rate, u32 burst)
{
	u64 now = ktime_get_mono_fast_ns();
	u32 interval = NSEC_PER_SEC / rate;
	u64 tau = (u64)interval * burst;
	s64 old = atomic64_read(&e->tat);
	u64 tat;

	do {
		tat = max_t(u64, old, now);
		if (tat > now + tau) {
			if (atomic64_try_cmpxchg(&e->tat, &old, now + tau))
				return false;
			continue;
		}
		if (tat + interval - now > tau)
			return false;
	} while (!atomic64_try_cmpxchg(&e->tat, &old, tat + interval));
	return true;
}

void juris_events_rate_changed(struct juris_events *e, u32 rate, u32 burst)
{
	u64 most = ktime_get_mono_fast_ns() + (u64)(NSEC_PER_SEC / rate) * burst;
	s64 old = atomic64_read(&e->tat);

	/* No more than an empty bucket at the new rate, from now on. */
	while ((u64)old > most && !atomic64_try_cmpxchg(&e->tat, &old, most))
		;
}

/* Claims a slot, fills it; false when the ring is full. */
static bool push(struct juris_events *e, const struct juris_event *ev)
{
	long pos = atomic_long_read(&e->head);
	struct juris_event_slot *s;
	long dif;

	for (;;) {
		s = &e->ring[pos & (JURIS_EVENT_RING - 1)];
		/* Pairs with pop()'s release: the work is done with the slot. */
		dif = (long)(smp_load_acquire(&s->seq) - pos);
		if (dif < 0)
			return false;
		if (dif > 0)
			pos = atomic_long_read(&e->head);
		else if (atomic_long_try_cmpxchg_relaxed(&e->head, &pos, pos + 1))
			break;
	}
	s->ev = *ev;
	/* The slot is the work's once the event is in it. */
	smp_store_release(&s->seq, pos + 1);
	return true;
}

/* The work's: the next event, in order; false when there is none yet. */
static bool pop(struct juris_events *e, struct juris_event *ev)
{
	struct juris_event_slot *s = &e->ring[e->tail & (JURIS_EVENT_RING - 1)];

	/* Pairs with push()'s release: the event is whole. */
	if (smp_load_acquire(&s->seq) != e->tail + 1)
		return false;
	*ev = s->ev;
	/* Free for the producer one lap on. */
	smp_store_release(&s->seq, e->tail + JURIS_EVENT_RING);
	++e->tail;
	return true;
}

static void put_addr(u8 *p, juris_u128 a, int bytes)
{
	int i;

	for (i = bytes - 1; i >= 0; --i, a >>= 8)
		p[i] = a;
}

/* TCP, UDP, UDP-Lite and SCTP begin with the ports. */
static bool has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE ||
	       proto == IPPROTO_SCTP;
}

static void get_ports(const struct sk_buff *skb, int offset, struct juris_event *ev)
{
	__be16 buf[2];
	const __be16 *ports;

	if (!has_ports(ev->proto))
		return;
	ports = skb_header_pointer(skb, offset, sizeof(buf), buf);
	if (!ports)
		return;
	ev->sport = ntohs(ports[0]);
	ev->dport = ntohs(ports[1]);
	ev->has_ports = true;
}

/* The addresses and ports; the destination judged, as an integer. */
static juris_u128 fill_packet(const struct juris_policy *p, const struct sk_buff *skb,
			      struct juris_event *ev, int *bits)
{
	juris_u128 daddr;
	u32 v4;

	if (ev->family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		memcpy(ev->src, &iph->saddr, 4);
		memcpy(ev->dst, &iph->daddr, 4);
		ev->proto = iph->protocol;
		if (!(iph->frag_off & htons(IP_OFFSET)))
			get_ports(skb, skb_network_offset(skb) + iph->ihl * 4, ev);
		*bits = 32;
		return ntohl(iph->daddr);
	}
	{
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		__be16 frag_off;
		u8 proto = ip6h->nexthdr;
		int off;

		memcpy(ev->src, &ip6h->saddr, 16);
		memcpy(ev->dst, &ip6h->daddr, 16);
		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h), &proto,
				       &frag_off);
		ev->proto = off < 0 ? ip6h->nexthdr : proto;
		if (off >= 0 && !(frag_off & htons(~0x7)))
			get_ports(skb, off, ev);
		daddr = (juris_u128)ntohl(ip6h->daddr.s6_addr32[0]) << 96 |
			(juris_u128)ntohl(ip6h->daddr.s6_addr32[1]) << 64 |
			(u64)ntohl(ip6h->daddr.s6_addr32[2]) << 32 |
			ntohl(ip6h->daddr.s6_addr32[3]);
	}
	*bits = 128;
	if (juris_nat64_v4(p, daddr, &v4)) {
		ev->embeds = true;
		put_addr(ev->embedded, v4, 4);
		*bits = 32;
		return v4;
	}
	return daddr;
}

void juris_event(struct juris_net *jn, const struct juris_policy *p,
		 const struct sk_buff *skb, const struct nf_hook_state *state,
		 u8 verdict, u16 cc, u8 rule, const struct juris_uid_rule *u)
{
	struct juris_events *e = jn->events;
	const struct sock *sk = skb->sk;
	juris_u128 addr, start, end;
	struct juris_event ev;
	bool pushed;
	int bits;

	if (!admit(e, p->event_rate, p->event_burst))
		goto suppressed;
	memset(&ev, 0, sizeof(ev));
	ev.time = ktime_get_real_ns();
	ev.generation = p->table ? p->table->generation : 0;
	ev.verdict = verdict;
	ev.mode = p->mode;
	ev.log = p->log;
	ev.hook = state->hook == NF_INET_LOCAL_OUT ? JURIS_SCOPE_LOCAL : JURIS_SCOPE_FORWARD;
	ev.family = state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	ev.cc = cc;
	ev.rule = rule;
	addr = fill_packet(p, skb, &ev, &bits);
	juris_table_segment(p->table, bits, addr, &start, &end);
	ev.seg_len = bits / 8;
	put_addr(ev.start, start, ev.seg_len);
	put_addr(ev.end, end, ev.seg_len);
	if (rule == JURIS_RULE_PREFIX)
		ev.rule_index = juris_prefix_rule_index(p, bits, addr);
	else if (rule == JURIS_RULE_UID)
		ev.rule_index = u - p->uid;
	if (state->hook == NF_INET_LOCAL_OUT && sk && sk_fullsock(sk)) {
		ev.kuid = __kuid_val(sk->sk_uid);
		ev.has_uid = true;
	}
	/*
	 * Not preempted between claiming a slot and filling it: the work
	 * waits for each slot in turn.
	 */
	preempt_disable();
	pushed = push(e, &ev);
	preempt_enable();
	if (!pushed)
		goto suppressed;
	irq_work_queue(&e->wake);
	return;

suppressed:
	this_cpu_inc(*e->suppressed);
}

/*
 * A kernel uid as the namespace's user namespace sees it, 65534 where it
 * is not mapped there. The map is written once (see uid_map_range()).
 */
static u32 uid_map_up(const struct user_namespace *ns, u32 kuid)
{
	const struct uid_gid_map *map = &ns->uid_map;
	const struct uid_gid_extent *x;
	u32 extents = READ_ONCE(map->nr_extents), i;

	/* Pairs with the write barrier map_write() puts before nr_extents. */
	smp_rmb();
	x = extents <= UID_GID_MAP_MAX_BASE_EXTENTS ? map->extent : map->forward;
	for (i = 0; i < extents; ++i)
		if (kuid >= x[i].lower_first && kuid - x[i].lower_first < x[i].count)
			return x[i].first + (kuid - x[i].lower_first);
	return 65534;
}

static const char *proto_name(u8 proto, char *buf, size_t size)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_UDPLITE: return "udplite";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	}
	snprintf(buf, size, "%u", proto);
	return buf;
}

static void addr_text(char *buf, size_t size, const u8 *a, int len)
{
	if (len == 4)
		snprintf(buf, size, "%pI4", a);
	else
		snprintf(buf, size, "%pI6c", a);
}

static void log_line(const struct juris_events *e, const struct juris_event *ev, u64 seq,
		     u32 uid)
{
	static const char *const rules[] = {
		[JURIS_RULE_SPECIAL] = "special", [JURIS_RULE_PREFIX] = "prefix",
		[JURIS_RULE_COUNTRY] = "country", [JURIS_RULE_UNKNOWN] = "unknown",
		[JURIS_RULE_UID] = "uid",
	};
	char src[48], dst[48], start[48], end[48], emb[16] = "-", pbuf[4];
	char sport[8] = "-", dport[8] = "-", cc[3] = "-", index[12] = "-", uidt[12] = "-";
	int alen = ev->family == AF_INET ? 4 : 16;

	if (!__ratelimit(&log_limit))
		return;
	addr_text(src, sizeof(src), ev->src, alen);
	addr_text(dst, sizeof(dst), ev->dst, alen);
	addr_text(start, sizeof(start), ev->start, ev->seg_len);
	addr_text(end, sizeof(end), ev->end, ev->seg_len);
	if (ev->embeds)
		addr_text(emb, sizeof(emb), ev->embedded, 4);
	if (ev->has_ports) {
		snprintf(sport, sizeof(sport), "%u", ev->sport);
		snprintf(dport, sizeof(dport), "%u", ev->dport);
	}
	if (ev->cc && ev->cc < JURIS_CC_SPECIAL) {
		juris_cc_code(ev->cc, cc);
		cc[2] = '\0';
	}
	if (ev->rule == JURIS_RULE_PREFIX || ev->rule == JURIS_RULE_UID)
		snprintf(index, sizeof(index), "%u", ev->rule_index);
	if (ev->has_uid)
		snprintf(uidt, sizeof(uidt), "%u", uid);
	pr_info("verdict=%s mode=%s hook=%s family=%s proto=%s src=%s sport=%s dst=%s dport=%s embedded=%s cc=%s segment=%s-%s rule=%s rule_index=%s uid=%s gen=%llu seq=%llu netns=%u\n",
		ev->verdict == JURIS_VERDICT_DENY ? "deny" : "audit",
		ev->mode == JURIS_MODE_ENFORCE ? "enforce" : "audit",
		ev->hook == JURIS_SCOPE_LOCAL ? "local" : "forward",
		ev->family == AF_INET ? "ipv4" : "ipv6",
		proto_name(ev->proto, pbuf, sizeof(pbuf)), src, sport, dst, dport, emb, cc,
		start, end, ev->rule <= JURIS_RULE_MAX ? rules[ev->rule] : "?", index, uidt,
		ev->generation, seq, e->net->ns.inum);
}

static void events_work(struct work_struct *w)
{
	struct juris_events *e = container_of(w, struct juris_events, work);
	struct juris_event ev;
	struct sk_buff *msg;
	u32 uid, n = 0;

	while (pop(e, &ev)) {
		uid = ev.has_uid ? uid_map_up(e->net->user_ns, ev.kuid) : 0;
		msg = juris_nl_event_msg(&ev, e->seq, juris_events_suppressed(e), uid);
		if (msg) {
			rcu_read_lock();
			if (READ_ONCE(stopped))
				nlmsg_free(msg);
			else
				juris_nl_event_send(e->net, msg);
			rcu_read_unlock();
		}
		if (ev.log == JURIS_LOG_KERNEL)
			log_line(e, &ev, e->seq, uid);
		++e->seq;
		if (!(++n % 64))
			cond_resched();
	}
}
