#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Enforcement under load: TCP and UDP, IPv4 and IPv6, to approved and
# non-approved destinations at once, while the table is replaced over and
# over, the mode flips, loaders die and race, a namespace vanishes and the
# module goes away. The proof is taken where the packets land: a sink in
# the "internet" namespace counts what reaches each destination address,
# and every packet the sender was told was sent is either counted there or
# accounted as a drop by a socket or interface counter.
#
#   device (juris, senders, loaders) 10.0.2.1 ---veth--- 10.0.2.2 internet (sink)
#                                    fd00:2::1           fd00:2::2
#
# Destinations (tests/guest/fixture.csv), policy: allow IN and SG, unknown deny.

. "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
PORT=9000
RATE=${LOAD_RATE:-50}
SECONDS_MIN=${LOAD_SECONDS:-20}
RELOADS_MIN=100
APPROVED="192.0.2.1 198.51.100.1 2001:db8:1::1 2001:db8:2::1"
DENIED="203.0.113.1 198.18.0.1 198.18.7.7 198.19.0.1 2001:db8:3::1"
PIDS=

cleanup() {
	[ -z "$PIDS" ] || kill $PIDS 2>/dev/null
	cleanup_ns
}
trap cleanup EXIT

# topology DEVICE INTERNET
topology() {
	$IP link add d1 netns "$1" type veth peer name i0 netns "$2"
	$IP -n "$1" addr add 10.0.2.1/24 dev d1
	$IP -n "$1" addr add fd00:2::1/64 dev d1 nodad
	$IP -n "$2" addr add 10.0.2.2/24 dev i0
	$IP -n "$2" addr add fd00:2::2/64 dev i0 nodad
	for a in $APPROVED $DENIED; do
		case $a in
		*:*) $IP -n "$2" addr add $a/128 dev lo nodad ;;
		*) $IP -n "$2" addr add $a/32 dev lo ;;
		esac
	done
	$IP -n "$1" link set d1 up
	$IP -n "$2" link set i0 up
	$IP -n "$1" route add default via 10.0.2.2
	$IP -n "$1" -6 route add default via fd00:2::2
}

# The loops that call the CLI many times run inside the device namespace
# ("load.sh reload|sigkill|race ..."), sparing an "ip netns exec" a call.
juris() {
	if [ -n "${INSIDE:-}" ]; then
		"$JURIS" "$@"
	else
		in_ns "$device" "$JURIS" "$@"
	fi
}

generation() {
	juris status --json | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'
}

# Packets lost on the way, not by juris: the sender's veth, the receiver's
# veth, and the receiving CPUs' backlogs.
ifdrops() {
	tx=$(in_ns "$device" cat /sys/class/net/d1/statistics/tx_dropped)
	rx=$(in_ns "$internet" cat /sys/class/net/i0/statistics/rx_dropped)
	backlog=0
	while read -r _ dropped _; do
		backlog=$((backlog + 0x$dropped))
	done </proc/net/softnet_stat
	echo $((tx + rx + backlog))
}

# start_traffic SECS [--udp]: a sink in the internet namespace, a sender in
# the device namespace to every destination. Programs put in the background
# are started by ip itself, not through a shell function: $! must be the
# program, which prints its counts when told to stop.
start_traffic() {
	$IP netns exec "$internet" jload sink $PORT $APPROVED $DENIED >/tmp/sink.out &
	SINK=$!
	wait_for 10 grep -q ready /tmp/sink.out
	$IP netns exec "$device" jload send "$1" $RATE $PORT $2 $APPROVED $DENIED >/tmp/send.out &
	SENDER=$!
	PIDS="$SINK $SENDER"
}

stop_traffic() {
	kill -TERM $SENDER 2>/dev/null
	wait $SENDER
	kill -TERM $SINK 2>/dev/null
	wait $SINK
	PIDS=
}

