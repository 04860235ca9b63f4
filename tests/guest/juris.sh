#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# juris end to end in lib.sh's world (world_setup): a device namespace with
# the policy, an internet of several countries, a client whose traffic the
# device forwards, and a bystander that must stay untouched.
#
# A drop must reach the sending app at once: TCP connect fails with
# ECONNREFUSED, a datagram send with EPERM.

. "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)

cleanup() {
	cleanup_ns
}
trap cleanup EXIT

plan 102
world_setup || { echo "Bail out! topology setup failed"; exit 1; }

check "table loads from a CSV file" juris table load "$HERE/fixture.csv"
check "policy set: enforce, allow IN SG, unknown deny" \
	juris policy set --mode enforce --allow IN,SG --unknown deny

generation() {
	juris status --json | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'
}

gen=$(generation)
[ -n "$gen" ] || gen="no generation in juris status --json"
expect "a malformed file is refused with FILE:LINE" \
	"juris: $HERE/fixture-bad.csv:3: invalid IPv4 or IPv6 address: '198.51.100.300'" \
	juris table load "$HERE/fixture.csv" "$HERE/fixture-bad.csv"
expect "after a refused file the table is the same generation" "$gen" generation

# A compiled table: the same segments and answers as its CSV. The CLI
# compiles without the kernel; the file's checksum guards the load.
ADDRS="192.0.2.1 192.0.2.77 198.51.100.1 203.0.113.1 198.19.0.1 2001:db8:1::1 2001:db8:3::1 2001:db8:ff::1"
answers() {
	for a in $ADDRS; do
		juris lookup "$a" --json | sed -n 's/.*"country":"\([A-Z]*\)".*/\1/p' | tr '\n' ' '
		echo "$a;"
	done
	juris status --json | sed -n 's/.*\("segments_v4":[0-9]*,"segments_v6":[0-9]*\).*/\1/p'
}
csv_answers=$(answers)
$JURIS table compile "$HERE/fixture.csv" -o /tmp/fixture.jtab >/dev/null
juris table load /tmp/fixture.jtab >/tmp/jtab.out 2>&1
loaded_answers() {
	printf '%s;' "$(cut -d' ' -f1 /tmp/jtab.out)"
	answers
}
expect "a compiled table loads with the same segments and answers as its CSV" "loaded;$csv_answers" \
	loaded_answers
cp /tmp/fixture.jtab /tmp/bad.jtab
printf '\001' | dd of=/tmp/bad.jtab bs=1 seek=100 conv=notrunc 2>/dev/null
gen=$(generation)
out=$(juris table load /tmp/bad.jtab 2>&1)
expect "a corrupted compiled table is refused by name, the table stays" \
	"juris: /tmp/bad.jtab: corrupted: the checksum does not match the contents; generation $gen" \
	echo "$out; generation $(generation)"
# The CLI refuses this before sending anything; nl_test's
# bad_policy_keeps_policy and strict_attributes send bad codes and
# attributes to the kernel itself.
expect "the CLI refuses a bad country code, the policy stays" "refused IN SG" \
	sh -c "$IP netns exec $device $JURIS policy set --allow IN,XYZ --mode off >/dev/null 2>&1 ||
		echo refused \$($IP netns exec $device $JURIS status | sed -n 's/^approved: //p')"

expect "TCP to an approved country (IN) connects" ok from "$device" tcp 192.0.2.1
expect "TCP to another approved country (SG) connects" ok from "$device" tcp 198.51.100.1
expect "TCP to a non-approved country (US) is refused at once" ECONNREFUSED from "$device" tcp 203.0.113.1
expect "UDP to a non-approved country (US) fails with EPERM" EPERM from "$device" udp 203.0.113.1
check "ICMP echo to a non-approved country fails with EPERM" \
	sh -c "$IP netns exec $device ping -c 1 -W 1 203.0.113.1 2>&1 | grep -q 'not permitted'"
expect "a single US address inside IN's range is refused: the smaller range wins" \
	ECONNREFUSED from "$device" tcp 192.0.2.77
