/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * juris: judge outgoing packets by the country of their destination.
 *
 * Generic netlink family "juris", version 4. State is per network namespace:
 * every command acts on the netns of the socket that sends it. Commands that
 * change state need CAP_NET_ADMIN in that netns's user namespace.
 * juris.yaml, next to this file, describes the same protocol as a YNL spec.
 *
 * Requests are validated strictly: each command accepts only the attributes
 * listed for it below, each with its exact type and length; anything else
 * (an unknown or unexpected attribute, a wrong length, trailing bytes, a
 * non-zero reserved field in the genl header) is refused with EINVAL and an
 * extack message pointing at the attribute. The CLI refuses to work with a
 * module whose family version differs from its own.
 *
 * Countries are ISO 3166-1 alpha-2 codes carried as two ASCII upper-case
 * letters (u8[2], "IN"), never NUL-terminated. Addresses are in network byte
 * order: 4 bytes for IPv4, 16 for IPv6.
 *
 * JURIS_CMD_GET_STATUS (doit, unprivileged)
 *   reply: JURIS_A_MODE         u8   enum juris_mode
 *          JURIS_A_UNKNOWN      u8   enum juris_unknown
 *          JURIS_A_ACTION       u8   enum juris_action
 *          JURIS_A_SCOPE        u8   enum juris_scope bits
 *          JURIS_A_LOCK         flag: the namespace is locked (see below)
 *          JURIS_A_INITIAL      flag: the namespace still holds the initial
 *                               policy of the fail_closed module parameter
 *                               (enforce, no country, unknown denied); any
 *                               policy change ends it
 *          JURIS_A_ALLOW        binary, n * 2 bytes: approved countries, sorted
 *                               (present, empty, when none is approved), or
 *          JURIS_A_DENY         the same: the countries not approved (every
 *                               other country is), when the set is a deny list
 *          JURIS_A_NAT64        nest of NAT64 prefixes (see SET_POLICY);
 *                               absent when there are none
 *          JURIS_A_PREFIXES     nest of prefix rules (see SET_POLICY), sorted
 *                               by family, address and length; absent when
 *                               there are none
 *          JURIS_A_UIDS         nest of UID rules (see SET_POLICY), in their
 *                               order, UIDs as their writer gave them; absent
 *                               when there are none
 *          JURIS_A_TABLE_GEN    u64  increments on every committed table
 *                               (this and the table sizes: absent before the
 *                               first table is committed)
 *          JURIS_A_TABLE_V4     u32  IPv4 ranges loaded (input rows)
 *          JURIS_A_TABLE_V6     u32  IPv6 ranges loaded (input rows)
 *          JURIS_A_SEGMENTS_V4  u32  disjoint IPv4 segments after flattening
 *          JURIS_A_SEGMENTS_V6  u32  disjoint IPv6 segments after flattening
 *          JURIS_A_TABLE_BYTES  u64  kernel memory held by the active table
 *          JURIS_A_TOTALS       nest: packets and bytes per verdict, see
 *                               "Counts" below
 *          JURIS_A_EVENT_RATE   u32  events a second (0: none), and
 *          JURIS_A_EVENT_BURST  u32  events at once: see "Events" below
 *          JURIS_A_LOG          u8   enum juris_log
 *          JURIS_A_SUPPRESSED   u64  events the rate limit (or a full event
 *                               queue) suppressed since the namespace began
 *          JURIS_A_DIGEST       32 bytes: SHA-256 of the active table and
 *                               policy, see "Digest" below
 *
 * JURIS_CMD_SET_POLICY (doit, admin)
 *   request: any of JURIS_A_MODE, JURIS_A_UNKNOWN, JURIS_A_ALLOW or
 *            JURIS_A_DENY (binary, n * 2 bytes of country codes; not both),
 *            JURIS_A_PREFIXES, JURIS_A_UIDS, JURIS_A_NAT64, JURIS_A_ACTION
 *            (u8, enum juris_action), JURIS_A_SCOPE (u8, enum juris_scope
 *            bits, not 0), JURIS_A_EVENT_RATE (u32, 0 to
 *            JURIS_MAX_EVENT_RATE), JURIS_A_EVENT_BURST (u32, 1 to
 *            JURIS_MAX_EVENT_BURST), JURIS_A_LOG (u8, enum juris_log),
 *            JURIS_A_LOCK (flag: lock the namespace once the
 *            policy is published). An absent attribute keeps its value; an empty
 *            JURIS_A_ALLOW approves no country, an empty JURIS_A_DENY every
 *            one, an empty JURIS_A_PREFIXES, JURIS_A_UIDS or JURIS_A_NAT64
 *            removes every rule of its kind. The new policy is published
 *            atomically, whole; a refused request changes nothing.
 *   JURIS_A_PREFIXES is a nest of up to JURIS_MAX_PREFIXES entries (their
 *   type is ignored), each a nest of JURIS_PREFIX_A_ADDR, JURIS_PREFIX_A_LEN
 *   and JURIS_PREFIX_A_ACTION, all three required; the address's bits past
 *   the length must be zero. It replaces the prefix rules whole.
 *   JURIS_A_UIDS is a nest of up to JURIS_MAX_UID_RULES entries, in order
 *   (the first that covers a socket's owner decides), each a nest of
 *   JURIS_UID_A_FIRST (required), JURIS_UID_A_LAST (default FIRST),
 *   JURIS_UID_A_ACTION (required) and, for JURIS_UID_ALLOW and
 *   JURIS_UID_DENY only, JURIS_UID_A_COUNTRIES. UIDs are those of the
 *   sender's user namespace; every one of a rule's must be mapped there. It
 *   replaces the UID rules whole.
 *   JURIS_A_NAT64 is a nest of up to JURIS_MAX_NAT64 entries, each a nest of
 *   JURIS_PREFIX_A_ADDR (16 bytes) and JURIS_PREFIX_A_LEN (32, 40, 48, 56,
 *   64 or 96, RFC 6052), no action; the bits past the length must be zero.
 *   It replaces the NAT64 prefixes whole.
 *
 * Lock: once a SET_POLICY or TABLE_COMMIT carrying JURIS_A_LOCK succeeds,
 * the namespace's table and policy never change again: every request that
 * would change them (SET_POLICY, TABLE_BEGIN, TABLE_ADD, TABLE_COMMIT,
 * TABLE_ABORT) fails with EPERM and the extack text "policy is locked", and
 * a load another socket had open is dropped. The module cannot be unloaded
 * while a namespace is locked: the lock ends with the namespace, for the
 * initial one at reboot.
 *
 * Which packets are judged: those the scope names (locally generated ones,
 * forwarded ones). An IPv6 destination inside 64:ff9b::/96, ::ffff:0:0/96
 * or a NAT64 prefix is judged entirely as the IPv4 address it embeds.
 * A packet's verdict, in this order: a special-purpose destination is
 * allowed; else the longest exempt or block prefix covering the destination
 * decides (block where an exempt and a block prefix are equal); else, for a
 * locally generated packet with a full socket, the first UID rule covering
 * the socket's owner (sk_uid, which follows fchown()): exempt allows, block
 * denies, allow and deny judge the country by the rule's own list; else the
 * destination's country: approved if the set allows it (allow list) or does
 * not list it (deny list). A destination of no country gets the unknown
 * verdict, under a UID rule's list too. What is not approved is dropped in
 * enforce mode and counted as audited in audit mode; mode off passes
 * everything. A dropped local packet fails its sender's call at once
 * (ECONNREFUSED for TCP, EPERM otherwise); with JURIS_ACTION_REJECT a
 * dropped forwarded one is answered, with a TCP reset for TCP and an ICMP
 * or ICMPv6 administratively-prohibited error otherwise.
 *
 * Loading a table is a transaction bound to the sending socket:
 *
 * JURIS_CMD_TABLE_BEGIN (doit, admin)
 *   Opens a transaction. Only one may be open per netns: a second BEGIN from
 *   another socket fails with EBUSY; from the same socket it restarts.
 * JURIS_CMD_TABLE_ADD (doit, admin)
 *   request: JURIS_A_RANGES4 and/or JURIS_A_RANGES6, each a packed array of
 *            struct juris_range4 / struct juris_range6 (length must be a
 *            multiple of the entry size). Split large tables across as many
 *            ADD messages as needed; JURIS_MAX_CHUNK_BYTES bounds one
 *            attribute. Bad entries are rejected with an extack message that
 *            names the entry's index in the attribute, and the whole
 *            transaction is aborted. Rows in any order are taken; rows
 *            sorted by start and disjoint, both families each in order (as
 *            a compiled table sends them), take the least memory and time.
 * JURIS_CMD_TABLE_COMMIT (doit, admin)
 *   request: optionally, any of SET_POLICY's attributes
 *   Builds the new table from every range added, replaces the active table
 *   (both families) atomically and closes the transaction. With policy
 *   attributes, the policy changes as SET_POLICY would, in the same step: a
 *   packet is judged by the old table and policy or by the new ones, never
 *   a mix. A refused policy commits nothing and closes the transaction.
 *   reply: JURIS_A_TABLE_GEN, JURIS_A_TABLE_V4, JURIS_A_TABLE_V6,
 *          JURIS_A_SEGMENTS_V4, JURIS_A_SEGMENTS_V6, JURIS_A_TABLE_BYTES
 * JURIS_CMD_TABLE_ABORT (doit, admin)
 *   Drops the open transaction. Closing the socket does the same.
 *
 * ADD, COMMIT and ABORT fail with EINVAL when the socket has no open
 * transaction; ADD fails with E2BIG past JURIS_MAX_RANGES per family or
 * past the module's max_rows parameter (both families together), and with
 * ENOMEM past the sender's memory cgroup limit, which every allocation of
 * the load and of the table it commits is charged to. A transaction with no
 * rows commits an empty table (every address unmapped).
 *
 * Where ranges nest or overlap, the smallest range covering an address wins;
 * between ranges of equal size, the one added last wins. The commit lays
 * the special-purpose prefixes over the table: they become segments of
 * their own, of no country, whatever the rows say (and count among the
 * table's segments).
 *
 * JURIS_CMD_LOOKUP (doit, unprivileged)
 *   request: JURIS_A_ADDR (4 or 16 bytes; required), JURIS_A_UID (u32: judge
 *            as if sent by a socket of this UID, of the sender's namespace)
 *   reply:   JURIS_A_ADDR, JURIS_A_COUNTRY (absent when unmapped or
 *            special-purpose), JURIS_A_RANGE_START, JURIS_A_RANGE_END (the
 *            disjoint segment of the active table holding the address: for
 *            a special-purpose one, that prefix's), JURIS_A_VERDICT u8
 *            (enum juris_verdict, what the active policy would do),
 *            JURIS_A_SPECIAL flag (special-purpose address, always allowed),
 *            JURIS_A_RULE u8 (enum juris_rule: what decides the verdict),
 *            JURIS_A_RULE_INDEX u32 (for JURIS_RULE_PREFIX and _UID: the
 *            rule's index in GET_STATUS's JURIS_A_PREFIXES or JURIS_A_UIDS),
 *            JURIS_A_EMBEDDED (4 bytes: for a NAT64 or IPv4-mapped address,
 *            the IPv4 address judged; the segment is then that address's)
 *   The segment is always present: a gap between mapped ranges, or the
 *   whole address space before any table is loaded, is a segment too.
 *
 * JURIS_CMD_GET_COUNTERS (dumpit, unprivileged)
 *   One message per country with traffic: JURIS_A_COUNTRY (absent for
 *   unmapped destinations; JURIS_A_SPECIAL set for special-purpose ones) and
 *   JURIS_A_COUNTS, a nest like JURIS_A_TOTALS. Special-purpose destinations
 *   are counted apart, with no country.
 *
 * GET_STATUS, TABLE_BEGIN, TABLE_ABORT and GET_COUNTERS take no
 * attributes.
 *
 * Events: JURIS_CMD_EVENT messages, sent to the multicast group
 * JURIS_MCGRP_EVENTS ("events") of the namespace, one per denied or audited
 * packet. Only a process holding CAP_NET_ADMIN in the namespace's user
 * namespace when it joins may join: events tell who talks to whom. A
 * token bucket per
 * namespace, JURIS_A_EVENT_RATE a second up to JURIS_A_EVENT_BURST at once
 * (by default JURIS_DEFAULT_EVENT_RATE and _BURST; rate 0: no events),
 * bounds them; a packet past it, or past a full queue of events not yet
 * sent, adds one to JURIS_A_SUPPRESSED instead, whether or not anyone
 * listens. Events are sent from a work item, not from the packet path, in
 * the order they were queued (their times may step back a little across
 * CPUs), numbered by JURIS_A_SEQ without gaps: a gap a listener sees is
 * events it lost (ENOBUFS on its socket, or the kernel out of memory).
 *   JURIS_A_SEQ          u64  0, 1, 2, ... per namespace
 *   JURIS_A_TIME         u64  when the packet was judged: ns since the epoch
 *   JURIS_A_VERDICT      u8   JURIS_VERDICT_DENY or _AUDIT
 *   JURIS_A_MODE         u8   the mode that judged it
 *   JURIS_A_HOOK         u8   JURIS_SCOPE_LOCAL (sent by this host) or
 *                             JURIS_SCOPE_FORWARD (routed through it)
 *   JURIS_A_FAMILY       u8   AF_INET or AF_INET6
 *   JURIS_A_PROTO        u8   the transport protocol (IPv6: past the
 *                             extension headers)
 *   JURIS_A_SRC          4 or 16 bytes
 *   JURIS_A_DST          4 or 16 bytes
 *   JURIS_A_SPORT        u16  TCP, UDP, UDP-Lite and SCTP, first fragment
 *   JURIS_A_DPORT        u16  only (host byte order, as every u16 here)
 *   JURIS_A_EMBEDDED     4 bytes: the IPv4 address a NAT64 or IPv4-mapped
 *                        destination was judged as
 *   JURIS_A_COUNTRY      absent when the destination has none
 *   JURIS_A_RANGE_START  the table segment that holds the destination (or
 *   JURIS_A_RANGE_END    the embedded address), as in LOOKUP
 *   JURIS_A_RULE         u8   enum juris_rule
 *   JURIS_A_RULE_INDEX   u32  for JURIS_RULE_PREFIX and _UID, as in LOOKUP
 *   JURIS_A_UID          u32  the sending socket's owner, in the namespace's
 *                             user namespace (65534 if unmapped); absent
 *                             without a full socket (forwarded packets)
 *   JURIS_A_TABLE_GEN    u64  the table that judged it; 0: none loaded
 *   JURIS_A_SUPPRESSED   u64  as in GET_STATUS, when the event was sent
 * With JURIS_LOG_KERNEL, each event also writes a kernel log line, at most
 * 50 every 5 seconds over all namespaces (the kernel says how many it
 * skipped). Its keys, in this order, each always present ("-": none):
 *   juris: verdict=deny|audit mode=enforce|audit hook=local|forward
 *   family=ipv4|ipv6 proto=tcp|udp|udplite|sctp|icmp|icmpv6|NUMBER src=ADDR
 *   sport=PORT dst=ADDR dport=PORT embedded=IPV4 cc=CC segment=START-END
 *   rule=special|prefix|country|unknown|uid rule_index=N uid=UID gen=N
 *   seq=N netns=INODE
 * on one line; netns is the inode number of /proc/PID/ns/net.
 *
 * Digest (JURIS_A_DIGEST): on every change of table or policy the kernel
 * computes SHA-256 over the canonical form of the policy, which ends with
 * the SHA-256 of the canonical form of the table. A device runs a published
 * policy file exactly when its digest equals what juris digest computes
 * from that file (and the tables it names) without the module. Numbers are
 * big-endian; a country is its two letters, 0x00 0x00 for none, 0xff 0xff
 * for a special-purpose segment. The table:
 *   "juris table v1\n" (15 bytes)
 *   u32 IPv4 segments, then each: u32 start, u8[2] country
 *   u32 IPv6 segments, then each: u8[16] start, u8[2] country
 * the segments being the table's, as GET_STATUS counts them: every row
 * flattened, the special-purpose prefixes laid over them, address 0 on.
 * The policy:
 *   "juris policy v1\n" (16 bytes)
 *   u8 mode, u8 unknown, u8 action, u8 scope bits, u8 log, u8 1 for a deny
 *   list (0 allow), u32 event rate, u32 event burst
 *   u16 countries listed, then each, alphabetically
 *   u8 NAT64 prefixes, then each: u8[16] address, u8 length (as given)
 *   u32 prefix rules, then each: u8 32 or 128, u8 length, u8 action,
 *   the address (4 or 16 bytes); sorted by the first byte (IPv4 first),
 *   the address, the length, then the action; a rule given twice, once
 *   u32 UID rules, then each, in order: u32 first, u32 last, u8 action,
 *   u16 countries, then each, alphabetically
 *   u8[32] the table's digest; 32 zero bytes before any table is loaded
 * What is not policy stays out: the generation, the counters, the lock
 * and fail_closed's initial mark.
 *
 * Counts (JURIS_A_TOTALS, JURIS_A_COUNTS): a nest of JURIS_COUNTS_A_ALLOWED,
 * JURIS_COUNTS_A_DENIED and JURIS_COUNTS_A_AUDITED (one per enum
 * juris_verdict), each a nest of JURIS_COUNT_A_PACKETS and
 * JURIS_COUNT_A_BYTES (u64). A verdict or a field a reader does not know is
 * to be skipped; one that is absent counts as 0.
 */
#ifndef _UAPI_JURIS_H
#define _UAPI_JURIS_H

#include <linux/types.h>

#define JURIS_GENL_NAME "juris"
#define JURIS_GENL_VERSION 5
/* The multicast group of JURIS_CMD_EVENT. */
#define JURIS_MCGRP_EVENTS "events"

/* One attribute of ranges stays below the 64 KiB netlink attribute limit. */
#define JURIS_MAX_CHUNK_BYTES 60000
/* Upper bound on the ranges of one table, per family. */
#define JURIS_MAX_RANGES (4U << 20)
/* Upper bound on a policy's prefix rules, both families together. */
#define JURIS_MAX_PREFIXES 1024
/* Upper bound on a policy's UID rules. */
#define JURIS_MAX_UID_RULES 256
/* Upper bound on a policy's NAT64 prefixes (the well-known ones aside). */
#define JURIS_MAX_NAT64 16
/* Bounds of JURIS_A_EVENT_RATE (per second) and JURIS_A_EVENT_BURST. */
#define JURIS_MAX_EVENT_RATE 100000
#define JURIS_MAX_EVENT_BURST 1024
/* The event rate limit of a namespace no policy has set one for. */
#define JURIS_DEFAULT_EVENT_RATE 100
#define JURIS_DEFAULT_EVENT_BURST 200

enum juris_cmd {
	JURIS_CMD_UNSPEC,
	JURIS_CMD_GET_STATUS,
	JURIS_CMD_SET_POLICY,
	JURIS_CMD_TABLE_BEGIN,
	JURIS_CMD_TABLE_ADD,
	JURIS_CMD_TABLE_COMMIT,
	JURIS_CMD_TABLE_ABORT,
	JURIS_CMD_LOOKUP,
	JURIS_CMD_GET_COUNTERS,
	JURIS_CMD_EVENT,
	__JURIS_CMD_LAST
};

#define JURIS_CMD_MAX (__JURIS_CMD_LAST - 1)

enum juris_attr {
	JURIS_A_UNSPEC,
	JURIS_A_MODE,
	JURIS_A_UNKNOWN,
	JURIS_A_ALLOW,
	JURIS_A_TABLE_GEN,
	JURIS_A_TABLE_V4,
	JURIS_A_TABLE_V6,
	JURIS_A_SEGMENTS_V4,
	JURIS_A_SEGMENTS_V6,
	JURIS_A_TABLE_BYTES,
	JURIS_A_TOTALS,
	JURIS_A_RANGES4,
	JURIS_A_RANGES6,
	JURIS_A_ADDR,
	JURIS_A_COUNTRY,
	JURIS_A_RANGE_START,
	JURIS_A_RANGE_END,
	JURIS_A_VERDICT,
	JURIS_A_SPECIAL,
	JURIS_A_COUNTS,
	JURIS_A_PAD,
	JURIS_A_DENY,
	JURIS_A_PREFIXES,
	JURIS_A_RULE,
	JURIS_A_UIDS,
	JURIS_A_UID,
	JURIS_A_ACTION,
	JURIS_A_SCOPE,
	JURIS_A_NAT64,
	JURIS_A_RULE_INDEX,
	JURIS_A_INITIAL,
	JURIS_A_EMBEDDED,
	JURIS_A_LOCK,
	JURIS_A_EVENT_RATE,
	JURIS_A_EVENT_BURST,
	JURIS_A_LOG,
	JURIS_A_SUPPRESSED,
	JURIS_A_SEQ,
	JURIS_A_TIME,
	JURIS_A_HOOK,
	JURIS_A_FAMILY,
	JURIS_A_PROTO,
	JURIS_A_SRC,
	JURIS_A_DST,
	JURIS_A_SPORT,
	JURIS_A_DPORT,
	JURIS_A_DIGEST,
	__JURIS_A_LAST
};

#define JURIS_A_MAX (__JURIS_A_LAST - 1)

enum juris_mode {
	JURIS_MODE_OFF,
	JURIS_MODE_AUDIT,
	JURIS_MODE_ENFORCE,
	__JURIS_MODE_LAST
};

#define JURIS_MODE_MAX (__JURIS_MODE_LAST - 1)

enum juris_unknown {
	JURIS_UNKNOWN_ALLOW,
	JURIS_UNKNOWN_DENY,
	__JURIS_UNKNOWN_LAST
};

#define JURIS_UNKNOWN_MAX (__JURIS_UNKNOWN_LAST - 1)

/* What becomes of a denied packet (enforce mode). */
enum juris_action {
	JURIS_ACTION_DROP,	/* dropped: a local sender gets an error at once */
	JURIS_ACTION_REJECT,	/* and a forwarded one is answered: ICMP error or TCP RST */
	__JURIS_ACTION_LAST
};

#define JURIS_ACTION_MAX (__JURIS_ACTION_LAST - 1)

/* JURIS_A_SCOPE: a bit per kind of packet the policy judges (not 0). */
enum juris_scope {
	JURIS_SCOPE_LOCAL = 1,		/* sent by this host's programs */
	JURIS_SCOPE_FORWARD = 2,	/* routed through it */
	JURIS_SCOPE_MASK = 3,
};

/* What happened (counters) or would happen (lookup) to a packet. */
enum juris_verdict {
	JURIS_VERDICT_ALLOW,	/* approved country, special-purpose, or mode off */
	JURIS_VERDICT_DENY,	/* dropped in enforce mode */
	JURIS_VERDICT_AUDIT,	/* would be dropped, passed in audit mode */
	__JURIS_VERDICT_LAST
};

#define JURIS_VERDICT_MAX (__JURIS_VERDICT_LAST - 1)

enum juris_counts_attr {
	JURIS_COUNTS_A_UNSPEC,
	JURIS_COUNTS_A_ALLOWED,		/* nest: enum juris_count_attr */
	JURIS_COUNTS_A_DENIED,		/* nest: enum juris_count_attr */
	JURIS_COUNTS_A_AUDITED,		/* nest: enum juris_count_attr */
	__JURIS_COUNTS_A_LAST
};

#define JURIS_COUNTS_A_MAX (__JURIS_COUNTS_A_LAST - 1)

enum juris_count_attr {
	JURIS_COUNT_A_UNSPEC,
	JURIS_COUNT_A_PACKETS,		/* u64 */
	JURIS_COUNT_A_BYTES,		/* u64 */
	JURIS_COUNT_A_PAD,
	__JURIS_COUNT_A_LAST
};

#define JURIS_COUNT_A_MAX (__JURIS_COUNT_A_LAST - 1)

/* One prefix rule: a JURIS_A_PREFIXES entry. */
enum juris_prefix_attr {
	JURIS_PREFIX_A_UNSPEC,
	JURIS_PREFIX_A_ADDR,		/* 4 or 16 bytes, the bits past len zero */
	JURIS_PREFIX_A_LEN,		/* u8: 0 to 32 or 128 */
	JURIS_PREFIX_A_ACTION,		/* u8: enum juris_prefix_action */
	__JURIS_PREFIX_A_LAST
};

#define JURIS_PREFIX_A_MAX (__JURIS_PREFIX_A_LAST - 1)

enum juris_prefix_action {
	JURIS_PREFIX_EXEMPT = 1,	/* always allowed */
	JURIS_PREFIX_BLOCK,		/* always denied */
	__JURIS_PREFIX_LAST
};

#define JURIS_PREFIX_MAX (__JURIS_PREFIX_LAST - 1)

/* One UID rule: a JURIS_A_UIDS entry. */
enum juris_uid_attr {
	JURIS_UID_A_UNSPEC,
	JURIS_UID_A_FIRST,		/* u32 */
	JURIS_UID_A_LAST,		/* u32, >= FIRST; absent: FIRST */
	JURIS_UID_A_ACTION,		/* u8: enum juris_uid_action */
	JURIS_UID_A_COUNTRIES,		/* binary, n * 2 bytes: ALLOW and DENY only */
	__JURIS_UID_A_LAST
};

#define JURIS_UID_A_MAX (__JURIS_UID_A_LAST - 1)

enum juris_uid_action {
	JURIS_UID_EXEMPT = 1,		/* always allowed */
	JURIS_UID_BLOCK,		/* always denied */
	JURIS_UID_ALLOW,		/* approved: the countries listed */
	JURIS_UID_DENY,			/* approved: every country but those listed */
	__JURIS_UID_LAST
};

#define JURIS_UID_MAX (__JURIS_UID_LAST - 1)

/* JURIS_A_LOG: where else events go. */
enum juris_log {
	JURIS_LOG_OFF,
	JURIS_LOG_KERNEL,	/* a line in the kernel log each, rate-limited */
	__JURIS_LOG_LAST
};

#define JURIS_LOG_MAX (__JURIS_LOG_LAST - 1)

/* What decided a verdict (lookup, events). */
enum juris_rule {
	JURIS_RULE_SPECIAL,	/* a special-purpose destination */
	JURIS_RULE_PREFIX,	/* an exempt or block prefix */
	JURIS_RULE_COUNTRY,	/* the destination's country, by the set */
	JURIS_RULE_UNKNOWN,	/* no country: the unknown verdict */
	JURIS_RULE_UID,		/* the sending socket's UID rule */
	__JURIS_RULE_LAST
};

#define JURIS_RULE_MAX (__JURIS_RULE_LAST - 1)

/* Rows of JURIS_A_RANGES4/6: byte arrays only, so no padding anywhere. */
struct juris_range4 {
	__u8 start[4];
	__u8 end[4];		/* inclusive */
	__u8 country[2];
};

struct juris_range6 {
	__u8 start[16];
	__u8 end[16];		/* inclusive */
	__u8 country[2];
};

#endif /* _UAPI_JURIS_H */