# field FILE ADDR NAME: the number after NAME on ADDR's line
field() {
	awk -v a="$2" -v f="$3" '$1 == a { for (i = 2; i < NF; i++) if ($i == f) print $(i + 1) }' "$1"
}

# verify_traffic PHASE DROPS_BEFORE: what arrived where, against what was sent
verify_traffic() {
	phase=$1
	drops=$(($(ifdrops) - $2))
	leaked=0 refused_ok=0 missing=0 lost=0 sent=0 got=0 tcp_bad=0 tcp_bytes=0 denied_sent=0
	for a in $DENIED; do
		leaked=$((leaked + $(field /tmp/sink.out $a udp) + $(field /tmp/sink.out $a conns)))
		denied_sent=$((denied_sent + $(field /tmp/send.out $a udp_sent) + $(field /tmp/send.out $a conns)))
	done
	for a in $APPROVED; do
		s=$(field /tmp/send.out $a udp_sent)
		r=$(field /tmp/sink.out $a udp)
		d=$(field /tmp/sink.out $a drops)
		sent=$((sent + s))
		got=$((got + r))
		refused_ok=$((refused_ok + $(field /tmp/send.out $a udp_refused)))
		m=$((s - r - d))
		[ "$m" -ge 0 ] || lost=1
		missing=$((missing + m))
		tb=$(field /tmp/send.out $a bytes)
		[ "$(field /tmp/sink.out $a bytes)" = "$tb" ] || tcp_bad=1
		tcp_bytes=$((tcp_bytes + tb))
	done
	echo "# $phase: approved: $sent datagrams sent, $got received, $missing missing, $drops dropped by interfaces; $tcp_bytes TCP bytes"
	echo "# $phase: non-approved: $leaked arrived, $denied_sent sent, $(awk '{ n += $5 } END { print n }' /tmp/send.out) datagrams refused"
	expect "$phase: nothing arrived at a non-approved destination" 0 echo $leaked
	expect "$phase: the sender was told nothing to a non-approved destination went out" 0 echo $denied_sent
	expect "$phase: no datagram to an approved destination was refused" 0 echo $refused_ok
	check "$phase: every datagram sent to an approved destination arrived or was counted as dropped" \
		test "$lost" -eq 0 -a "$missing" -le "$drops"
}

# reload TABLES: at least RELOADS_MIN loads in at least SECONDS_MIN
# seconds, cycling through the tables, the world's every 40th, the policy
# set again every 5th; prints "LOADS WORLDS FAILED SECONDS"
reload_loop() {
	start=$(date +%s)
	loads=0 failed=0 worlds=0
	while [ $loads -lt $RELOADS_MIN ] || [ $(($(date +%s) - start)) -lt "$SECONDS_MIN" ]; do
		if [ $((loads % 40)) -eq 20 ]; then
			t=/tmp/world.csv
			worlds=$((worlds + 1))
		else
			t=/tmp/t$((loads % $1)).csv
		fi
		juris table load "$t" >/dev/null || failed=$((failed + 1))
		loads=$((loads + 1))
		[ $((loads % 5)) -ne 0 ] ||
			juris policy set --mode enforce --allow IN,SG --unknown deny ||
			failed=$((failed + 1))
	done
	echo "$loads $worlds $failed $(($(date +%s) - start))"
}

# ranges: "IPV4+IPV6" ranges of the active table
ranges() {
	juris status | sed -n 's/^table: generation [0-9]*, \([0-9]*\) IPv4 + \([0-9]*\) IPv6.*/\1+\2/p'
}

