#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What a hostile user can make the kernel hold. Any user may create a user
# namespace with a netns of its own and load tables there; every allocation
# a load causes is charged to the user's memory cgroup, one load is bounded
# by the max_rows module parameter, and a commit at that bound leaves a
# real-time task on the same CPU its turn.
#
# Loads are made by jload, which generates rows as it sends them: its own
# memory stays small, so a limit that holds is the kernel's, not the
# loader running out first.

. "$(dirname "$0")/lib.sh"

PARAM=/sys/module/juris/parameters/max_rows
CG=/sys/fs/cgroup
GROUP=$CG/juris-limits
LIMIT_MB=32
default_rows=$(cat $PARAM)

HOLDERS=
cleanup() {
	[ -z "$HOLDERS" ] || kill $HOLDERS 2>/dev/null
	echo "$default_rows" >$PARAM
	sleep 0.5
	[ -d $GROUP ] && rmdir $GROUP 2>/dev/null
}
trap cleanup EXIT

generation() {
	$JURIS status --json | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'
}

# settle: wait for namespaces that are gone to be freed, and RCU callbacks
settle() {
	sleep 1
	echo 3 >/proc/sys/vm/drop_caches
}

plan 14

$JURIS table load /juris/tests/guest/fixture.csv >/dev/null
gen=$(generation)

echo 5000 >$PARAM
expect "past max_rows a load fails with E2BIG and says why" \
	"error: add: Argument list too long: the table load exceeds the max_rows module parameter" \
	sh -c "jload load 5001 | sed 's/ (5000 ranges)//'"
expect "the refused load changed nothing" "$gen" generation
check "a load of exactly max_rows commits" sh -c "jload load 5000 | grep -q '^committed'"
jload gen 5001 1 >/tmp/limits.csv
check "the CLI names the limit" \
	sh -c "$JURIS table load /tmp/limits.csv 2>&1 | grep -q 'max_rows module parameter'"
echo "$default_rows" >$PARAM

# A memory cgroup of $LIMIT_MB MiB for uid 65534 (nobody), which takes
# CAP_NET_ADMIN in a user namespace and network namespace of its own.
grep -q " $CG cgroup2 " /proc/mounts || mount -t cgroup2 none $CG
echo +memory >$CG/cgroup.subtree_control
mkdir -p $GROUP
echo $((LIMIT_MB << 20)) >$GROUP/memory.max

as_nobody() {
	jload as 65534 $GROUP "$@"
}

check "nobody in a user namespace loads a small table, charged to its cgroup" \
	sh -c "jload as 65534 $GROUP jload load 20000 | grep -q '^committed'"
expect "a load past the cgroup's limit fails with ENOMEM" \
	"error: add: Cannot allocate memory: out of memory for the table load" \
	as_nobody jload load "$default_rows"

# Namespaces of nobody's, each with a load open of 200,000 rows (12 MiB once
# loaded, more while its array grows), started one at a time until one does
# not fit: that one fails with ENOMEM, and what they pin together stays
# within the cgroup's limit. (Uncharged, three held 38 MiB.) One at a time,
# because the transient of two growing arrays at once could fill the cgroup
# while a third loader's small allocation (its new netns) charges it, and
# the cgroup's OOM killer would kill a loader instead of failing a load.
rm -f /tmp/hold.*
settle
before=$(kmem)
i=0
while [ $i -lt 8 ]; do
	i=$((i + 1))
	jload as 65534 $GROUP jload load 200000 --hold >/tmp/hold.$i 2>&1 &
	HOLDERS="$HOLDERS $!"
	wait_for 120 grep -q . /tmp/hold.$i
	grep -q '^holding' /tmp/hold.$i || break
done
# A loader that printed nothing was killed: say by whom.
[ -s /tmp/hold.$i ] || dmesg | grep -i -A3 'oom\|killed' | tail -20 | sed 's/^/# /'
pinned=$(($(kmem) - before))
charged=$(($(cat $GROUP/memory.current) >> 10))
echo "# $i loads started: $(cat /tmp/hold.* | tr '\n' ';')"
echo "# kernel memory pinned: $pinned kB; charged to the cgroup: $charged kB; limit $((LIMIT_MB << 10)) kB"
check "the load that does not fit fails with ENOMEM" \
	grep -q 'Cannot allocate memory' /tmp/hold.$i
