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

enum juris_verdict juris_policy_eval(const struct juris_policy *p, u16 cc)
{
	bool approved;

	if (p->mode == JURIS_MODE_OFF || cc == JURIS_CC_SPECIAL)
		return JURIS_VERDICT_ALLOW;
	if (cc == JURIS_CC_UNKNOWN)
		approved = p->unknown == JURIS_UNKNOWN_ALLOW;
	else
		approved = juris_policy_allows(p, cc);
	if (approved)
		return JURIS_VERDICT_ALLOW;
	return p->mode == JURIS_MODE_AUDIT ? JURIS_VERDICT_AUDIT : JURIS_VERDICT_DENY;
}