# sigkill N: N loaders of fixture.csv and 30,000 more rows (BEGIN, 6 ADDs,
# COMMIT) that SIGKILL themselves after request 1 to 8 in turn: after
# BEGIN, mid-transfer, or with the COMMIT handled and its answer unread.
# After each, the table is the old one, or with the COMMIT handled the new
# one, whole, and the generation says which. Prints "COMMITTED INCONSISTENT".
sigkill_loop() {
	juris table load /tmp/t0.csv >/dev/null
	old_ranges=$(ranges)
	gen=$(generation)
	committed=0 inconsistent=0
	for i in $(seq "$1"); do
		k=$((1 + i % 8))
		jload load 30000 --base "$HERE/fixture.csv" --die-at $k >/dev/null 2>&1
		if [ $k -lt 8 ]; then
			[ "$(generation)" -eq "$gen" ] && [ "$(ranges)" = "$old_ranges" ] ||
				inconsistent=$((inconsistent + 1))
		else
			gen=$((gen + 1))
			committed=$((committed + 1))
			[ "$(generation)" -eq "$gen" ] && [ "$(ranges)" = "30006+3" ] ||
				inconsistent=$((inconsistent + 1))
			juris table load /tmp/t0.csv >/dev/null || inconsistent=$((inconsistent + 1))
			gen=$((gen + 1))
		fi
	done
	echo "$committed $inconsistent"
}

# race N: N rounds of two loaders of the 100,000-row table started at once,
# which may or may not overlap; then N rounds where a loader holds its load
# open while the CLI tries to load, so they overlap for certain.
# Prints "WINS BUSY OTHER NOWIN HELD", other failures' messages as
# diagnostics: NOWIN counts free rounds nobody won, HELD the held rounds
# where the CLI was told busy and the holder then committed.
race_loop() {
	wins=0 busy=0 other=0 nowin=0 held=0
	for i in $(seq "$1"); do
		"$JURIS" table load /tmp/t100k.csv >/tmp/race.1 2>&1 &
		p1=$!
		"$JURIS" table load /tmp/t100k.csv >/tmp/race.2 2>&1 &
		p2=$!
		won=0
		for p in $p1 $p2; do
			if wait $p; then
				won=$((won + 1))
			fi
		done
		[ $won -gt 0 ] || nowin=$((nowin + 1))
		wins=$((wins + won))
		for f in /tmp/race.1 /tmp/race.2; do
			if grep -q 'another table load is in progress' $f; then
				busy=$((busy + 1))
			elif ! grep -q '^loaded' $f; then
				other=$((other + 1))
				sed 's/^/# race: /' $f
			fi
		done
	done
	for i in $(seq "$1"); do
		: >/tmp/race.h
		jload load 1000 --hold >/tmp/race.h 2>&1 &
		h=$!
		wait_for 60 grep -q holding /tmp/race.h
		if "$JURIS" table load /tmp/t100k.csv >/tmp/race.1 2>&1; then
			wins=$((wins + 1))
		elif ! grep -q 'another table load is in progress' /tmp/race.1; then
			other=$((other + 1))
			sed 's/^/# race: /' /tmp/race.1
		else
			busy=$((busy + 1))
			kill -USR1 $h
			wait $h && grep -q '^committed' /tmp/race.h &&
				held=$((held + 1)) wins=$((wins + 1))
			continue
		fi
		kill -USR1 $h
		wait $h && wins=$((wins + 1))
	done
	echo "$wins $busy $other $nowin $held"
}

case ${1:-} in
reload|sigkill|race)
	INSIDE=1
	cmd=$1
	shift
	"${cmd}_loop" "$@"
	exit
	;;
esac

plan 27
T0=$(date +%s)
# took PHASE: how long the phase took, for the log
took() {
	echo "# $1 took $(($(date +%s) - T0)) s"
	T0=$(date +%s)
}
setup_ns device internet || { echo "Bail out! namespaces"; exit 1; }
topology "$device" "$internet"

# Tables that agree on the destinations and differ everywhere else, in
# size and layout (generated rows before or after the fixture's), one the
# size of the world's tables (550,000 rows).
cp "$HERE/fixture.csv" /tmp/t0.csv
i=1
for n in 100 1000 5000 20000; do
	jload gen $n $i >/tmp/gen.csv
	cat /tmp/gen.csv "$HERE/fixture.csv" >/tmp/t$i.csv
	cat "$HERE/fixture.csv" /tmp/gen.csv >/tmp/t$((i + 1)).csv
	i=$((i + 2))
