#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Allocation failures during table loads and policy changes (make
# check-debug's kernel has failslab and fail_page_alloc): every failure must
# end the command with a clean error and leave the table and the policy
# exactly as they were.
#
#   a namespace of its own, no links: the script runs inside it, with a
#   base table (fixture.csv) and policy (enforce, allow IN SG, unknown
#   deny); "juris status" and three lookups before and after each command
#   are compared.
#
# The passes:
#  1. Each allocation made by juris's own code, one at a time: fail-nth
#     counts only allocations with juris on the stack (the stack filter is
#     set to the module's text), so the Nth one fails, for N = 1, 2, ...
#     until a run injects nothing. Loads of a small and a large table, a
#     policy change, status, lookup.
#  2. Each allocation the CLI makes once it runs, anywhere (socket, netlink
#     core, page faults, juris), one at a time: the CLI reads the table from
#     a FIFO, and fail-nth is set while it waits for it. A small and a
#     large table (several ADD messages: a load that fails halfway).
#  3. Random failures of juris's allocations (make-it-fail on the CLI,
#     probability 10-60 %), several per run: slab allocations over table
#     loads and policy changes, then page allocations over large table loads
#     (kvmalloc: kmalloc, then vmalloc, then ENOMEM).
# A run that failed must say so with "juris: " lines only (passes 1 and 3:
# "out of memory") and have changed nothing. In pass 2 the message may be
# another one: the kernel's ACK itself may fail to be allocated (ENOBUFS
# on the CLI's socket). A COMMIT whose reply arrived took effect, and the
# CLI must then report success, whatever became of the ACK.
# A run that succeeded despite a failure (kmemleak's and debugobjects' own
# allocations fall back to their pools, kvmalloc to vmalloc) must show the
# new state.

. "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
FS=/sys/kernel/debug/failslab
FP=/sys/kernel/debug/fail_page_alloc
FIFO=/tmp/failslab.fifo
BIG=/tmp/failslab-big.csv
# Addresses whose answer every table below changes.
ADDRS="203.0.113.1 2001:db8:3::1 20.0.77.1"
# A walk that has not run out of allocations to fail after this many
# runs is broken.
MAX_WALK=400

# Inside the namespace (see below), ip netns exec has mounted a sysfs of the
# namespace over /sys, without debugfs.
if [ -n "${FAILSLAB_NS:-}" ] && [ ! -d "$FS" ] && [ -d /sys/kernel/debug ]; then
	mount -t debugfs debugfs /sys/kernel/debug
fi
if [ ! -d "$FS" ] || [ ! -d "$FP" ] || [ ! -w /proc/self/make-it-fail ]; then
	plan 1
	echo "ok 1 - failslab pass # SKIP no $FS, $FP or make-it-fail in this kernel"
	exit 0
fi

# Enter a namespace of its own once: "ip netns exec" for each of the
# thousand commands below would double the time.
if [ -z "${FAILSLAB_NS:-}" ]; then
	[ -d /sys/module/juris ] || insmod /juris/juris.ko
	setup_ns dev || { echo "Bail out! no namespace"; exit 1; }
	FAILSLAB_NS=$dev $IP netns exec "$dev" sh "$0"
	r=$?
	cleanup_ns
	exit $r
fi

cleanup() {
	exec 3<&- 2>/dev/null
	reset_faults
	rm -f "$FIFO"
}
trap cleanup EXIT

# attr_set DIR KEY=VALUE...: configure a fault attribute
attr_set() {
	dir=$1
	shift
	for kv in "$@"; do
		echo "${kv#*=}" >"$dir/${kv%%=*}" || return 1
	done
}

# Injections are counted down in each attribute's "times"; it starts high.
TIMES=100000000
injected() {
	echo $((2 * TIMES - $(cat "$FS/times") - $(cat "$FP/times")))
}