check "what the namespaces pin stays within the cgroup's limit" \
	test "$pinned" -le $((LIMIT_MB << 10))
kill $HOLDERS 2>/dev/null
wait $HOLDERS 2>/dev/null
HOLDERS=
# Their namespaces are freed by a workqueue, their loads after RCU.
no_kmem_left "killed loaders leave no kernel memory behind" "$before"

# A compiled table's load: rows that come sorted and disjoint are kept as
# the segments they make, 6 bytes an IPv4 row and 18 an IPv6 one (and the
# same for each gap between rows), where rows that overlap take 48. Held
# open, SORTED such rows (half IPv4, half IPv6, some gaps) must pin less
# than half of that.
SORTED=400000
settle
before=$(kmem)
jload as 65534 - jload load $SORTED --sorted --hold >/tmp/sorted.hold 2>&1 &
holder=$!
HOLDERS="$HOLDERS $holder"
wait_for 120 grep -q . /tmp/sorted.hold
pinned=$(($(kmem) - before))
echo "# $(cat /tmp/sorted.hold): $pinned kB pinned, $((pinned * 1024 / SORTED)) bytes a row"
check "held open, sorted disjoint rows pin less than 24 bytes each" \
	test "$((pinned * 1024))" -lt "$((SORTED * 24))"
kill $holder
wait $holder 2>/dev/null

# Committed, such a load's peak stays below twice the table it makes: the
# memory.peak of a fresh cgroup for each loader, less that of a loader of no
# rows (its namespace and process), against the table's size.
peak_kb() {	# peak_kb NAME ROWS: prints the cgroup's peak, loader output in /tmp/NAME.out
	mkdir $CG/juris-$1
	jload as 65534 $CG/juris-$1 jload load "$2" --sorted >/tmp/$1.out 2>&1
	echo $(($(cat $CG/juris-$1/memory.peak) >> 10))
	rmdir $CG/juris-$1
}
settle
empty=$(peak_kb peak0 0)
peak=$(($(peak_kb peak $SORTED) - empty))
table=$(($(sed -n 's/^committed.*, table \([0-9]*\) bytes/\1/p' /tmp/peak.out) >> 10))
echo "# $(grep ^committed /tmp/peak.out): peak $peak kB (beyond a load of no rows: $empty kB), table $table kB"
check "a sorted disjoint load's peak stays below twice its table" \
	test "$table" -gt 0 -a "$peak" -lt $((2 * table))

# A commit at max_rows while a real-time task waits for its turn every
# millisecond on the same CPU: the task's worst delay must be a small part
# of the commit (within one run: TCG times are relative).
jload rt 0 600000 >/tmp/rt.out &
rt_pid=$!
sleep 0.5
jload load "$default_rows" --cpu 0 >/tmp/commit.out
kill -TERM $rt_pid
wait $rt_pid
commit_ms=$(sed -n 's/^committed generation [0-9]* in \([0-9]*\) ms.*/\1/p' /tmp/commit.out)
delay_ms=$(($(sed -n 's/^max_delay_us \([0-9]*\).*/\1/p' /tmp/rt.out) / 1000))
echo "# commit of $default_rows rows: ${commit_ms:-?} ms; real-time task's worst delay: $delay_ms ms"
check "a commit at max_rows leaves a real-time task on its CPU its turn" \
	test "${commit_ms:-0}" -gt 0 -a "$((delay_ms * 10))" -lt "${commit_ms:-0}"

# The table is built outside the namespace's lock: status and policy
# changes answer while a commit at max_rows is still building.
jload load "$default_rows" >/tmp/commit2.out &
loader=$!
wait_for 300 grep -q committing /tmp/commit2.out
$JURIS status >/dev/null && $JURIS policy set --mode off >/dev/null
answered=$(grep -c committed /tmp/commit2.out)
wait $loader
expect "status and a policy change answer while a commit builds its table" \
	"0, then committed" echo "$answered, then $(grep -o committed /tmp/commit2.out)"
expect "the init namespace's table is the one committed last" \
	"$((gen + 3))" generation

finish
