#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The policy as users write it, in lib.sh's world (world_setup): juris apply
# of a policy file (the table and the policy in one transaction, nothing
# changed by a bad file or a killed CLI), policy show and its round trip,
# lookup's rule line, NAT64 and IPv4-mapped destinations, action reject on
# the forwarded side, scope, and fail_closed.

. "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
EXAMPLES=$(cd "$HERE/../../examples" && pwd)

# NAT64 forms of 192.0.2.1 (IN), 203.0.113.1 (US) and 203.0.113.9 (US,
# exempt below): well known (64:ff9b::/96), a configured /96 and a
# configured /64, whose IPv4 address skips bits 64-71 (RFC 6052).
WK_IN=64:ff9b::c000:201
WK_US=64:ff9b::cb00:7101
WK_EXEMPT=64:ff9b::cb00:7109
N96_IN=2001:db8:64::c000:201
N96_US=2001:db8:64::cb00:7101
N64_IN=2001:db8:6464:0:c0:2:100:0
N64_US=2001:db8:6464:0:cb:71:100:0
EXTRA_ADDRS="$WK_IN $WK_US $WK_EXEMPT $N96_IN $N96_US $N64_IN $N64_US"

cleanup() {
	cleanup_ns
	echo 0 >/sys/module/juris/parameters/fail_closed 2>/dev/null
}
trap cleanup EXIT

# The namespace's whole state, for "nothing changed": policy show (the
# table's generation and sizes included).
state() {
	juris policy show
}

generation() {
	juris status --json | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'
}

# line_of ADDR [LOOKUP ARGS]: the line of policy show that lookup says decided
line_of() {
	addr=$1
	shift
	n=$(juris lookup "$addr" --json "$@" | sed -n 's/.*"line":\([0-9]*\).*/\1/p')
	[ -n "$n" ] && juris policy show | sed -n "${n}p"
}

plan 71
world_setup || { echo "Bail out! topology setup failed"; exit 1; }

cat >/tmp/p1.policy <<EOF
# the test policy
mode enforce
allow IN SG   # approved
unknown deny
table $HERE/fixture.csv
exempt 203.0.113.9/32
nat64 2001:db8:64::/96 2001:db8:6464::/64
uid 2500 exempt
EOF

# 1. apply: the table and the policy switch together.
check "the shipped example applies (its table relative to its folder)" \
	juris apply "$EXAMPLES/juris.policy"
gen=$(generation)
check "apply: a file with a table line" juris apply /tmp/p1.policy
expect "apply: one new table generation, the file's mode and countries" \
	"$((gen + 1)) enforce IN,SG deny" \
	sh -c "$IP netns exec $device $JURIS status --json |
		sed -n 's/.*\"mode\":\"\([a-z]*\)\",\"allow\":\[\"\([A-Z]*\)\",\"\([A-Z]*\)\"\],\"unknown\":\"\([a-z]*\)\".*/\1 \2,\3 \4/p' |
		sed 's/^/$((gen + 1)) /'"
expect "apply: the generation is the new one" "$((gen + 1))" generation
expect "TCP to IN connects" ok from "$device" tcp 192.0.2.1
expect "TCP to US is refused" ECONNREFUSED from "$device" tcp 203.0.113.1
expect "the file's exempt prefix connects (US)" ok from "$device" tcp 203.0.113.9
expect "the file's UID rule: UID 2500 reaches US" ok \
	in_ns "$device" "$JPROBE" -u 2500 tcp 203.0.113.1 $PORT 2

# 2. policy show, and apply of what it prints.
state >/tmp/show1
expect "policy show: the file's directives, the table as a comment" \
	"mode enforce;allow IN SG;unknown deny;action drop;scope local forward;event-rate 100 200;log off;nat64 2001:db8:64::/96;nat64 2001:db8:6464::/64;exempt 203.0.113.9/32;uid 2500 exempt" \
	sh -c "grep -v '^#' /tmp/show1 | paste -sd ';'"
check "policy show starts with the table's generation as a comment" \
	grep -q "^# table: generation $((gen + 1)), " /tmp/show1
juris policy show >/tmp/show.policy
check "apply of policy show's output" juris apply /tmp/show.policy
expect "... leaves the same policy and table (show, byte for byte)" "" \
	sh -c "$IP netns exec $device $JURIS policy show | diff /tmp/show1 -"
