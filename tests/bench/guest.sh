#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench, inside the VM: what the world table costs this kernel when
# juris holds it and when nftables does, and what juris costs per packet.
# Prints what it measures as "# " lines, then one "bench: NAME_KVER VALUE
# UNIT" line per figure and a "spread: NAME_KVER MIN MAX" line for each
# figure that is a median (make bench builds its table from those).
#
#   jur: juris's namespace   dummy0 10.99.0.1/24, default route to dummy0
#   nft: the nftables maps   dummy0 10.99.0.1/24, default route to dummy0
#
# A dummy device frees what it is given: the datagrams reach the end of
# LOCAL_OUT and the driver, and go nowhere. QEMU gives the VM no network.
#
# Everything is timed in the guest, under TCG: only ratios between figures of
# one run mean much. Nothing here asserts on time; it fails only when a
# step fails or juris's hooks did not judge every datagram sent.

# shellcheck source=tests/guest/lib.sh
. /juris/tests/guest/lib.sh
JBENCH=/juris/bin/jbench
NFT=/juris/bin/nft
W=/juris/world
KVER=$(uname -r)
REPS=${JURIS_BENCH_REPS:-12}
SEND_SECONDS=2
CSV_LOADS=3

trap cleanup_ns EXIT

fail() {
	echo "# FAIL: $*"
	exit 1
}

figure() {	# figure NAME VALUE UNIT
	echo "bench: $1_$KVER $2 $3" >>/tmp/figures
}

# settle: slab and vmalloc in use (kmem, kB) once the figure stops moving:
# RCU callbacks free the old table and the load's pending rows a little
# after the command returns, and dropping caches takes the file system's
# share out.
settle() {
	prev=0
	for i in $(seq 20); do
		echo 3 >/proc/sys/vm/drop_caches
		sleep 1
		cur=$(kmem)
		d=$((cur - prev))
		[ "${d#-}" -lt 64 ] && break
		prev=$cur
	done
	echo "$cur"
}

# juris_table_bytes NS: the module's own count of the table's memory
juris_table_bytes() {
	in_ns "$1" "$JURIS" status --json | sed -n 's/.*"table":{[^}]*"bytes":\([0-9]*\)}.*/\1/p'
}

# juris_judged NS: the datagrams juris judged in NS (allowed, denied, audited)
juris_judged() {
	in_ns "$1" "$JURIS" status --json |
		sed -n 's/.*"totals":{\(.*\)}}$/\1/p' | tr '{},' '\n\n\n' |
		awk -F: '$1 == "\"packets\"" { n += $2 } END { print n + 0 }'
}

setup_ns jur nft
for ns in $jur $nft; do
	# IPv4 only: IPv6 would send neighbour discovery and MLD reports of
	# its own now and then, which juris judges too, and the audit runs'
	# count would no longer be the sender's.
	in_ns "$ns" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6'
	$IP -n "$ns" link add dummy0 type dummy
	$IP -n "$ns" addr add 10.99.0.1/24 dev dummy0
	$IP -n "$ns" link set dummy0 up
	$IP -n "$ns" route add default dev dummy0
done

echo "# Linux $KVER, $(grep -c ^processor /proc/cpuinfo) CPUs, $(awk '/^MemTotal/ { print $2 }' /proc/meminfo) kB"

# --- juris: the world table from its CSVs, each time into a fresh module.
# The first load is measured for memory too: from a module with no table to
# one with the world table, settled both sides.
for i in $(seq $CSV_LOADS); do
	insmod /juris/juris.ko || fail "insmod"
	[ "$i" -eq 1 ] && before=$(settle)
	r=$(in_ns "$jur" "$JBENCH" time "$JURIS" table load "$W/ipv4.csv" "$W/ipv6.csv" 2>/tmp/load.out) ||
		{ cat /tmp/load.out; fail "juris table load of the CSVs"; }
	# shellcheck disable=SC2086 # word splitting wanted
	set -- $r
	echo "# juris table load ipv4.csv ipv6.csv: $1 s, the CLI's peak RSS $2 kB: $(cat /tmp/load.out)"
	echo "load_csv_s $1" >>/tmp/samples
	if [ "$i" -eq 1 ]; then
		after=$(settle)
		bytes=$(juris_table_bytes "$jur")
		echo "# juris: table $bytes bytes by its own count; slab+vmalloc $before kB before, $after kB after"
		figure table_bytes "$bytes" bytes
		figure kmem_bytes $(((after - before) * 1024)) bytes
	fi
	rmmod juris || fail "rmmod"
done