reset_faults() {
	for d in "$FS" "$FP"; do
		attr_set "$d" probability=0 interval=1 times=$TIMES space=0 verbose=0 \
			task-filter=N require-start=0 require-end=18446744073709551615 \
			stacktrace-depth=32
	done
	# GFP_KERNEL allocations count too (failslab skips them by default).
	attr_set "$FS" ignore-gfp-wait=N
	attr_set "$FP" ignore-gfp-wait=Y ignore-gfp-highmem=Y min-order=1
}

# only_juris: only allocations with juris's text on the stack count
only_juris() {
	for d in "$FS" "$FP"; do
		attr_set "$d" require-start="$TEXT_START" require-end="$TEXT_END" || return 1
	done
}

# The vmalloc area holding juris's .text: its start and end, as hex.
# vmallocinfo shows real addresses only with kptr_restrict=1 (0 hashes them).
module_text() {
	text=$(cat /sys/module/juris/sections/.text) || return 1
	restrict=$(cat /proc/sys/kernel/kptr_restrict)
	echo 1 >/proc/sys/kernel/kptr_restrict
	# String comparison: awk would round 64-bit numbers.
	awk -v t="$text" '
		{ split($1, r, "-") }
		length(r[1]) == length(t) && "x" r[1] <= "x" t && "x" t < "x" r[2] { print r[1], r[2]; exit }
	' /proc/vmallocinfo
	echo "$restrict" >/proc/sys/kernel/kptr_restrict
}

juris() {
	"$JURIS" "$@"
}

# snapshot: what the CLI shows of the namespace's state
snapshot() {
	juris status
	for a in $ADDRS; do
		juris lookup "$a"
	done
}

# The same state, generation aside (a reload makes a new generation).
same_but_gen() {
	[ "$(echo "$1" | sed 's/generation [0-9]*/generation G/')" = \
	  "$(echo "$2" | sed 's/generation [0-9]*/generation G/')" ]
}

base() {
	juris table load "$HERE/fixture.csv" >/dev/null &&
		juris policy set --mode enforce --allow IN,SG --unknown deny --action drop \
			--scope local,forward --clear-prefixes --clear-uids --clear-nat64
}

# 13000 IPv4 ranges of 20.0.0.0/16 and 1000 IPv6 ones after fixture-moved.csv:
# the load grows its row arrays three times, takes four ADD messages, and
# every array of the load and of the build is larger than kmalloc's slabs.
make_big() {
	cp "$HERE/fixture-moved.csv" "$BIG"
	awk 'BEGIN {
		for (i = 0; i < 13000; i++)
			printf "20.%d.%d.0,20.%d.%d.255,%c%c\n", int(i / 256), i % 256,
				int(i / 256), i % 256, 65 + i % 26, 65 + int(i / 26) % 26
		for (i = 0; i < 1000; i++)
			printf "2001:db8:%x::,2001:db8:%x:ffff:ffff:ffff:ffff:ffff,%c%c\n",
				256 + i, 256 + i, 65 + i % 26, 65 + int(i / 26) % 26
	}' >>"$BIG"
}

# Arming the CLI, three ways. Each runs "juris ARGS..." with output in
# /tmp/fs.out and /tmp/fs.err and returns its exit code (125: not armed).
#
# arm_nth N ARGS...: the Nth allocation of the task fails (with the stack
# filter: the Nth from juris's code, so exec's do not count)
arm_nth() {
	n=$1
	shift
	sh -c 'echo "$0" >/proc/thread-self/fail-nth || exit 125; exec "$@"' \
		"$n" "$JURIS" "$@" >/tmp/fs.out 2>/tmp/fs.err
}

# arm_random ARGS...: allocations fail at the attributes' probability
arm_random() {
	sh -c 'echo 1 >/proc/self/make-it-fail || exit 125; exec "$@"' \
		sh "$JURIS" "$@" >/tmp/fs.out 2>/tmp/fs.err
}

# blocked_in_read PID: PID is the CLI and waits in read(0, ...)
blocked_in_read() {
	read -r comm <"/proc/$1/comm" && [ "$comm" = juris ] &&
		read -r nr fd rest <"/proc/$1/syscall" && [ "$nr $fd" = "0 0x0" ]
}