expect "lookup: a prefix rule's line in policy show" "exempt 203.0.113.9/32" line_of 203.0.113.9
expect "lookup: the country set's line" "allow IN SG" line_of 192.0.2.1
expect "lookup: a UID rule's line" "uid 2500 exempt" line_of 198.18.0.1 --uid 2500
expect "lookup: the unknown verdict's line" "unknown deny" line_of 198.19.0.1

# 3. A failed apply changes nothing: a bad line, a bad table, a killed CLI.
sed 's|^exempt .*|exempt 203.0.113.9/33|' /tmp/p1.policy >/tmp/bad.policy
expect "a bad line: FILE:LINE and what is wrong" \
	"juris: /tmp/bad.policy:6: exempt: invalid prefix: '203.0.113.9/33' (expected ADDRESS/LENGTH, as in 198.51.100.0/24 or 2001:db8::/32)" \
	juris apply /tmp/bad.policy
expect "... and the table and policy are unchanged" "" sh -c "$IP netns exec $device $JURIS policy show | diff /tmp/show1 -"
printf 'mode off\ntable %s\n' "$HERE/fixture-bad.csv" >/tmp/badtable.policy
expect "a bad table: its FILE:LINE" \
	"juris: $HERE/fixture-bad.csv:3: invalid IPv4 or IPv6 address: '198.51.100.300'" \
	juris apply /tmp/badtable.policy
expect "... and the table and policy are unchanged" "" sh -c "$IP netns exec $device $JURIS policy show | diff /tmp/show1 -"
printf 'allow IN\n' >/tmp/nomode.policy
expect "a file without mode is refused" \
	"juris: /tmp/nomode.policy: no mode: a policy file says mode enforce, audit or off" \
	juris apply /tmp/nomode.policy

# Killed at growing delays: while reading the files, mid-transfer, around
# the commit. Each time the namespace holds the old table and policy, or
# the new ones whole (generation, mode, set and row count together).
jload gen 100000 7 >/tmp/big.csv
printf 'mode audit\ndeny CN\ntable /tmp/big.csv\n' >/tmp/big.policy
killed_loop() {
	old=$(state)
	oldgen=$(generation)
	n_old=0 n_new=0 bad=0
	: >/tmp/killed.diag
	for d in 0.05 0.1 0.15 0.2 0.25 0.3 0.4 0.5 0.7 1.0; do
		$IP netns exec "$device" "$JURIS" apply /tmp/big.policy >/dev/null 2>&1 &
		pid=$!
		sleep $d
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
		now=$(state)
		if [ "$now" = "$old" ]; then
			n_old=$((n_old + 1))
		elif [ "$(generation)" -eq $((oldgen + 1)) ] &&
		     echo "$now" | grep -q "^deny CN$" && echo "$now" | grep -q "^mode audit$" &&
		     [ "$(echo "$now" | sed -n 's/^# table: .*, \([0-9]*\) IPv4 + \([0-9]*\) IPv6 ranges.*/\1 + \2/p' |
			awk '{ print $1 + $3 }')" = 100000 ]; then
			n_new=$((n_new + 1))
			juris apply /tmp/p1.policy >/dev/null || bad=$((bad + 1))
			old=$(state)
			oldgen=$(generation)
		else
			bad=$((bad + 1))
			echo "# inconsistent after $d s:" >>/tmp/killed.diag
			echo "$now" | sed 's/^/#   /' >>/tmp/killed.diag
		fi
	done
	echo "# killed apply: $n_old left the old state, $n_new the new one" >>/tmp/killed.diag
	echo "$bad"
}
expect "apply killed 10 times: the old state or the new one, whole, each time" 0 killed_loop
cat /tmp/killed.diag
check "after the kills a new apply goes through (no load left open)" juris apply /tmp/p1.policy

