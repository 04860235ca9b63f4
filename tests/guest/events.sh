#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Evidence, in lib.sh's world (world_setup): the event of each denied or
# audited packet as juris monitor --json prints it (local and forwarded,
# IPv4 and IPv6, TCP and UDP, the rule that decided and the UID), JSON
# Lines that parse, numbering without gaps; the rate limit and its exact
# suppressed count (sent = received + suppressed); an overrun reported as
# lost events with their count; SIGINT and SIGTERM; the kernel log line
# and its own rate limit. Who may listen is nl_test's.

. "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
# 203.0.113.1 (US) as NAT64's well-known prefix has it.
WK_US=64:ff9b::cb00:7101
EXTRA_ADDRS=$WK_US
MON=/tmp/events.jsonl
MONERR=/tmp/events.err
MONPID=

cleanup() {
	[ -n "$MONPID" ] && kill "$MONPID" 2>/dev/null
	cleanup_ns
}
trap cleanup EXIT

# field KEY: KEY's value in each JSON line read, strings without quotes
field() {
	sed -n -e "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" -e t -e "s/.*\"$1\":\([^,}]*\).*/\1/p"
}

# monitor [ARGS]: juris monitor --json in the device's namespace, in the
# background, once it listens
monitor() {
	: >"$MON"
	: >"$MONERR"
	$IP netns exec "$device" "$JURIS" monitor --json "$@" >"$MON" 2>"$MONERR" &
	MONPID=$!
	wait_for 10 grep -q "monitoring" "$MONERR"
}

# stop_monitor SIGNAL: its exit status
stop_monitor() {
	kill -"$1" "$MONPID"
	wait "$MONPID"
	st=$?
	MONPID=
	return $st
}

events() {
	grep -c '"type":"event"' "$MON"
}

