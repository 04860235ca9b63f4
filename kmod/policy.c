// SPDX-License-Identifier: GPL-2.0
/*
 * Policy evaluation and the special-purpose addresses that no policy
 * touches. Kernel-agnostic (see core.h).
 */

#include "policy.h"

#define V4(a, b, c, d) (((juris_u128)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define V6(hi16) ((juris_u128)(hi16) << 112)

/*
 * Traffic to these never leaves for a jurisdiction: it stays on the host or
 * the local network, or is multicast. Blocking it would break the device.
 * Sorted and disjoint: every table is built with them laid over it.
 */
static const struct juris_prefix special4[] = {
	{ V4(0, 0, 0, 0), 8 },		/* "this network", unspecified */
	{ V4(10, 0, 0, 0), 8 },		/* RFC 1918 */
	{ V4(100, 64, 0, 0), 10 },	/* CGNAT, RFC 6598 */
	{ V4(127, 0, 0, 0), 8 },	/* loopback */
	{ V4(169, 254, 0, 0), 16 },	/* link-local */
	{ V4(172, 16, 0, 0), 12 },	/* RFC 1918 */
	{ V4(192, 168, 0, 0), 16 },	/* RFC 1918 */
	{ V4(224, 0, 0, 0), 4 },	/* multicast */
	{ V4(255, 255, 255, 255), 32 },	/* limited broadcast */
};

static const struct juris_prefix special6[] = {
	{ 0, 128 },			/* unspecified */
	{ 1, 128 },			/* loopback */
	{ V6(0xfc00), 7 },		/* unique local */
	{ V6(0xfe80), 10 },		/* link-local */
	{ V6(0xff00), 8 },		/* multicast */
};

static bool in_prefixes(const struct juris_prefix *p, int n, int bits, juris_u128 addr)
{
	int i;

	for (i = 0; i < n; ++i) {
		int shift = bits - p[i].len;	/* len >= 1, so shift < 128 */

		if ((addr >> shift) == (p[i].addr >> shift))
			return true;
	}
	return false;
}

/*
 * The per-packet checks: the same prefixes as above, by the first octet for
 * IPv4 and the top bits for IPv6, rather than a loop of 128-bit shifts
 * (which cost as much as the table lookup). The prefix tables stay the
 * reference the host test checks these against.
 */
bool juris_special_v4(u32 addr)
{
	u32 b = addr >> 16;

	switch (addr >> 24) {
	case 0:
	case 10:
	case 127:
		return true;
	case 100:
		return (b & 0xc0) == 64;	/* 100.64.0.0/10 */
	case 169:
		return (b & 0xff) == 254;
	case 172:
		return (b & 0xf0) == 16;
	case 192:
		return (b & 0xff) == 168;
	default:
		/* Multicast 224.0.0.0/4 and above: 240/4 only at its last address. */
		return (addr >> 28) == 0xe || addr == 0xffffffffU;
	}
}

bool juris_special_v6(juris_u128 addr)
{
	u64 hi = (u64)(addr >> 64);

	if (!hi)
		return addr <= 1;
	return (hi >> 57) == 0x7e ||	/* fc00::/7 */
	       (hi >> 54) == 0x3fa ||	/* fe80::/10 */
	       (hi >> 56) == 0xff;	/* ff00::/8 */
}

bool juris_special_ref_v4(u32 addr)
{
	return in_prefixes(special4, sizeof(special4) / sizeof(*special4), 32, addr);
}

bool juris_special_ref_v6(juris_u128 addr)
{
	return in_prefixes(special6, sizeof(special6) / sizeof(*special6), 128, addr);
}

void juris_special_overlay(struct juris_overlay over[2])
{
	over[0].prefix = special4;
	over[0].n = sizeof(special4) / sizeof(*special4);
	over[1].prefix = special6;
	over[1].n = sizeof(special6) / sizeof(*special6);
}

/* Rule order: by family, address, length, action (so block after exempt). */
static int rule_cmp(const struct juris_prefix_rule *a, const struct juris_prefix_rule *b)
{
	if (a->bits != b->bits)
		return a->bits < b->bits ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return (int)a->action - (int)b->action;
}