# 4. NAT64 and IPv4-mapped destinations are judged as their IPv4 address.
expect "NAT64 64:ff9b::/96 of an IN address connects" ok from "$device" tcp $WK_IN
expect "NAT64 64:ff9b::/96 of a US address is refused" ECONNREFUSED from "$device" tcp $WK_US
expect "NAT64 of an exempt IPv4 prefix connects" ok from "$device" tcp $WK_EXEMPT
expect "configured NAT64 /96, IN: connects" ok from "$device" tcp $N96_IN
expect "configured NAT64 /96, US: refused" ECONNREFUSED from "$device" tcp $N96_US
expect "configured NAT64 /64 (bits 64-71 skipped), IN: connects" ok from "$device" tcp $N64_IN
expect "configured NAT64 /64, US: refused" ECONNREFUSED from "$device" tcp $N64_US
us=$(counter US denied)
from "$device" udp $WK_US >/dev/null
expect "a NAT64 packet counts under its IPv4 address's country" $((us + 1)) counter US denied
expect "lookup of a NAT64 address: the IPv4 one's country, segment and rule" \
	'"country":"US","start":"203.0.113.0","end":"203.0.113.255","verdict":"deny","rule":"country","line":4,"embedded":"203.0.113.1"' \
	sh -c "$IP netns exec $device $JURIS lookup $N64_US --json | sed 's/.*\"address\":\"[^\"]*\",//; s/,\"special\".*//'"
expect "IPv4-mapped, sent raw over IPv6: an IN address passes" ok \
	in_ns "$device" "$JPROBE" -r udp ::ffff:192.0.2.1 $PORT
expect "IPv4-mapped, sent raw over IPv6: a US address is refused" EPERM \
	in_ns "$device" "$JPROBE" -r udp ::ffff:203.0.113.1 $PORT
expect "lookup of an IPv4-mapped address: the IPv4 verdict" "IN allow" \
	sh -c "$IP netns exec $device $JURIS lookup ::ffff:192.0.2.1 --json |
		sed -n 's/.*\"country\":\"\([A-Z]*\)\".*\"verdict\":\"\([a-z]*\)\".*/\1 \2/p'"
check "policy set --clear-nat64" juris policy set --clear-nat64
expect "without the configured prefix, its IN address is IPv6, unmapped: refused" \
	ECONNREFUSED from "$device" tcp $N96_IN
expect "the well-known prefix needs no configuration" ok from "$device" tcp $WK_IN
expect "policy set --nat64 past the limit: refused, with the limit" \
	"juris: --nat64: more than 16 NAT64 prefixes" \
	juris policy set --nat64 "$(seq 0 16 | sed 's/.*/2001:db8:&::\/48/' | paste -sd,)"

# 5. action reject answers the forwarded side; drop stays silent.
check "policy set --action drop" juris policy set --action drop
expect "drop: a forwarded TCP connect to US times out" ETIMEDOUT from "$client" tcp 203.0.113.1
expect "drop: a forwarded datagram to US brings no ICMP error back" none \
	in_ns "$client" "$JPROBE" icmp 203.0.113.1 $PORT 2
check "policy set --action reject" juris policy set --action reject
expect "reject: a forwarded TCP connect to US is reset" ECONNREFUSED from "$client" tcp 203.0.113.1
expect "reject: the same over IPv6 (2001:db8:3::1)" ECONNREFUSED from "$client" tcp 2001:db8:3::1
expect "reject: a forwarded datagram to US: ICMP 3/13, administratively prohibited" "icmp 3 13" \
	in_ns "$client" "$JPROBE" icmp 203.0.113.1 $PORT 2
expect "reject: over IPv6: ICMPv6 1/1, administratively prohibited" "icmp 1 1" \
	in_ns "$client" "$JPROBE" icmp 2001:db8:3::1 $PORT 2
expect "reject: forwarded TCP to IN still connects" ok from "$client" tcp 192.0.2.1
expect "reject: the device's own TCP to US is refused at once, as with drop" \
	ECONNREFUSED from "$device" tcp 203.0.113.1

# 6. scope: what the policy judges.
check "policy set --scope forward" juris policy set --action drop --scope forward
expect "scope forward: the device's own TCP to US is not judged" ok from "$device" tcp 203.0.113.1
expect "scope forward: forwarded TCP to US is dropped" ETIMEDOUT from "$client" tcp 203.0.113.1
check "policy set --scope local" juris policy set --scope local
expect "scope local: the device's own TCP to US is refused" ECONNREFUSED from "$device" tcp 203.0.113.1
expect "scope local: forwarded TCP to US is not judged" ok from "$client" tcp 203.0.113.1