done
jload gen 550000 99 | cat - "$HERE/fixture.csv" >/tmp/world.csv
TABLES=$i

juris table load "$HERE/fixture.csv" >/dev/null
juris policy set --mode enforce --allow IN,SG --unknown deny

took setup
# 1. Reload under load.
gen0=$(generation)
drops0=$(ifdrops)
start_traffic 600
in_ns "$device" "$HERE/load.sh" reload "$TABLES" >/tmp/reload.out
stop_traffic
read -r loads worlds failed elapsed </tmp/reload.out
echo "# reload: $loads tables loaded ($worlds of world size) in $elapsed s under load"
expect "reload: every load and policy change under load succeeded" 0 echo $failed
expect "reload: each load replaced the table once" $((gen0 + loads)) generation
verify_traffic reload "$drops0"
check "reload: every TCP byte to an approved destination arrived" test "$tcp_bad" -eq 0 -a "$tcp_bytes" -gt 0
expect "reload: juris denied nothing bound for IN or SG" 0 \
	sh -c "$IP netns exec $device $JURIS counters | awk '\$1 == \"IN\" || \$1 == \"SG\" { n += \$4 } END { print n + 0 }'"

took reload
# 2. Exact accounting while the mode flips between enforce and audit. UDP
# only, so the sender's numbers are all the packets the hooks see.
# counts: "CC allowed denied audited" packets per country
counts() {
	juris counters | awk '$1 ~ /^[A-Z][A-Z]$/ || $1 == "unknown" { print $1, $2, $4, $6 }'
}
counts >/tmp/counts.before
drops0=$(ifdrops)
start_traffic 600 --udp
flips=0
start=$(date +%s)
while [ $(($(date +%s) - start)) -lt 6 ]; do
	juris policy set --mode audit
	sleep 0.3
	juris policy set --mode enforce
	sleep 0.3
	flips=$((flips + 2))
done
stop_traffic
counts >/tmp/counts.after
# Per country: sent, refused (sender), received, socket drops (sink).
for a in $APPROVED $DENIED; do
	cc=$(juris lookup "$a" --json | sed -n 's/.*"country":"\([A-Z][A-Z]\)".*/\1/p')
	echo "${cc:-unknown} $(field /tmp/send.out $a udp_sent) $(field /tmp/send.out $a udp_refused) $(field /tmp/sink.out $a udp) $(field /tmp/sink.out $a drops)"
done >/tmp/flows
awk -v drops=$(($(ifdrops) - drops0)) '
	FILENAME == "/tmp/counts.before" { a0[$1] = $2; d0[$1] = $3; u0[$1] = $4; next }
	FILENAME == "/tmp/counts.after" { a1[$1] = $2; d1[$1] = $3; u1[$1] = $4; next }
	{ sent[$1] += $2; refused[$1] += $3; got[$1] += $4 + $5 }
	END {
		for (cc in sent) {
			a = a1[cc] - a0[cc]; d = d1[cc] - d0[cc]; u = u1[cc] - u0[cc]
			printf "# accounting: %s: sent %d refused %d arrived %d; juris allowed %d denied %d audited %d\n", cc, sent[cc], refused[cc], got[cc], a, d, u
			if (a + d + u != sent[cc] + refused[cc]) bad = bad " " cc ":seen"
			if (d != refused[cc]) bad = bad " " cc ":denied"
			if (a + u - got[cc] < 0 || a + u - got[cc] > drops) bad = bad " " cc ":arrived"
			lost += a + u - got[cc]
			if (cc == "IN" || cc == "SG") { if (d || u) bad = bad " " cc ":approved" }
			else { if (a) bad = bad " " cc ":allowed"; if (!d || !u) bad = bad " " cc ":flips" }
		}
		if (lost > drops) bad = bad " lost"
		print bad ? "bad" bad : "exact"
	}' /tmp/counts.before /tmp/counts.after /tmp/flows >/tmp/accounting