# arm_stdin N FILE: "juris table load -" with FILE on its standard input,
# its Nth allocation failing, counted from the moment it waits for input
arm_stdin() {
	rm -f "$FIFO"
	mkfifo "$FIFO" || return 125
	# Held open read-write, neither side's open blocks; the writer below
	# inherits it, so a CLI that quits early cannot kill it with SIGPIPE.
	exec 3<>"$FIFO"
	"$JURIS" table load - <"$FIFO" 3<&- >/tmp/fs.out 2>/tmp/fs.err &
	pid=$!
	tries=0
	until blocked_in_read "$pid" 2>/dev/null; do
		tries=$((tries + 1))
		[ "$tries" -lt 300 ] || break
		sleep 0.1
	done
	if [ "$tries" -ge 300 ] || ! echo "$1" >"/proc/$pid/task/$pid/fail-nth"; then
		exec 3<&-
		kill "$pid" 2>/dev/null
		wait "$pid"
		return 125
	fi
	(cat "$2" >&3) &
	writer=$!
	# The writer's copy is the last: the CLI sees the end of its input
	# when the writer is done.
	exec 3<&-
	wait "$pid"
	r=$?
	kill "$writer" 2>/dev/null
	wait "$writer"
	return $r
}

# changes WANT GOT: how state GOT differs from WANT
changes() {
	printf '%s\n' "$1" >/tmp/fs.want
	printf '%s\n' "$2" | diff -U0 /tmp/fs.want - | sed 1,2d | head -20
}

# note WHERE WHAT [DETAILS]: keep the first few bad runs for the diagnostics
note() {
	bad=$((bad + 1))
	[ "$bad" -le 3 ] || return 0
	{
		echo "$1: $2"
		echo "  exit $rc, stderr: $(cat /tmp/fs.err)"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/  /'
	} >>/tmp/fs.diag
}

# judge WHERE: sort out the run that took the state from $old to $new with
# exit code $rc, $inj faults injected, $ref the state of a successful run.
# $lenient: any "juris: " error will do.
judge() {
	if [ "$rc" -eq 125 ]; then
		note "$1" "could not arm the fault"
	elif [ "$rc" -eq 0 ]; then
		if [ "$inj" -eq 0 ]; then clean=$((clean + 1)); else tolerated=$((tolerated + 1)); fi
		same_but_gen "$new" "$ref" ||
			note "$1" "succeeded, but not with the expected state" \
				"$(changes "$ref" "$new")"
	elif [ "$rc" -ne 1 ] || [ ! -s /tmp/fs.err ] || grep -qv '^juris: ' /tmp/fs.err; then
		note "$1" "not a clean error (exit 1, \"juris: \" lines only)"
	elif [ -z "$lenient" ] && ! grep -q 'out of memory' /tmp/fs.err; then
		note "$1" "failed, but not with ENOMEM"
	elif [ "$new" = "$old" ]; then
		failed=$((failed + 1))
	else
		note "$1" "failed, and the state changed" \
			"$(changes "$old" "$new")"
	fi
	old=$new
}

counts() {
	echo "$runs runs with a fault, $failed failed cleanly," \
		"$tolerated succeeded${clean:+, $clean ran without a fault}"
}

# walk NAME ARM REF ARGS...: run "ARM N ARGS..." for N = 1, 2, ... until a
# run injects nothing, which must then succeed; REF is the state a
# successful run leaves
walk() {
	name=$1 arm=$2 ref=$3
	shift 3
	bad=0 failed=0 tolerated=0 clean= n=0 lenient=
	[ "$arm" != arm_stdin ] || lenient=1
	: >/tmp/fs.diag
	base >/dev/null || return 1
	old=$(snapshot)
	while :; do
		n=$((n + 1))
		if [ "$n" -gt "$MAX_WALK" ]; then
			note "run $n" "still injecting after $MAX_WALK runs"
			break
		fi
		i0=$(injected)
		$arm "$n" "$@"
		rc=$?
		inj=$(($(injected) - i0))
		new=$(snapshot)
		if [ "$inj" -eq 0 ] && [ "$rc" -ne 125 ]; then
			# Past the last allocation: an ordinary, successful run.
			[ "$rc" -eq 0 ] && same_but_gen "$new" "$ref" ||
				note "run $n" "no fault injected, yet not the expected result" \
					"$(changes "$ref" "$new")"
			break
		fi
		judge "run $n"
		[ "$rc" -ne 125 ] || break
	done
	runs=$((n - 1))
	echo "# $name: $(counts)" >>/tmp/failslab.summary
	counts >>/tmp/fs.diag
	[ "$bad" -eq 0 ] && [ "$n" -gt 1 ]
}