# 8 (before fail_closed, which reloads the module). juris lock: a lock line
# applies and locks in one step; every change then fails, the module stays
# loaded, and the lock ends with its namespace.
refcnt() {
	cat /sys/module/juris/refcnt
}
setup_ns vault
printf 'mode enforce\nallow IN\ntable %s\nlock\n' "$HERE/fixture.csv" >/tmp/lock.policy
refs=$(refcnt)
check "apply of a file ending in lock" in_ns "$vault" "$JURIS" apply /tmp/lock.policy
in_ns "$vault" "$JURIS" policy show >/tmp/locked.show
expect "status and policy show say locked" "locked: yes (no change until the namespace ends);lock" \
	sh -c "{ $IP netns exec $vault $JURIS status | grep '^locked:'; tail -1 /tmp/locked.show; } | paste -sd ';'"
# refused CMD...: exit 1, "policy is locked" said, nothing changed
refused() {
	in_ns "$vault" "$JURIS" "$@" >/dev/null 2>/tmp/refused.err
	rc=$?
	in_ns "$vault" "$JURIS" policy show | diff -q /tmp/locked.show - >/dev/null &&
		[ "$rc" -eq 1 ] && grep -q "policy is locked" /tmp/refused.err && echo refused
}
expect "locked: policy set is refused" refused refused policy set --mode off
expect "locked: a table load is refused" refused refused table load "$HERE/fixture-moved.csv"
expect "locked: apply is refused" refused refused apply /tmp/p1.policy
expect "locked: lock again is refused" refused refused lock
expect "locked: the module holds one more reference" $((refs + 1)) refcnt
expect "locked: the module cannot be removed" "in use" \
	sh -c "rmmod juris 2>/dev/null && echo removed || echo in use"
$IP netns del "$vault"
check "the lock ends with its namespace: the reference goes" wait_for 30 sh -c "[ \$(cat /sys/module/juris/refcnt) -eq $refs ]"

# 7. fail_closed: a namespace denies all but special-purpose destinations
# from its first packet until a policy is set.
# probe NS ADDR: a datagram from NS out of an interface of its own (a veth
# pair inside it: the guest kernel has no dummy device)
probe() {
	in_ns "$1" "$JPROBE" udp "$2" $PORT
}
uplink() {
	$IP -n "$1" link add d0 type veth peer name d1 && $IP -n "$1" addr add 10.9.0.1/24 dev d0 &&
		$IP -n "$1" link set d0 up && $IP -n "$1" link set d1 up &&
		$IP -n "$1" route add default dev d0
}
echo 1 >/sys/module/juris/parameters/fail_closed
setup_ns fresh
uplink "$fresh"
expect "fail_closed=1: a new namespace enforces the initial policy" \
	"mode: enforce;approved: (none);unknown: deny;initial: yes (fail_closed: no policy set yet)" \
	sh -c "$IP netns exec $fresh $JURIS status | grep -E '^(mode|approved|unknown|initial):' | paste -sd ';'"
expect "fail_closed: a datagram to IN is refused before any policy" EPERM probe "$fresh" 192.0.2.1
expect "fail_closed: special-purpose destinations pass" ok probe "$fresh" 10.9.0.2
in_ns "$fresh" "$JURIS" policy set --allow IN >/dev/null
expect "a policy set ends the initial policy" "no initial" \
	sh -c "$IP netns exec $fresh $JURIS status | grep -q '^initial:' && echo initial || echo no initial"
echo 0 >/sys/module/juris/parameters/fail_closed
setup_ns open
uplink "$open"
expect "fail_closed=0: a new namespace starts off" ok probe "$open" 192.0.2.1

# At module load: the first namespace too.
cleanup_ns
if rmmod juris && insmod /juris/juris.ko fail_closed=1; then
	expect "insmod fail_closed=1: the initial namespace is fail-closed" \
		"mode: enforce;initial: yes (fail_closed: no policy set yet)" \
		sh -c "$JURIS status | grep -E '^(mode|initial):' | paste -sd ';'"
	rmmod juris && insmod /juris/juris.ko
else
	result "insmod fail_closed=1: the initial namespace is fail-closed" 1 /dev/null
fi
expect "insmod without it: the initial namespace starts off" "mode: off" \
	sh -c "$JURIS status | grep '^mode:'"

finish