static void rule_sift(struct juris_prefix_rule *r, u32 i, u32 n)
{
	struct juris_prefix_rule x = r[i];
	u32 child;

	while ((child = 2 * i + 1) < n) {
		if (child + 1 < n && rule_cmp(&r[child + 1], &r[child]) > 0)
			++child;
		if (rule_cmp(&r[child], &x) <= 0)
			break;
		r[i] = r[child];
		i = child;
	}
	r[i] = x;
}

/* Heapsort, then duplicates dropped; returns how many are left. */
static u32 rules_sort(struct juris_prefix_rule *r, u32 n)
{
	u32 i, k;

	for (i = n / 2; i-- > 0;)
		rule_sift(r, i, n);
	for (i = n; i-- > 1;) {
		struct juris_prefix_rule x = r[0];

		r[0] = r[i];
		r[i] = x;
		rule_sift(r, 0, i);
	}
	for (i = k = 0; i < n; ++i)
		if (!k || rule_cmp(&r[k - 1], &r[i]))
			r[k++] = r[i];
	return k;
}

static juris_u128 rule_start(const struct juris_prefix_rule *r)
{
	return (juris_u128)r->hi << 64 | r->lo;
}

static juris_u128 rule_end(const struct juris_prefix_rule *r)
{
	juris_u128 host = r->len >= r->bits ? 0 : ~(juris_u128)0 >> (128 - r->bits + r->len);

	return rule_start(r) | host;
}

struct spans {
	int bits;
	u32 n;
	u32 *start4;
	u64 *start6;
	u8 *act;
};

/* Appends a span starting at "at", or changes the one there; neighbours never match. */
static void span_emit(struct spans *s, juris_u128 at, u8 act)
{
	juris_u128 last = 0;

	if (s->n)
		last = s->bits == 32 ? s->start4[s->n - 1] :
		       (juris_u128)s->start6[2 * s->n - 2] << 64 | s->start6[2 * s->n - 1];
	if (s->n && last == at) {
		s->act[s->n - 1] = act;
		if (s->n >= 2 && s->act[s->n - 2] == act)
			--s->n;
		return;
	}
	if (s->n && s->act[s->n - 1] == act)
		return;
	if (s->bits == 32) {
		s->start4[s->n] = (u32)at;
	} else {
		s->start6[2 * s->n] = (u64)(at >> 64);
		s->start6[2 * s->n + 1] = (u64)at;
	}
	s->act[s->n++] = act;
}

/*
 * A sweep over one family's sorted rules, the prefixes that cover the
 * current one on a stack: prefixes nest or are disjoint, so the stack is
 * at most one per length, and an equal prefix later in the order (block
 * after exempt) takes the place of the one before. At most 2n + 1 spans.
 */
static void spans_build(struct spans *s, const struct juris_prefix_rule *r, u32 n,
			const struct juris_prefix_rule **stack)
{
	u32 i, sp = 0;

	span_emit(s, 0, JURIS_PREFIX_NONE);
	for (i = 0; i < n; ++i) {
		juris_u128 start = rule_start(&r[i]);

		while (sp && rule_end(stack[sp - 1]) < start) {
			juris_u128 end = rule_end(stack[--sp]);

			span_emit(s, end + 1, sp ? stack[sp - 1]->action : JURIS_PREFIX_NONE);
		}
		if (sp && rule_start(stack[sp - 1]) == start && stack[sp - 1]->len == r[i].len)
			--sp;
		span_emit(s, start, r[i].action);
		stack[sp++] = &r[i];
	}
	while (sp) {
		juris_u128 end = rule_end(stack[--sp]);

		/* The family's last address ends every prefix still open. */
		if (end == (s->bits == 32 ? 0xffffffffU : ~(juris_u128)0))
			break;
		span_emit(s, end + 1, sp ? stack[sp - 1]->action : JURIS_PREFIX_NONE);
	}
}

/*
 * The UID rules' kernel uids cut into disjoint spans, each with the lowest
 * rule covering it: at most 2n + 1 spans of n ranges. The boundaries are
 * sorted in bounds (2n + 1 of them); for each span between two, the ranges
 * are scanned. A policy holds at most JURIS_MAX_UID_RANGES pieces, so this
 * takes a few million steps at most, once, when the policy is set.
 */
