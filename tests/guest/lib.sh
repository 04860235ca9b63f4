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
