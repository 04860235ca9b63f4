#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The digest an auditor checks: the kernel's (juris status) equals juris
# digest of the applied file, computed without the module, for CSV and
# compiled tables and without a table; any change of table or policy
# changes it, undoing the change restores it, and a failed apply (the
# CLI's refusal or the kernel's) leaves it as it was.

. "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)

cleanup() {
	cleanup_ns
}
trap cleanup EXIT

# digest_in NS: the digest juris status shows there
digest_in() {
	in_ns "$1" "$JURIS" status --json | sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p'
}

kernel() {
	digest_in "$device"
}

juris() {
	in_ns "$device" "$JURIS" "$@"
}

plan 12
setup_ns device fresh || { echo "Bail out! namespace setup failed"; exit 1; }

printf 'mode off\n' >/tmp/dg-off.policy
expect "a new namespace: the digest of a file that says mode off" \
	"$("$JURIS" digest /tmp/dg-off.policy 2>/dev/null)" digest_in "$fresh"

cat >/tmp/dg1.policy <<EOF
mode enforce
deny CN US
unknown deny
action reject
scope local
event-rate 50 60
log kernel
table $HERE/fixture.csv
nat64 2001:db8:64::/96
exempt 203.0.113.9/32 2001:db8:1::/48
block 192.0.2.77/32
uid 1000-1999 allow IN SG
uid 2500 exempt
EOF
check "apply a file with a CSV table" juris apply /tmp/dg1.policy
base=$(kernel)
expect "the kernel's digest equals juris digest of the file" \
	"$("$JURIS" digest /tmp/dg1.policy)" kernel

"$JURIS" table compile "$HERE/fixture.csv" -o /tmp/dg.jtab >/dev/null
sed "s|^table .*|table /tmp/dg.jtab|" /tmp/dg1.policy >/tmp/dg2.policy
check "apply the same policy with the table compiled" juris apply /tmp/dg2.policy
expect "a compiled table of the same rows: the same digest" "$base" kernel

sed "s|^table .*|table $HERE/fixture-moved.csv|" /tmp/dg1.policy >/tmp/dg3.policy
juris apply /tmp/dg3.policy >/dev/null
d3=$(kernel)
expect "another table: another digest, the file's" "$("$JURIS" digest /tmp/dg3.policy) new" \
	echo "$d3 $([ "$d3" != "$base" ] && echo new)"
juris apply /tmp/dg1.policy >/dev/null

# try DO UNDO: policy set DO must give a digest not seen before, UNDO the base one.
bad=
seen=$base
try() {
	eval "juris policy set $1" >/dev/null
	d=$(kernel)
	case " $seen " in
	*" $d "*) bad="$bad [$1: not a new digest]" ;;
	esac
	seen="$seen $d"
	eval "juris policy set $2" >/dev/null
	[ "$(kernel)" = "$base" ] || bad="$bad [$2: not the old digest]"
}
try "--mode audit" "--mode enforce"
try "--deny CN" "--deny CN,US"
try "--allow CN,US" "--deny CN,US"
try "--unknown allow" "--unknown deny"
try "--action drop" "--action reject"
try "--scope local,forward" "--scope local"
try "--event-rate 50,61" "--event-rate 50,60"
try "--log off" "--log kernel"
try "--nat64 2001:db8:65::/96" "--nat64 2001:db8:64::/96"
try "--clear-prefixes" "--exempt 203.0.113.9/32,2001:db8:1::/48 --block 192.0.2.77/32"
try "--uid '1000-1998 allow IN,SG' --uid '2500 exempt'" \
	"--uid '1000-1999 allow IN,SG' --uid '2500 exempt'"
try "--uid '1000-1999 allow IN' --uid '2500 exempt'" \
	"--uid '1000-1999 allow IN,SG' --uid '2500 exempt'"
expect "each of 12 policy changes gives a digest of its own; undone, the old one" "" echo "$bad"

printf 'mode enforce\nallow IN\nmode audit\n' >/tmp/dg-bad.policy
check "a bad file is refused" sh -c "! $IP netns exec $device $JURIS apply /tmp/dg-bad.policy"
# The kernel refuses a load past max_rows: the whole apply fails.
rows=$(cat /sys/module/juris/parameters/max_rows)
echo 3 >/sys/module/juris/parameters/max_rows
check "the kernel refuses a table past max_rows" \
	sh -c "! $IP netns exec $device $JURIS apply /tmp/dg3.policy"
echo "$rows" >/sys/module/juris/parameters/max_rows
expect "failed applies leave the digest as it was" "$base" kernel
expect "juris digest names a bad file's line" \
	"juris: /tmp/dg-bad.policy:3: mode is given twice: first on line 1" \
	sh -c "$JURIS digest /tmp/dg-bad.policy 2>&1 >/dev/null"
expect "and fails" "1" sh -c "$JURIS digest /tmp/dg-bad.policy >/dev/null 2>&1; echo \$?"

cleanup_ns
finish