sed '$d' /tmp/accounting
echo "# accounting: $flips mode changes"
expect "accounting: allowed + denied + audited = packets sent, per country, across $flips mode flips" \
	exact tail -n1 /tmp/accounting

took accounting
# 3. Lifecycle under load.
# 3a. A namespace deleted with traffic flowing and a table load open.
before=$(kmem)
setup_ns dev2 inet2
topology "$dev2" "$inet2"
in_ns "$dev2" "$JURIS" table load /tmp/t4.csv >/dev/null
in_ns "$dev2" "$JURIS" policy set --mode enforce --allow IN,SG --unknown deny
$IP netns exec "$inet2" jload sink $PORT $APPROVED $DENIED >/dev/null &
$IP netns exec "$dev2" jload send 600 $RATE $PORT $APPROVED $DENIED >/dev/null &
$IP netns exec "$dev2" jload load 200000 --hold >/tmp/hold.out &
wait_for 60 grep -q holding /tmp/hold.out
gen=$(generation)
for ns in $dev2 $inet2; do
	$IP netns pids "$ns" | xargs -r kill -9
	$IP netns del "$ns"
done
NAMESPACES="$device $internet"
wait 2>/dev/null
no_kmem_left "netns: deleted with traffic and a load open, no memory left behind" "$before"
expect "netns: the other namespace's table is untouched" "$gen" generation

took netns
# 3b. A loader killed mid-transfer, 50 times, with traffic flowing.
juris table load /tmp/t0.csv >/dev/null
sleep 2
echo 3 >/proc/sys/vm/drop_caches
before=$(kmem)
drops0=$(ifdrops)
start_traffic 600
in_ns "$device" "$HERE/load.sh" sigkill 50 >/tmp/sigkill.out
read -r committed inconsistent </tmp/sigkill.out
stop_traffic
echo "# sigkill: 50 loaders killed, $committed of them with their COMMIT handled"
expect "sigkill: after each kill the table is the old one, or with the COMMIT handled the new one, whole" \
	0 echo $inconsistent
check "sigkill: no load is left open (a new one starts)" juris table load /tmp/t0.csv
verify_traffic sigkill "$drops0"
no_kmem_left "sigkill: no memory left behind" "$before"

took sigkill
# 3c. Two loaders racing: one wins, the other is told the load is busy.
jload gen 100000 7 >/tmp/t100k.csv
gen=$(generation)
in_ns "$device" "$HERE/load.sh" race 5 >/tmp/race.out
grep '^#' /tmp/race.out
read -r wins busy other nowin held <<EOF
$(grep -v '^#' /tmp/race.out)
EOF
echo "# race: 5 rounds of 2 loaders at once, 5 of a held load and a loader: $wins loaded, $busy told busy"
expect "race: every loser is told another load is in progress" 0 echo $other
expect "race: when two start at once, at least one wins" 0 echo $nowin
expect "race: a loader meeting a held load is told busy, and the holder commits" 5 echo $held
expect "race: the generation counts the winners" $((gen + wins)) generation

took race
# 3d. The module removed while traffic flows and a load is open.
juris table load /tmp/t0.csv >/dev/null
start_traffic 600
$IP netns exec "$device" jload load 200000 --hold >/tmp/hold.out &
holder=$!
wait_for 60 grep -q holding /tmp/hold.out
sleep 1
check "rmmod: the module goes with traffic flowing and a load open" rmmod juris
sleep 1
kill $holder
wait $holder 2>/dev/null
stop_traffic
check "rmmod: traffic kept flowing to the end" \
	test "$(field /tmp/sink.out 192.0.2.1 udp)" -gt 0
check "rmmod: the module loads again" insmod /juris/juris.ko
expect "rmmod: and starts from nothing" "mode: off" sh -c "$IP netns exec $device $JURIS status | head -n1"
expect "rmmod: with no table" 0 generation

took rmmod
finish