expect "IPv6 TCP to an approved country (IN) connects" ok from "$device" tcp 2001:db8:1::1
expect "IPv6 TCP to a non-approved country (US) is refused" ECONNREFUSED from "$device" tcp 2001:db8:3::1
expect "IPv6 UDP to a non-approved country (US) fails with EPERM" EPERM from "$device" udp 2001:db8:3::1

expect "unknown deny: an unmapped IPv4 address is refused" ECONNREFUSED from "$device" tcp 198.19.0.1
expect "unknown deny: an unmapped IPv6 address is refused" ECONNREFUSED from "$device" tcp 2001:db8:ff::1
juris policy set --unknown allow
expect "unknown allow: an unmapped IPv4 address connects" ok from "$device" tcp 198.19.0.1
expect "unknown allow: an unmapped IPv6 address connects" ok from "$device" tcp 2001:db8:ff::1
juris policy set --unknown deny

approved() {
	juris status | sed -n 's/^approved: //p'
}

# A deny list approves every country it does not list.
check "policy set: deny US CN" juris policy set --deny US,CN
expect "deny list: a listed country (US) is refused" ECONNREFUSED from "$device" tcp 203.0.113.1
expect "deny list: IPv6 to a listed country (US) is refused" ECONNREFUSED from "$device" tcp 2001:db8:3::1
expect "deny list: a country it does not list (DE, inside CN) connects" ok from "$device" tcp 198.18.7.7
expect "deny list: unknown keeps its own verdict (deny)" ECONNREFUSED from "$device" tcp 198.19.0.1
expect "status shows the deny list" "every country but CN US" approved
expect "the CLI refuses --allow with --deny, the deny list stays" "refused; every country but CN US" \
	sh -c "$IP netns exec $device $JURIS policy set --allow IN --deny US 2>/dev/null ||
		echo \"refused; \$($IP netns exec $device $JURIS status | sed -n 's/^approved: //p')\""
juris policy set --allow IN,SG

# Prefix rules decide before the country: the longest prefix covering the
# destination, block where an exempt and a block prefix are equal.
check "policy set: exempt and block prefixes, nested and tied" \
	juris policy set --exempt 203.0.113.0/24,192.0.2.77,198.51.100.0/24,198.19.0.0/16,2001:db8:3::/48 \
		--block 203.0.113.1/32,192.0.2.0/24,198.51.100.0/24,10.0.0.0/8,2001:db8:1::/64
expect "exempt: a non-approved country's prefix (US) connects" ok from "$device" tcp 203.0.113.9
expect "exempt: an IPv6 non-approved prefix (US) connects" ok from "$device" tcp 2001:db8:3::1
expect "exempt: an unmapped prefix connects despite unknown deny" ok from "$device" tcp 198.19.0.1
expect "block: an approved country's prefix (IN) is refused" ECONNREFUSED from "$device" tcp 192.0.2.1
expect "block: an IPv6 approved prefix (IN) is refused" ECONNREFUSED from "$device" tcp 2001:db8:1::1
expect "block: a datagram to a blocked prefix fails with EPERM" EPERM from "$device" udp 192.0.2.1
expect "longest prefix: a /32 block inside an exempt /24 is refused" ECONNREFUSED from "$device" tcp 203.0.113.1
expect "longest prefix: a /32 exempt inside a block /24 connects" ok from "$device" tcp 192.0.2.77
expect "equal prefixes: block wins over exempt (SG refused)" ECONNREFUSED from "$device" tcp 198.51.100.1
expect "special-purpose comes first: a block on 10/8 leaves the next hop allowed" ok from "$device" tcp 10.0.2.2
expect "forwarded: an exempt prefix is reached from behind the device" ok from "$client" tcp 203.0.113.9
expect "forwarded: a blocked prefix is dropped" ETIMEDOUT \
	in_ns "$client" "$JPROBE" tcp 192.0.2.1 $PORT 1
check "lookup names the rule that decided: prefix" \
	sh -c "$IP netns exec $device $JURIS lookup 203.0.113.1 --json | grep -q '\"country\":\"US\".*\"verdict\":\"deny\",\"rule\":\"prefix\"'"
