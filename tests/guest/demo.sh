#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make demo, inside the VM: a device that may only talk to India and
# Singapore, and an "internet" namespace holding real addresses of several
# countries (examples/sample-table.csv). Nothing leaves the VM: QEMU gives it
# no network at all.
#
#   device (juris) 10.0.2.1 ---veth--- 10.0.2.2 internet (lo: $DESTINATIONS)
#   fd00:2::1                          fd00:2::2

. "$(dirname "$0")/lib.sh"

PORT=443
DESTINATIONS="13.200.10.10 20.192.0.10 13.228.0.10 2406:da18::10 8.8.8.8
	2001:4860:4860::8888 3.120.0.10 13.112.0.10 1.1.1.1 198.51.100.7 10.0.2.2"

trap cleanup_ns EXIT
insmod /juris/juris.ko || exit 1
setup_ns device internet
$IP link add d0 netns "$device" type veth peer name i0 netns "$internet"
$IP -n "$device" addr add 10.0.2.1/24 dev d0
$IP -n "$device" addr add fd00:2::1/64 dev d0 nodad
$IP -n "$internet" addr add 10.0.2.2/24 dev i0
$IP -n "$internet" addr add fd00:2::2/64 dev i0 nodad
$IP -n "$device" link set d0 up
$IP -n "$internet" link set i0 up
$IP -n "$device" route add default via 10.0.2.2
$IP -n "$device" -6 route add default via fd00:2::2
for addr in $DESTINATIONS; do
	[ "$addr" = 10.0.2.2 ] || $IP -n "$internet" addr add "$addr" dev lo nodad 2>/dev/null
done
serve "$internet" $PORT

run() {
	echo "\$ juris $*"
	in_ns "$device" "$JURIS" "$@"
}

echo
run table load /juris/examples/sample-table.csv
run policy set --allow IN,SG --unknown deny --mode enforce
echo
echo "What an app on the device sees:"
printf '%-22s %-9s %-8s %-14s %s\n' destination country verdict "TCP connect" "UDP send"
for addr in $DESTINATIONS; do
	look=$(in_ns "$device" "$JURIS" lookup "$addr" --json)
	cc=$(echo "$look" | sed -n 's/.*"country":"\([A-Z]*\)".*/\1/p')
	case $look in *'"special":true'*) cc=special ;; esac
	verdict=$(echo "$look" | sed -n 's/.*"verdict":"\([a-z]*\)".*/\1/p')
	tcp=$(in_ns "$device" "$JPROBE" tcp "$addr" $PORT 2)
	udp=$(in_ns "$device" "$JPROBE" udp "$addr" $PORT)
	printf '%-22s %-9s %-8s %-14s %s\n' "$addr" "${cc:-unknown}" "$verdict" "$tcp" "$udp"
done
echo
run counters
echo
run status