# random_pass RUNS ATTR OPS: under random failures of ATTR (failslab or
# fail_page_alloc, filtered to juris), RUNS commands cycling through OPS:
# "small" and "big" table loads, "audit" and "none" policy changes
random_pass() {
	runs=$1 attr=$2 ops=$3 bad=0 failed=0 tolerated=0 clean=0 lenient=
	: >/tmp/fs.diag
	base >/dev/null || return 1
	old=$(snapshot)
	i=0
	while [ "$i" -lt "$runs" ]; do
		set -- $ops
		shift $((i % $#))
		case $1 in
		small) set -- table load "$HERE/fixture-moved.csv"; ref=$ref_small ;;
		big) set -- table load "$BIG"; ref=$ref_big ;;
		audit) set -- policy set --mode audit --allow IN,SG,US --unknown allow; ref=$ref_policy ;;
		none) set -- policy set --allow ''; ref=$ref_none ;;
		esac
		i=$((i + 1))
		attr_set "$attr" probability=$((10 + 25 * (i % 3)))
		i0=$(injected)
		arm_random "$@"
		rc=$?
		inj=$(($(injected) - i0))
		attr_set "$attr" probability=0
		new=$(snapshot)
		judge "run $i ($*)"
		# Every command is judged from the base state.
		if ! same_but_gen "$new" "$ref_base"; then
			base >/dev/null && old=$(snapshot) || return 1
		fi
	done
	runs=$((runs - clean))
	echo "# random, ${attr##*/}: $(counts)" >>/tmp/failslab.summary
	counts >>/tmp/fs.diag
	[ "$bad" -eq 0 ] && [ "$failed" -gt 0 ]
}

# Kernel reports, as tests/vm/run-vm.sh looks for them on the console.
REPORTS='WARNING:|BUG:|Oops|Kernel panic|rcu: INFO|self-detected stall|general protection fault|UBSAN:|KASAN:|suspected memory leak|Call Trace:|blocked for more than|possible circular locking|ODEBUG:|INFO: trying to register non-static key'

# quiet_console COMMAND...: a failed page allocation reports itself with a
# backtrace (warn_alloc: "page allocation failure", "vmalloc error"), which
# run-vm.sh would take for a kernel problem. Meanwhile the console shows
# only emergencies (a panic still ends the VM), and the log is checked here
# instead: a backtrace is expected only right below such a report, any other
# report fails.
quiet_console() {
	level=$(cut -f1 /proc/sys/kernel/printk)
	dmesg -c >/dev/null
	dmesg -n 1
	# A panic meanwhile prints the whole log, hidden reports included.
	echo 32 >/proc/sys/kernel/panic_print
	"$@"
	r=$?
	echo 0 >/proc/sys/kernel/panic_print
	dmesg -n "$level"
	dmesg -c >/tmp/fs.dmesg
	awk -v reports="$REPORTS" '
		/page allocation failure:|vmalloc error:/ { header = NR }
		$0 ~ reports && !(/Call Trace:/ && header && NR - header <= 8) { print; n++ }
		END { exit n > 0 }
	' /tmp/fs.dmesg >/tmp/fs.unexpected || {
		echo "kernel reports besides allocation failures:" >>/tmp/fs.diag
		head -20 /tmp/fs.unexpected >>/tmp/fs.diag
		r=1
	}
	echo "#   $(grep -c -E 'page allocation failure:|vmalloc error:' /tmp/fs.dmesg) allocation failure reports kept off the console" \
		>>/tmp/failslab.summary
	return $r
}