# --- nftables: the same table as two interval maps, loaded once: the
# table, then the intervals in a few transactions (world-nft.py says why).
# Only the load is timed: any nft command that reads the table back (list,
# get element, even list counter) first fetches every interval, which here
# takes about as long as the load and 0.6 GB.
before=$(settle)
r=$(in_ns "$nft" "$JBENCH" time sh -c 'for f in "$1"/world.nft "$1"/elements-*.nft; do
		"$2" -f "$f" || exit 1
	done' sh "$W/nft" "$NFT" 2>/tmp/nft.out) ||
	{ cat /tmp/nft.out; fail "nft -f"; }
# shellcheck disable=SC2086 # word splitting wanted
set -- $r
after=$(settle)
echo "# nft -f world.nft and $(ls "$W"/nft/elements-*.nft | wc -l) files of intervals: $1 s, nft's peak RSS $2 kB; slab+vmalloc $before kB before, $after kB after"
figure nft_load_s "$1" s
figure nft_kmem_bytes $(((after - before) * 1024)) bytes

# --- UDP datagrams per second through LOCAL_OUT, five configurations
# interleaved, each repetition starting with the next one so that none
# always goes first: no module; juris loaded, mode off (no hooks at all in
# the namespace); juris in audit mode with the world table, loaded from the
# compiled file (that load is timed on the way), events at the default rate
# (100 a second: nearly every datagram is a suppressed event); the same with
# events at the highest rate (100,000 a second: every datagram an event,
# sent by the work item to no listener); and, for comparison, the nftables
# maps, whose namespace keeps its ruleset throughout.
CONFIGS="none off audit events nft"
NCONFIGS=$(echo $CONFIGS | wc -w)
run_config() {	# run_config REP CONFIG
	ns=$jur
	case $2 in
	off)
		insmod /juris/juris.ko || fail "insmod"
		;;
	audit|events)
		insmod /juris/juris.ko || fail "insmod"
		t=$(in_ns "$jur" "$JBENCH" time "$JURIS" table load "$W/world.jtab" 2>/tmp/load.out) ||
			{ cat /tmp/load.out; fail "juris table load world.jtab"; }
		echo "load_jtab_s ${t% *}" >>/tmp/samples
		rate=100
		[ "$2" = events ] && rate=100000,1024
		in_ns "$jur" "$JURIS" policy set --allow IN,SG --unknown deny --mode audit \
			--event-rate "$rate" || fail "juris policy set"
		;;
	nft)
		ns=$nft
		;;
	esac
	r=$(in_ns "$ns" "$JBENCH" udp -t $SEND_SECONDS "$W/dests") || fail "jbench udp ($2)"
	# shellcheck disable=SC2086 # word splitting wanted
	set -- "$1" "$2" $r
	echo "# rep $1 $2: $3 datagrams in $4 s: $5 pps"
	echo "$1 $2 $5" >>/tmp/pps
	case $2 in
	audit|events)
		# Every datagram passed the hook: the counts add up to what was sent.
		judged=$(juris_judged "$jur")
		[ "$judged" = "$3" ] || fail "juris judged $judged datagrams of $3"
		[ "$2" = events ] &&
			echo "# rep $1 events: $(in_ns "$jur" "$JURIS" status | grep '^events:')"
		rmmod juris || fail "rmmod"
		;;
	off)
		rmmod juris || fail "rmmod"
		;;
	esac
}

for rep in $(seq "$REPS"); do
	skip=$(((rep - 1) % NCONFIGS))
	for c in $(echo "$CONFIGS $CONFIGS" | cut -d' ' -f$((skip + 1))-$((skip + NCONFIGS))); do
		run_config "$rep" "$c"
	done
done
in_ns "$nft" "$NFT" delete table inet juris_bench || fail "nft delete table"

# The rates, and their ratios to no module within each repetition: runs
# seconds apart share the host's load, so a ratio of neighbours is steadier
# than a ratio of medians.
awk '{ print "pps_" $2, $3 }' /tmp/pps >>/tmp/samples
awk -v configs="$CONFIGS" '{ pps[$1, $2] = $3; reps[$1] = 1 }
	END {
		n = split(configs, name, " ")
		for (r in reps)
			for (c = 2; c <= n; c++)
				printf "pps_%s_ratio %.4f\n", name[c], pps[r, name[c]] / pps[r, "none"]
	}' /tmp/pps >>/tmp/samples

# Each sampled figure as its median, with the smallest and largest sample.
awk -v kver="$KVER" '{ n[$1]++; v[$1, n[$1]] = $2 + 0 }
	END {
		for (k in n) {
			c = n[k]
			for (i = 2; i <= c; i++)
				for (j = i; j > 1 && v[k, j - 1] > v[k, j]; j--) {
					t = v[k, j]; v[k, j] = v[k, j - 1]; v[k, j - 1] = t
				}
			m = c % 2 ? v[k, (c + 1) / 2] : (v[k, c / 2] + v[k, c / 2 + 1]) / 2
			if (k ~ /_ratio$/)
				unit = "x"
			else if (k ~ /_s$/)
				unit = "s"
			else
				unit = "pps"
			fmt = unit == "pps" ? "%.0f" : "%.3f"
			printf "bench: %s_%s " fmt " %s\n", k, kver, m, unit
			printf "spread: %s_%s " fmt " " fmt "\n", k, kver, v[k, 1], v[k, c]
		}
	}' /tmp/samples | sort -k2,2 -k1,1 >>/tmp/figures
cat /tmp/figures