expect "status lists the rules, sorted" \
	"exempt: 192.0.2.77/32 198.19.0.0/16 198.51.100.0/24 203.0.113.0/24 2001:db8:3::/48;block: 10.0.0.0/8 192.0.2.0/24 198.51.100.0/24 203.0.113.1/32 2001:db8:1::/64" \
	sh -c "$IP netns exec $device $JURIS status | grep -E '^(exempt|block):' | paste -sd ';'"
expect "the CLI refuses a prefix with host bits set, the rules stay" "refused; 5 exempt" \
	sh -c "$IP netns exec $device $JURIS policy set --block 203.0.113.1/24 2>/dev/null ||
		echo \"refused; \$($IP netns exec $device $JURIS status | sed -n 's/^exempt://p' | wc -w) exempt\""
check "policy set --clear-prefixes" juris policy set --clear-prefixes
expect "without prefix rules, the country decides again (US refused)" ECONNREFUSED from "$device" tcp 203.0.113.9
expect "without prefix rules, IN connects again" ok from "$device" tcp 192.0.2.1
check "lookup names the rule that decided: country" \
	sh -c "$IP netns exec $device $JURIS lookup 203.0.113.1 --json | grep -q '\"rule\":\"country\"'"

# Per-app rules: the first UID rule covering the sending socket's owner
# decides, after special-purpose destinations and prefix rules, before the
# country set. SG's /24 stays exempt throughout.
as() {
	uid=$1
	shift
	in_ns "$device" "$JPROBE" -u "$uid" "$@" $PORT 2
}
check "policy set: UID rules, first match wins" \
	juris policy set --exempt 198.51.100.0/24 --uid '1000-1999 exempt' --uid '2000 allow US' \
		--uid '2000-2999 block' --uid '3000 deny IN'
expect "no UID rule (root): the country set decides (US refused)" ECONNREFUSED as 0 tcp 203.0.113.1
expect "uid exempt: UID 1500 reaches a non-approved country (US)" ok as 1500 tcp 203.0.113.1
expect "uid exempt: and over IPv6" ok as 1500 tcp 2001:db8:3::1
expect "uid allow: UID 2000's own set approves US" ok as 2000 tcp 203.0.113.1
expect "uid allow: and only US: IN is refused" ECONNREFUSED as 2000 tcp 192.0.2.1
expect "uid allow: an exempt prefix still passes (prefix rules come first)" ok as 2000 tcp 198.51.100.1
expect "uid block: UID 2500 is refused an approved country (IN)" ECONNREFUSED as 2500 tcp 192.0.2.1
expect "uid block: a datagram fails with EPERM" EPERM as 2500 udp 192.0.2.1
expect "uid block: special-purpose destinations stay allowed" ok as 2500 tcp 10.0.2.2
expect "uid block: exempt prefixes stay allowed" ok as 2500 tcp 198.51.100.1
expect "uid deny: UID 3000 is refused the country it lists (IN)" ECONNREFUSED as 3000 tcp 192.0.2.1
expect "uid deny: and approves one it does not list (DE)" ok as 3000 tcp 198.18.7.7
expect "uid deny: the unknown verdict stays global (deny)" ECONNREFUSED as 3000 tcp 198.19.0.1
expect "fchown: a root socket handed to UID 2500 is blocked" ECONNREFUSED \
	in_ns "$device" "$JPROBE" -o 2500 tcp 192.0.2.1 $PORT 2
expect "fchown: a root socket handed to UID 1500 is exempt" ok \
	in_ns "$device" "$JPROBE" -o 1500 tcp 203.0.113.1 $PORT 2
check "lookup --uid names the UID rule" \
	sh -c "$IP netns exec $device $JURIS lookup 203.0.113.1 --uid 2000 --json | grep -q '\"verdict\":\"allow\",\"rule\":\"uid\"'"
expect "status lists the UID rules in their order" \
	"uid 1000-1999 exempt;uid 2000 allow US;uid 2000-2999 block;uid 3000 deny IN" \
	sh -c "$IP netns exec $device $JURIS status | grep '^uid ' | paste -sd ';'"
expect "the CLI refuses a bad UID rule, the rules stay" "refused; 4 rules" \
	sh -c "$IP netns exec $device $JURIS policy set --uid '10-5 exempt' 2>/dev/null ||
		echo \"refused; \$($IP netns exec $device $JURIS status | grep -c '^uid ') rules\""
