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
