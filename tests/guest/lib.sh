# SPDX-License-Identifier: GPL-2.0
# Shared by the guest selftests: TAP output, namespaces, waiting on counters.
# Busybox sh runs its own applets first, so iproute2 is called by full path.

IP=${IP:-/usr/sbin/ip}
JURIS=${JURIS:-/juris/bin/juris}
JPROBE=${JPROBE:-/juris/bin/jprobe}
NAMESPACES=""
ntest=0
nfail=0

plan() { echo "1..$1"; }

# result DESCRIPTION STATUS OUTPUT-FILE: one TAP line, the output as diagnostics on failure
result() {
	ntest=$((ntest + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $ntest - $1"
	else
		nfail=$((nfail + 1))
		echo "not ok $ntest - $1"
		[ -s "$3" ] && sed 's/^/# /' "$3"
	fi
	return 0
}

# check DESCRIPTION COMMAND...: passes when the command succeeds
check() {
	desc=$1
	shift
	"$@" >/tmp/check.out 2>&1
	result "$desc" $? /tmp/check.out
}

# expect DESCRIPTION WANT COMMAND...: passes when the command prints exactly WANT
expect() {
	desc=$1 want=$2
	shift 2
	got=$("$@" 2>&1)
	if [ "$got" = "$want" ]; then
		result "$desc" 0 /dev/null
	else
		printf 'wanted: %s\ngot: %s\n' "$want" "$got" >/tmp/check.out
		result "$desc" 1 /tmp/check.out
	fi
}

# setup_ns VAR...: creates a namespace with a unique name for each variable
setup_ns() {
	for var in "$@"; do
		name="$var-$$-$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
		$IP netns add "$name" || return 1
		$IP -n "$name" link set lo up
		eval "$var=$name"
		NAMESPACES="$NAMESPACES $name"
	done
}

cleanup_ns() {
	for ns in $NAMESPACES; do
		$IP netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		$IP netns del "$ns" 2>/dev/null
	done
	NAMESPACES=""
}

# serve NS PORT: a TCP and UDP server in NS, outside this shell's job
# control (so killing it at cleanup prints nothing), until cleanup_ns
serve() {
	($IP netns exec "$1" "$JPROBE" serve "$2" >/dev/null 2>&1 &)
	wait_for 10 sh -c "$IP netns exec $1 cat /proc/net/tcp6 | grep -qi ':$(printf %04X "$2") .* 0A '"
}

# in NS COMMAND...
in_ns() {
	ns=$1
	shift
	$IP netns exec "$ns" "$@"
}

# wait_for SECONDS COMMAND...: polls until the command succeeds
wait_for() {
	deadline=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

# finish: the exit status kselftest expects
finish() {
	echo "# $((ntest - nfail)) passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}

KMEMLEAK=/sys/kernel/debug/kmemleak

# kmem: slab and vmalloc in use, kB
kmem() {
	awk '/^(Slab|VmallocUsed):/ { n += $2 } END { print n }' /proc/meminfo
}

# kmemleak_scan: what kmemleak reports now. An object is reported when it
# is unreferenced, at least 5 s old, and unchanged since the scan before:
# so scan, let every object age, scan twice.
kmemleak_scan() {
	echo scan >"$KMEMLEAK" || return 1
	sleep 6
	echo scan >"$KMEMLEAK" && echo scan >"$KMEMLEAK" || return 1
	cat "$KMEMLEAK"
}

# no_leaks DESCRIPTION: passes when a kmemleak scan reports nothing
no_leaks() {
	if ! kmemleak_scan >/tmp/kmemleak.out 2>&1; then
		echo "kmemleak scan failed: is kmemleak still enabled?" >>/tmp/kmemleak.out
		result "$1" 1 /tmp/kmemleak.out
	else
		echo "# kmemleak: $(grep -c '^unreferenced object' /tmp/kmemleak.out) unreferenced objects"
		[ ! -s /tmp/kmemleak.out ]
		result "$1" $? /tmp/kmemleak.out
	fi
}

# no_kmem_left DESCRIPTION BEFORE: passes when slab and vmalloc (kmem) come
# back within 1 MiB of BEFORE once freed namespaces, RCU callbacks and
# caches settle (up to a minute; the slab caches are asked to give back
# their empty slabs, which a leaked object does not make). On the debug kernel (make check-debug)
# KASAN holds freed objects in its quarantine and the figures do not come
# back; there kmemleak proves it instead: a scan finds nothing unreferenced.
no_kmem_left() {
	if [ -w "$KMEMLEAK" ]; then
		no_leaks "$1 (kmemleak)"
		return
	fi
	for i in $(seq 60); do
		left=$(($(kmem) - $2))
		[ "$left" -lt 1024 ] && break
		sleep 1
		echo 3 >/proc/sys/vm/drop_caches
		for f in /sys/kernel/slab/*/shrink; do
			echo 1 >"$f" 2>/dev/null
		done
	done
	echo "# kernel memory left: $left kB"
	[ "$left" -lt 1024 ]
	result "$1 (< 1 MiB)" $? /dev/null
}

# The world of juris.sh and policy.sh: a device namespace with the policy,
# an "internet" namespace holding addresses of several countries
# (fixture.csv), a client behind the device whose traffic is forwarded, and
# a bystander namespace that must stay untouched.
#
#   client               device (juris)              internet
#   10.0.1.2 ---veth--- 10.0.1.1 | 10.0.2.1 ---veth--- 10.0.2.2
#   fd00:1::2           fd00:1::1 | fd00:2::1          fd00:2::2
#                                                      lo: addresses below
#   bystander 10.0.3.2 ---veth--- internet 10.0.3.1
#
# The internet's addresses: 192.0.2.1 IN, 198.51.100.1 SG, 203.0.113.1 US,
# 198.18.0.1 CN, 198.18.7.7 DE, 192.0.2.77 US in IN, 203.0.113.9 US,
# 198.19.0.1 unmapped, 100.64.0.1 CGNAT, 2001:db8:{1,2,3,ff}::1 (IN, SG, US,
# unmapped), and each EXTRA_ADDRS one. A TCP and UDP server listens on PORT.
PORT=7777
EXTRA_ADDRS=${EXTRA_ADDRS:-}

world_setup() {
	setup_ns client device internet bystander || return 1
	$IP link add c0 netns "$client" type veth peer name d0 netns "$device"
	$IP link add d1 netns "$device" type veth peer name i0 netns "$internet"
	$IP link add b0 netns "$bystander" type veth peer name i1 netns "$internet"

	$IP -n "$client" addr add 10.0.1.2/24 dev c0
	$IP -n "$client" addr add fd00:1::2/64 dev c0 nodad
	$IP -n "$device" addr add 10.0.1.1/24 dev d0
	$IP -n "$device" addr add fd00:1::1/64 dev d0 nodad
	$IP -n "$device" addr add 10.0.2.1/24 dev d1
	$IP -n "$device" addr add fd00:2::1/64 dev d1 nodad
	$IP -n "$internet" addr add 10.0.2.2/24 dev i0
	$IP -n "$internet" addr add fd00:2::2/64 dev i0 nodad
	$IP -n "$internet" addr add 10.0.3.1/24 dev i1
	$IP -n "$bystander" addr add 10.0.3.2/24 dev b0
	for a in 192.0.2.1 192.0.2.77 198.51.100.1 203.0.113.1 203.0.113.9 198.18.0.1 198.18.7.7 198.19.0.1 100.64.0.1; do
		$IP -n "$internet" addr add $a/32 dev lo
	done
	for a in 2001:db8:1::1 2001:db8:2::1 2001:db8:3::1 2001:db8:ff::1 $EXTRA_ADDRS; do
		$IP -n "$internet" addr add $a/128 dev lo nodad
	done
	for l in "$client c0" "$device d0" "$device d1" "$internet i0" "$internet i1" "$bystander b0"; do
		set -- $l
		$IP -n "$1" link set "$2" up
	done
	$IP -n "$client" route add default via 10.0.1.1
	$IP -n "$client" -6 route add default via fd00:1::1
	$IP -n "$device" route add default via 10.0.2.2
	$IP -n "$device" -6 route add default via fd00:2::2
	$IP -n "$internet" route add 10.0.1.0/24 via 10.0.2.1
	$IP -n "$internet" -6 route add fd00:1::/64 via fd00:2::1
	$IP -n "$bystander" route add default via 10.0.3.1
	in_ns "$device" sysctl -qw net.ipv4.ip_forward=1
	in_ns "$device" sysctl -qw net.ipv6.conf.all.forwarding=1

	serve "$internet" $PORT
}

# from NS PROTO ADDR: what an app in NS sees
from() {
	in_ns "$1" "$JPROBE" "$2" "$3" $PORT 2
}

juris() {
	in_ns "$device" "$JURIS" "$@"
}

# counter CC VERDICT: packets to that country that the device allowed,
# denied or audited (columns of "juris counters": pkts and bytes per verdict)
counter() {
	juris counters | awk -v cc="$1" -v v="$2" '
		$1 == cc { n = v == "allowed" ? $2 : v == "denied" ? $4 : $6 }
		END { print n + 0 }'
}