static u32 uid_spans(const struct juris_uid_range *r, u32 n, u32 *bounds, u32 *start,
		     u16 *rule)
{
	u32 nb = 0, ns = 0, i, k;

	bounds[nb++] = 0;
	for (i = 0; i < n; ++i) {
		bounds[nb++] = r[i].first;
		if (r[i].last != 0xffffffffU)
			bounds[nb++] = r[i].last + 1;
	}
	/* Insertion sort of at most 2n + 1 keys, mostly in order already. */
	for (i = 1; i < nb; ++i) {
		u32 x = bounds[i];

		for (k = i; k && bounds[k - 1] > x; --k)
			bounds[k] = bounds[k - 1];
		bounds[k] = x;
	}
	for (i = 0; i < nb; ++i) {
		u32 at = bounds[i], best = JURIS_UID_NONE;

		if (i && at == bounds[i - 1])
			continue;
		for (k = 0; k < n; ++k)
			if (r[k].first <= at && at <= r[k].last && r[k].rule < best)
				best = r[k].rule;
		if (ns && rule[ns - 1] == best)
			continue;
		start[ns] = at;
		rule[ns++] = best;
	}
	return ns;
}

struct juris_policy *juris_policy_new(const struct juris_policy *base,
				      const struct juris_rules *r)
{
	struct juris_rules keep = { 0 };
	const struct juris_prefix_rule **stack;
	struct juris_policy *p;
	struct spans s4 = { .bits = 32 }, s6 = { .bits = 128 };
	u32 n4 = 0, n6, i, max4, max6, maxu, n;
	size_t size;
	u8 *x;

	if (r)
		keep = *r;
	if (base && !keep.prefix) {
		keep.prefix = base->prefix;
		keep.nprefix = base->nprefix;
	}
	if (base && !keep.uid) {
		keep.uid = base->uid;
		keep.nuid = base->nuid;
		keep.range = base->range;
		keep.nrange = base->nrange;
	}
	n = keep.nprefix;
	for (i = 0; i < n; ++i)
		n4 += keep.prefix[i].bits == 32;
	n6 = n - n4;
	max4 = n4 ? 2 * n4 + 1 : 0;
	max6 = n6 ? 2 * n6 + 1 : 0;
	maxu = keep.nrange ? 2 * keep.nrange + 1 : 0;
	/* By alignment: the 8-byte parts, then the 4-, 2- and 1-byte ones. */
	size = sizeof(*p) + max6 * 2 * sizeof(u64) + n * sizeof(*keep.prefix) +
	       keep.nuid * sizeof(*keep.uid) + keep.nrange * sizeof(*keep.range) +
	       max4 * sizeof(u32) + maxu * sizeof(u32) + maxu * sizeof(u16) + max4 + max6;
	p = juris_alloc(size);
	if (!p)
		return NULL;
	/* Scratch: the prefix stack, then the UID bounds. */
	stack = juris_alloc(129 * sizeof(*stack) > maxu * sizeof(u32) ?
			    129 * sizeof(*stack) : maxu * sizeof(u32));
	if (!stack) {
		kvfree(p);
		return NULL;
	}
	if (base) {
		memcpy(p, base, sizeof(*p));
	} else {
		memset(p, 0, sizeof(*p));
		p->mode = JURIS_MODE_OFF;
		p->unknown = JURIS_UNKNOWN_ALLOW;
		p->action = JURIS_ACTION_DROP;
		p->scope = JURIS_SCOPE_MASK;
		p->event_rate = JURIS_DEFAULT_EVENT_RATE;
		p->event_burst = JURIS_DEFAULT_EVENT_BURST;
		p->log = JURIS_LOG_OFF;
	}
	x = (u8 *)(p + 1);
	s6.start6 = (u64 *)x;
	x += max6 * 2 * sizeof(u64);
	p->prefix = (struct juris_prefix_rule *)x;
	if (n)
		memcpy(p->prefix, keep.prefix, n * sizeof(*keep.prefix));
	p->nprefix = rules_sort(p->prefix, n);
	x += n * sizeof(*keep.prefix);
	p->uid = (struct juris_uid_rule *)x;
	p->nuid = keep.nuid;
	if (keep.nuid)
		memcpy(p->uid, keep.uid, keep.nuid * sizeof(*keep.uid));
	x += keep.nuid * sizeof(*keep.uid);
	p->range = (struct juris_uid_range *)x;
	p->nrange = keep.nrange;
	if (keep.nrange)
		memcpy(p->range, keep.range, keep.nrange * sizeof(*keep.range));
	x += keep.nrange * sizeof(*keep.range);
	s4.start4 = (u32 *)x;
	x += max4 * sizeof(u32);
	p->uidspan = (u32 *)x;
	x += maxu * sizeof(u32);
	p->uidrule = (u16 *)x;
	x += maxu * sizeof(u16);
	s4.act = x;
	s6.act = x + max4;
	/* IPv4 rules sort first. */
	for (n4 = 0; n4 < p->nprefix && p->prefix[n4].bits == 32; ++n4)
		;
	if (n4)
		spans_build(&s4, p->prefix, n4, stack);
	if (p->nprefix > n4)
		spans_build(&s6, p->prefix + n4, p->nprefix - n4, stack);
	p->nuidspan = keep.nrange ? uid_spans(p->range, p->nrange, (u32 *)stack,
					      p->uidspan, p->uidrule) : 0;
	kvfree(stack);
	p->nspan[0] = s4.n;
	p->nspan[1] = s6.n;
	p->span4 = s4.start4;
	p->span6 = s6.start6;
	p->act[0] = s4.act;
	p->act[1] = s6.act;
	return p;
}