# pass NAME COMMAND...: one TAP result for a walk or a random pass, its
# counts as a comment
pass() {
	desc=$1
	shift
	t0=$(date +%s)
	"$@"
	r=$?
	echo "$(($(date +%s) - t0)) s" >>/tmp/fs.diag
	result "$desc" $r /tmp/fs.diag
	[ "$r" -ne 0 ] || sed 's/^/# /' /tmp/fs.diag
}

plan 13
: >/tmp/failslab.summary
make_big
reset_faults
set -- $(module_text)
TEXT_START=${1:-} TEXT_END=${2:-}
check "failslab is set up: juris's text found ($TEXT_START-$TEXT_END), base state loaded" \
	sh -c "[ -n '$TEXT_START' ] && [ -n '$TEXT_END' ] && $JURIS table load $HERE/fixture.csv &&
		$JURIS policy set --mode enforce --allow IN,SG --unknown deny"

# The states commands leave when nothing fails.
reference() {
	base >/dev/null && juris "$@" >/dev/null && snapshot
}
ref_base=$(base >/dev/null && snapshot)
ref_small=$(reference table load "$HERE/fixture-moved.csv")
ref_big=$(reference table load "$BIG")
ref_policy=$(reference policy set --mode audit --allow IN,SG,US --unknown allow)
ref_none=$(reference policy set --allow '')
# juris apply: a table and a whole policy in one transaction.
cat >/tmp/fs.policy <<EOF
mode audit
allow IN SG US
unknown allow
action reject
table $HERE/fixture-moved.csv
exempt 203.0.113.9/32 2001:db8:1::/48
block 198.51.100.0/24
nat64 2001:db8:64::/96
uid 0-9999 exempt
uid 10123 allow IN
EOF
ref_apply=$(reference apply /tmp/fs.policy)

# Pass 1: juris's own allocations.
only_juris
pass "juris allocations: a small table load fails cleanly at each, or succeeds whole" \
	walk "pass 1, small table" arm_nth "$ref_small" table load "$HERE/fixture-moved.csv"
pass "juris allocations: a large table load fails cleanly at each, or succeeds whole" \
	walk "pass 1, large table" arm_nth "$ref_big" table load "$BIG"
pass "juris allocations: a policy change fails cleanly at each, the old policy stays" \
	walk "pass 1, policy" arm_nth "$ref_policy" policy set --mode audit --allow IN,SG,US --unknown allow
pass "juris allocations: juris apply (table and policy) fails cleanly at each, or succeeds whole" \
	walk "pass 1, apply" arm_nth "$ref_apply" apply /tmp/fs.policy
pass "juris allocations: status fails cleanly at each" \
	walk "pass 1, status" arm_nth "$ref_base" status
pass "juris allocations: lookup fails cleanly at each" \
	walk "pass 1, lookup" arm_nth "$ref_base" lookup 203.0.113.1

# Pass 2: everything the running CLI allocates.
reset_faults
pass "CLI allocations: a small table load from stdin fails cleanly at each, or succeeds whole" \
	walk "pass 2, small table" arm_stdin "$ref_small" "$HERE/fixture-moved.csv"
pass "CLI allocations: a large table load from stdin fails cleanly at each, or succeeds whole" \
	walk "pass 2, large table" arm_stdin "$ref_big" "$BIG"

# Pass 3: random failures, several in one run.
only_juris
attr_set "$FS" task-filter=Y
attr_set "$FP" task-filter=Y ignore-gfp-wait=N ignore-gfp-highmem=N min-order=0
pass "random slab failures over 40 table loads and policy changes: clean ENOMEM or success" \
	random_pass 40 "$FS" "small audit big none"
pass "random page allocation failures over 20 large table loads: clean ENOMEM or success" \
	quiet_console random_pass 20 "$FP" "big small"

reset_faults
check "after all failures, a table load and a policy change succeed" base
check "and leave the same state as before any failure" same_but_gen "$(snapshot)" "$ref_base"

cat /tmp/failslab.summary
finish