check "policy set: every UID blocked" juris policy set --uid '0-4294967294 block'
expect "every local UID blocked: root is refused IN" ECONNREFUSED as 0 tcp 192.0.2.1
expect "forwarded packets have no socket: a client still reaches IN" ok from "$client" tcp 192.0.2.1
check "policy set --clear-uids --clear-prefixes" juris policy set --clear-uids --clear-prefixes
expect "without UID rules, UID 1500 is judged by the country set (US refused)" ECONNREFUSED \
	as 1500 tcp 203.0.113.1

# The device's own addresses are local whatever their country: the
# packets go over loopback and never leave.
serve "$device" $PORT
$IP -n "$device" addr add 203.0.113.200/32 dev d0
$IP -n "$device" addr add 2001:db8:3::200/128 dev d0 nodad
expect "local: the device reaches its own address in a non-approved country (US)" ok \
	from "$device" tcp 203.0.113.200
expect "local: and its own IPv6 address there" ok from "$device" tcp 2001:db8:3::200
# The refusal's errno comes from the transport past IPv6 extension headers.
expect "IPv6 TCP behind a destination options header is refused with ECONNREFUSED" ECONNREFUSED \
	in_ns "$device" "$JPROBE" -x tcp 2001:db8:3::1 $PORT 2
expect "IPv6 UDP behind a destination options header fails with EPERM" EPERM \
	in_ns "$device" "$JPROBE" -x udp 2001:db8:3::1 $PORT

expect "special-purpose: RFC 1918 next hop is always allowed" ok from "$device" tcp 10.0.2.2
expect "special-purpose: CGNAT 100.64.0.0/10 is always allowed" ok from "$device" tcp 100.64.0.1
expect "special-purpose: ULA fd00::/8 is always allowed" ok from "$device" tcp fd00:2::2

# A table that maps special-purpose ranges to a country that is not
# approved changes nothing: the prefixes are laid over every table at
# commit, and a lookup there finds their segment, of no country.
printf '%s\n' 10.0.0.0,10.255.255.255,US 100.64.0.0,100.127.255.255,US \
	fd00::,fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,US >/tmp/claims.csv
juris table load "$HERE/fixture.csv" /tmp/claims.csv >/dev/null
expect "special-purpose: a table that maps RFC 1918 to US changes nothing" ok from "$device" tcp 10.0.2.2
expect "special-purpose: nor one that maps CGNAT to US" ok from "$device" tcp 100.64.0.1
expect "special-purpose: nor one that maps the ULA range to US" ok from "$device" tcp fd00:2::2
expect "lookup: 10.0.2.2 is in the special-purpose segment 10.0.0.0/8, of no country" \
	'{"address":"10.0.2.2","country":null,"start":"10.0.0.0","end":"10.255.255.255","verdict":"allow","rule":"special","line":null,"embedded":null,"special":true}' \
	juris lookup 10.0.2.2 --json
juris table load "$HERE/fixture.csv" >/dev/null

expect "forwarded: a client behind the device reaches an approved country" ok from "$client" tcp 192.0.2.1
expect "forwarded: traffic to a non-approved country is dropped" ETIMEDOUT \
	in_ns "$client" "$JPROBE" tcp 203.0.113.1 $PORT 1
expect "forwarded IPv6: a client reaches an approved country" ok from "$client" tcp 2001:db8:1::1
expect "forwarded IPv6: traffic to a non-approved country is dropped" ETIMEDOUT \
	in_ns "$client" "$JPROBE" tcp 2001:db8:3::1 $PORT 1

before=$(counter US denied)
from "$device" udp 203.0.113.1 >/dev/null
expect "counters: one denied packet per dropped datagram" $((before + 1)) counter US denied
check "lookup agrees: 203.0.113.1 is US and denied" \
	sh -c "$IP netns exec $device $JURIS lookup 203.0.113.1 --json | grep -q '\"country\":\"US\".*\"verdict\":\"deny\"'"

juris policy set --mode audit
before=$(counter US audited)
expect "audit: traffic to a non-approved country passes" ok \
	in_ns "$device" "$JPROBE" udp 203.0.113.1 $PORT 3