# probe KEYS -- COMMAND...: runs the command, then prints the KEYS of the
# one event it brought (waits for it)
probe() {
	keys=$1
	shift 2
	before=$(events)
	"$@" >/dev/null 2>&1
	wait_for 5 sh -c "[ \$(grep -c '\"type\":\"event\"' $MON) -gt $before ]"
	line=$(grep '"type":"event"' "$MON" | sed -n "$((before + 1))p")
	out=
	for k in $keys; do
		out="$out $(echo "$line" | field "$k")"
	done
	echo ${out# }
}

suppressed() {
	juris status --json | sed -n 's/.*"suppressed":\([0-9]*\).*/\1/p'
}

generation() {
	juris status --json | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'
}

# segment ADDR: lookup's segment of ADDR, START-END
segment() {
	juris lookup "$1" | sed -n 's/^segment: \(.*\) - \(.*\)$/\1-\2/p'
}

# log_lines: juris's event lines in the kernel log so far
log_lines() {
	dmesg | grep -c 'juris: verdict='
}

plan 26
world_setup || { echo "Bail out! topology setup failed"; exit 1; }

expect "a new namespace: the default event rate, no kernel log" \
	"events: 100 a second, bursts of 200, 0 suppressed;log: off" \
	sh -c "$IP netns exec $device $JURIS status | grep -E '^(events|log):' | paste -sd ';'"

cat >/tmp/ev.policy <<EOF
mode enforce
allow IN SG
unknown deny
table $HERE/fixture.csv
block 192.0.2.77/32
uid 2500 block
event-rate 1000 1000
EOF
check "apply a policy with an event rate" juris apply /tmp/ev.policy
gen=$(generation)
check "juris monitor --json joins the events group" monitor

KEYS="verdict mode hook family proto src dst dport country segment rule rule_index uid generation"
expect "local TCP to US: deny, local, tcp, the country rule, uid 0" \
	"deny enforce local ipv4 tcp 10.0.2.1 203.0.113.1 7777 US $(segment 203.0.113.1) country null 0 $gen" \
	probe "$KEYS" -- from "$device" tcp 203.0.113.1
expect "local UDP to US over IPv6: its ports" \
	"deny local ipv6 udp fd00:2::1 2001:db8:3::1 7777 US $(segment 2001:db8:3::1) country 0" \
	probe "verdict hook family proto src dst dport country segment rule uid" -- \
	from "$device" udp 2001:db8:3::1
expect "the event carries a source port" "yes" \
	sh -c "tail -1 $MON | grep -q '\"sport\":[1-9]' && echo yes"
expect "a block prefix decides: rule prefix, its index" "deny 192.0.2.77 US prefix 0" \
	probe "verdict dst country rule rule_index" -- from "$device" tcp 192.0.2.77
expect "a UID rule decides: rule uid, its index, the UID" "deny 198.51.100.1 SG uid 0 2500" \
	probe "verdict dst country rule rule_index uid" -- \
	in_ns "$device" "$JPROBE" -u 2500 tcp 198.51.100.1 $PORT 2
expect "an unmapped destination: no country, rule unknown" \
	"deny 198.19.0.1 null $(segment 198.19.0.1) unknown" \
	probe "verdict dst country segment rule" -- from "$device" tcp 198.19.0.1
expect "forwarded TCP: hook forward, the client's address, no UID" \
	"deny forward ipv4 tcp 10.0.1.2 203.0.113.1 7777 US country null" \
	probe "verdict hook family proto src dst dport country rule uid" -- \
	from "$client" tcp 203.0.113.1
expect "forwarded UDP over IPv6" "deny forward ipv6 udp fd00:1::2 2001:db8:3::1 US null" \
	probe "verdict hook family proto src dst country uid" -- from "$client" udp 2001:db8:3::1
expect "NAT64: the IPv6 destination, the IPv4 address judged, its country and segment" \
	"ipv6 $WK_US 203.0.113.1 US $(segment 203.0.113.1)" \
	probe "family dst embedded country segment" -- from "$device" udp "$WK_US"
juris policy set --mode audit >/dev/null
expect "audit mode: verdict audit" "audit audit 203.0.113.1 US" \
	probe "verdict mode dst country" -- from "$device" udp 203.0.113.1
juris policy set --mode enforce >/dev/null
expect "every line is a JSON object (JSON Lines)" "ok $(wc -l <"$MON")" \
	in_ns "$device" "$JPROBE" jsonl "$MON"
expect "numbered without gaps, nothing lost, nothing suppressed" "ok 0 0" \
	sh -c "grep '\"type\":\"event\"' $MON | sed -n 's/.*\"seq\":\([0-9]*\).*/\1/p' |
		awk 'NR > 1 && \$1 != last + 1 { bad = 1 } { last = \$1 }
		     END { print bad ? \"gap\" : \"ok\" }' | tr '\n' ' ';
		grep -c '\"type\":\"lost\"' $MON | tr '\n' ' '; $IP netns exec $device $JURIS status --json |
		sed -n 's/.*\"suppressed\":\([0-9]*\).*/\1/p'"

# The rate limit: 300 audited datagrams, 5 events a second in bursts of 10.
juris policy set --mode audit --event-rate 5,10 >/dev/null
ev0=$(events) s0=$(suppressed) a0=$(counter US audited)
t0=$(date +%s)
in_ns "$device" "$JPROBE" udp 203.0.113.1 $PORT 300 >/dev/null
t1=$(date +%s)
# Every datagram counted, and each an event or a suppressed one: the work
# item has sent what it was given.
balanced() {
	a=$(counter US audited)
	[ $((a - a0)) -ge 300 ] && [ $((a - a0 - ($(events) - ev0) - ($(suppressed) - s0))) -eq 0 ]
}
wait_for 30 balanced
ev1=$(events) s1=$(suppressed) a1=$(counter US audited)
expect "rate limit: every packet is an event or a suppressed one (sent - received - suppressed = 0)" \
	"300 0" echo "$((a1 - a0)) $((a1 - a0 - (ev1 - ev0) - (s1 - s0)))"
# At most the burst and 5 a second while they were sent (whole seconds).
most=$((10 + 5 * (t1 - t0 + 1)))
expect "rate limit: the burst came through, the rest within the rate, suppressed" "yes" \
	sh -c "[ $((ev1 - ev0)) -ge 10 ] && [ $((ev1 - ev0)) -le $most ] && echo yes ||
		echo 'received $((ev1 - ev0)) (at most $most) suppressed $((s1 - s0))'"
# The next event tells the stream how many were suppressed before it.
sleep 1
in_ns "$device" "$JPROBE" udp 203.0.113.1 $PORT 1 >/dev/null
wait_for 5 sh -c "[ \$(grep -c '\"type\":\"event\"' $MON) -gt $ev1 ]"
expect "the stream reports the suppressed total that status shows" "$(suppressed)" \
	sh -c "grep '\"type\":\"suppressed\"' $MON | tail -1 | sed -n 's/.*\"total\":\([0-9]*\).*/\1/p'"

# A slow rate's empty bucket must not hold back a faster one: after a
# burst at 1 a second the bucket is 1024 s in debt, which at 100,000 a
# second is an empty bucket, full again in 10 ms.
juris policy set --event-rate 1,1024 >/dev/null
in_ns "$device" "$JPROBE" udp 203.0.113.1 $PORT 1100 >/dev/null
juris policy set --event-rate 100000,1024 >/dev/null
sleep 1
ev0=$(events)
in_ns "$device" "$JPROBE" udp 203.0.113.1 $PORT 1 >/dev/null
expect "a faster rate is not held back by a slower one's debt" "yes" \
	sh -c "i=0; until [ \$(grep -c '\"type\":\"event\"' $MON) -gt $ev0 ] || [ \$i -ge 50 ]; do
		sleep 0.1; i=\$((i + 1)); done; [ \$(grep -c '\"type\":\"event\"' $MON) -gt $ev0 ] && echo yes"

juris policy set --event-rate 0 >/dev/null
ev0=$(events)
in_ns "$device" "$JPROBE" udp 203.0.113.1 $PORT 20 >/dev/null
sleep 1
expect "event-rate 0: no events, status says off" "0 events: off" \
	sh -c "echo \$((\$(grep -c '\"type\":\"event\"' $MON) - $ev0)) \$($IP netns exec $device $JURIS status | grep '^events:' | cut -d, -f1)"
kill -TERM "$MONPID"
wait "$MONPID"
st=$?
MONPID=
expect "SIGTERM ends juris monitor cleanly, with a summary" "0 yes" \
	sh -c "grep -q 'events, 0 lost' $MONERR && echo $st yes || { echo $st; cat $MONERR; }"
check "SIGINT ends it too" sh -c "
	$IP netns exec $device $JURIS monitor >/dev/null 2>/tmp/ev2.err & pid=\$!
	i=0
	until grep -q monitoring /tmp/ev2.err || [ \$i -ge 100 ]; do sleep 0.1; i=\$((i + 1)); done
	kill -INT \$pid; wait \$pid"

# An overrun: a stopped monitor with the smallest buffer misses a burst.
juris policy set --event-rate 100000,1024 >/dev/null
monitor --rcvbuf 2048
kill -STOP "$MONPID"
in_ns "$device" "$JPROBE" udp 203.0.113.1 $PORT 200 >/dev/null
sleep 1
kill -CONT "$MONPID"
sleep 0.5
in_ns "$device" "$JPROBE" udp 203.0.113.1 $PORT 1 >/dev/null
wait_for 5 grep -q '"type":"lost"' "$MON"
expect "an overrun is reported as lost events, counted: first..last = received + lost" "yes" \
	sh -c "first=\$(grep '\"type\":\"event\"' $MON | head -1 | sed -n 's/.*\"seq\":\([0-9]*\).*/\1/p')
		last=\$(grep '\"type\":\"event\"' $MON | tail -1 | sed -n 's/.*\"seq\":\([0-9]*\).*/\1/p')
		got=\$(grep -c '\"type\":\"event\"' $MON)
		lost=\$(grep '\"type\":\"lost\"' $MON | sed -n 's/.*\"count\":\([0-9]*\).*/\1/p' | awk '{ n += \$1 } END { print n + 0 }')
		[ \$lost -gt 0 ] && [ \$((last - first + 1)) -eq \$((got + lost)) ] && echo yes ||
			echo \"first \$first last \$last got \$got lost \$lost\""
check "after the overrun the monitor goes on and exits cleanly" stop_monitor TERM

# The kernel log line: its documented keys in their order.
juris policy set --mode enforce --log kernel --event-rate 1000,1000 >/dev/null
n0=$(log_lines)
from "$device" tcp 203.0.113.1 >/dev/null
wait_for 5 sh -c "[ \$(dmesg | grep -c 'juris: verdict=') -gt $n0 ]"
expect "log kernel: one line per event, in the documented format" "yes" \
	sh -c "dmesg | grep 'juris: verdict=' | tail -1 | sed 's/^\[[^]]*\] //' |
		grep -Eq '^juris: verdict=deny mode=enforce hook=local family=ipv4 proto=tcp src=10\.0\.2\.1 sport=[0-9]+ dst=203\.0\.113\.1 dport=$PORT embedded=- cc=US segment=$(segment 203.0.113.1) rule=country rule_index=- uid=0 gen=$gen seq=[0-9]+ netns=[0-9]+$' &&
		echo yes || dmesg | grep 'juris: verdict=' | tail -1"
# After the limit's window (5 s), at most its burst (50) of 300 get a line
# in each 5 s the work takes to log them.
sleep 6
juris policy set --mode audit >/dev/null
n0=$(log_lines)
t0=$(date +%s)
in_ns "$device" "$JPROBE" udp 203.0.113.1 $PORT 300 >/dev/null
# Until the work item is done with them: no new line for a second.
log_settled() {
	n=$(log_lines)
	sleep 1
	[ "$(log_lines)" = "$n" ]
}
wait_for 10 sh -c "[ \$(dmesg | grep -c 'juris: verdict=') -gt $n0 ]"
wait_for 30 log_settled
t1=$(date +%s)
n1=$(log_lines)
most=$((50 * ((t1 - t0) / 5 + 1)))
expect "the kernel log stays rate limited: at most 50 lines per 5 s of 300 events" "yes" \
	sh -c "[ $((n1 - n0)) -ge 1 ] && [ $((n1 - n0)) -le $most ] && [ $((n1 - n0)) -lt 300 ] && echo yes ||
		echo '$((n1 - n0)) lines in $((t1 - t0)) s'"
juris policy set --mode enforce --log off >/dev/null

cleanup_ns
finish