/* The last of a[0, n) at or below x, where a[0] is (n > 0, a sorted). */
static u32 last_at_or_below(const u32 *a, u32 n, u32 x)
{
	u32 lo = 0, hi = n;

	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (a[mid] <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

const struct juris_uid_rule *juris_uid_rule(const struct juris_policy *p, u32 kuid)
{
	u32 i;

	if (!p->nuidspan)
		return NULL;
	i = last_at_or_below(p->uidspan, p->nuidspan, kuid);
	return p->uidrule[i] == JURIS_UID_NONE ? NULL : &p->uid[p->uidrule[i]];
}

u32 juris_prefix_rule_index(const struct juris_policy *p, int bits, juris_u128 addr)
{
	u32 i, best = 0;
	int len = -1;

	for (i = 0; i < p->nprefix; ++i) {
		const struct juris_prefix_rule *r = &p->prefix[i];
		juris_u128 start = (juris_u128)r->hi << 64 | r->lo;

		if (r->bits != bits || (r->len && (addr ^ start) >> (bits - r->len)))
			continue;
		if (r->len > len || (r->len == len && r->action == JURIS_PREFIX_BLOCK)) {
			len = r->len;
			best = i;
		}
	}
	return best;
}

/* A country set: how many, then each code, alphabetically. */
static void canon_set(const u64 *set, juris_emit_fn emit, void *ctx)
{
	u8 b[2];
	u16 cc, n = 0;

	for (cc = 1; cc < JURIS_NCC; ++cc)
		n += juris_set_lists(set, cc);
	juris_put_be(b, n, 2);
	emit(ctx, b, 2);
	for (cc = 1; cc < JURIS_NCC; ++cc) {
		if (!juris_set_lists(set, cc))
			continue;
		juris_cc_code(cc, b);
		emit(ctx, b, 2);
	}
}

void juris_policy_canon(const struct juris_policy *p, const u8 *table_digest,
			juris_emit_fn emit, void *ctx)
{
	static const char magic[] = "juris policy v1\n";
	static const u8 none[32];
	u8 b[20];
	u32 i;

	emit(ctx, magic, sizeof(magic) - 1);
	b[0] = p->mode;
	b[1] = p->unknown;
	b[2] = p->action;
	b[3] = p->scope;
	b[4] = p->log;
	b[5] = p->deny;
	juris_put_be(b + 6, p->event_rate, 4);
	juris_put_be(b + 10, p->event_burst, 4);
	emit(ctx, b, 14);
	canon_set(p->set, emit, ctx);
	b[0] = p->nnat64;
	emit(ctx, b, 1);
	for (i = 0; i < p->nnat64; ++i) {
		juris_put_be(b, p->nat64[i], 16);
		b[16] = p->nat64_len[i];
		emit(ctx, b, 17);
	}
	juris_put_be(b, p->nprefix, 4);
	emit(ctx, b, 4);
	for (i = 0; i < p->nprefix; ++i) {
		const struct juris_prefix_rule *r = &p->prefix[i];

		b[0] = r->bits;
		b[1] = r->len;
		b[2] = r->action;
		juris_put_be(b + 3, (juris_u128)r->hi << 64 | r->lo, r->bits / 8);
		emit(ctx, b, 3 + r->bits / 8);
	}
	juris_put_be(b, p->nuid, 4);
	emit(ctx, b, 4);
	for (i = 0; i < p->nuid; ++i) {
		const struct juris_uid_rule *u = &p->uid[i];

		juris_put_be(b, u->first, 4);
		juris_put_be(b + 4, u->last, 4);
		b[8] = u->action;
		emit(ctx, b, 9);
		canon_set(u->set, emit, ctx);
	}
	emit(ctx, table_digest ?: none, 32);
}

u8 juris_prefix_v4(const struct juris_policy *p, u32 addr)
{
	if (!p->nspan[0])
		return JURIS_PREFIX_NONE;
	return p->act[0][last_at_or_below(p->span4, p->nspan[0], addr)];
}

u8 juris_prefix_v6(const struct juris_policy *p, juris_u128 addr)
{
	u64 ahi = (u64)(addr >> 64), alo = (u64)addr;
	u32 lo = 0, hi = p->nspan[1];

	if (!hi)
		return JURIS_PREFIX_NONE;
	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;
		u64 shi = p->span6[2 * mid], slo = p->span6[2 * mid + 1];

		if (shi < ahi || (shi == ahi && slo <= alo))
			lo = mid;
		else
			hi = mid;
	}
	return p->act[1][lo];
}

/*
 * RFC 6052 2.2: below /96, bits 64-71 of the address (the "u" octet) are
 * not part of the IPv4 address; it takes the 32 bits after the prefix in
 * the other 120.
 */
static u32 nat64_embedded(juris_u128 addr, int len)
{
	juris_u128 bits120;

	if (len == 96)
		return (u32)addr;
	bits120 = (addr >> 64) << 56 | ((u64)addr & 0x00ffffffffffffffULL);
	return (u32)(bits120 >> (120 - len - 32));
}

bool juris_nat64_v4(const struct juris_policy *p, juris_u128 addr, u32 *v4)
{
	juris_u128 top = addr >> 32;
	u32 i;

	/* 64:ff9b::/96 and ::ffff:0:0/96. */
	if (top == ((juris_u128)0x0064ff9b << 64) || top == 0xffff) {
		*v4 = (u32)addr;
		return true;
	}
	for (i = 0; i < p->nnat64; ++i) {
		int shift = 128 - p->nat64_len[i];

		if (addr >> shift == p->nat64[i] >> shift) {
			*v4 = nat64_embedded(addr, p->nat64_len[i]);
			return true;
		}
	}
	return false;
}

enum juris_verdict juris_policy_eval(const struct juris_policy *p, u16 cc, u8 action,
				     const struct juris_uid_rule *u, u8 *rule)
{
	bool approved;
	u8 r;

	if (cc == JURIS_CC_SPECIAL) {
		r = JURIS_RULE_SPECIAL;
		approved = true;
	} else if (action != JURIS_PREFIX_NONE) {
		r = JURIS_RULE_PREFIX;
		approved = action == JURIS_PREFIX_EXEMPT;
	} else if (u && u->action == JURIS_UID_EXEMPT) {
		r = JURIS_RULE_UID;
		approved = true;
	} else if (u && u->action == JURIS_UID_BLOCK) {
		r = JURIS_RULE_UID;
		approved = false;
	} else if (cc == JURIS_CC_UNKNOWN) {
		/* A UID rule's own country set leaves the unknown verdict global. */
		r = JURIS_RULE_UNKNOWN;
		approved = p->unknown == JURIS_UNKNOWN_ALLOW;
	} else if (u) {
		r = JURIS_RULE_UID;
		approved = juris_set_lists(u->set, cc) != (u->action == JURIS_UID_DENY);
	} else {
		r = JURIS_RULE_COUNTRY;
		approved = juris_policy_lists(p, cc) != p->deny;
	}
	if (rule)
		*rule = r;
	if (approved || p->mode == JURIS_MODE_OFF)
		return JURIS_VERDICT_ALLOW;
	return p->mode == JURIS_MODE_AUDIT ? JURIS_VERDICT_AUDIT : JURIS_VERDICT_DENY;
}