expect "audit: each packet is counted as would-deny" $((before + 3)) counter US audited
juris policy set --mode enforce

check "table replaced while the policy stays" juris table load "$HERE/fixture-moved.csv"
expect "after the replacement, the moved range (now IN) connects" ok from "$device" tcp 203.0.113.1

expect "per-netns: a namespace without policy is untouched" ok from "$bystander" tcp 203.0.113.1

# Nothing to pay where juris is off: no hook runs and no counters exist
# until the first mode other than off. A kprobe counts the IPv4 hook's
# calls, all namespaces together, so the device goes off meanwhile.
TRACE=/sys/kernel/debug/tracing
CG=/sys/fs/cgroup
hook_calls() {
	awk '$1 == "juris_hook4" { print $2 }' $TRACE/kprobe_profile
}
# traffic: IPv4 out of the bystander and the device, to approved and not
traffic() {
	in_ns "$bystander" ping -c 2 -i 0.2 -W 1 127.0.0.1 >/dev/null 2>&1
	from "$bystander" tcp 203.0.113.1 >/dev/null
	from "$device" udp 192.0.2.1 >/dev/null
}
echo 'p:juris_hook4 juris:hook4' >>$TRACE/kprobe_events
echo 1 >$TRACE/events/kprobes/juris_hook4/enable
juris policy set --mode off
calls=$(hook_calls)
traffic
expect "mode off everywhere: no juris hook runs" "$calls" hook_calls
grep -q " $CG cgroup2 " /proc/mounts || mount -t cgroup2 none $CG
echo +memory >$CG/cgroup.subtree_control
mkdir -p $CG/juris-off
sh -c "echo \$\$ >$CG/juris-off/cgroup.procs; exec $IP netns exec $bystander $JURIS policy set --mode audit"
percpu=$(awk '$1 == "percpu" { print $2 }' $CG/juris-off/memory.stat)
ncpu=$(($(sed 's/.*-//' /sys/devices/system/cpu/possible) + 1))
echo "# counters allocated by the first audit: $percpu bytes of per-CPU memory, $ncpu CPUs"
check "the first mode other than off allocates the counters, charged to the caller" \
	test "$percpu" -ge $((3 * 678 * 16 * ncpu))
traffic
check "audit: the hooks run" test "$(hook_calls)" -gt "$calls"
in_ns "$bystander" "$JURIS" policy set --mode off
calls=$(hook_calls)
traffic
expect "off again: the hooks are gone" "$calls" hook_calls
echo 0 >$TRACE/events/kprobes/juris_hook4/enable
echo '-:juris_hook4' >>$TRACE/kprobe_events
rmdir $CG/juris-off
juris policy set --mode enforce

# More countries with traffic than one dump message holds (32 KiB at most):
# the counters dump must resume where it stopped, losing and repeating none.
sweep=/tmp/juris-sweep.csv
awk 'BEGIN {
	for (i = 0; i < 400; i++)
		printf "198.18.%d.%d,198.18.%d.%d,%c%c\n", 100 + int(i / 256), i % 256,
			100 + int(i / 256), i % 256, 65 + int(i / 25), 65 + i % 25
}' >"$sweep"
juris table load "$HERE/fixture-moved.csv" "$sweep" >/dev/null
# AA..PY: IN (the 214th) is the one approved.
expect "400 countries: only the datagram to IN is sent" "sent 1 refused 399" \
	in_ns "$device" "$JPROBE" sweep 198.18.100.0 400 $PORT
expect "counters list all 400 countries once, across dump messages" 400 \
	sh -c "$IP netns exec $device $JURIS counters --json | tr '{' '\n' |
		grep -o '\"country\":\"[A-P][A-Y]\"' | sort -u | wc -l"
juris table load "$HERE/fixture-moved.csv" >/dev/null

expect "before unload, CN is refused" ECONNREFUSED from "$device" tcp 198.18.7.7
check "module unloads with a policy and a table loaded" rmmod juris
expect "after unload nothing is judged (CN connects)" ok from "$device" tcp 198.18.7.7
[ -d /sys/module/juris ] || insmod /juris/juris.ko

finish
