#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench after the build: the host figures (make bench-host), then one VM
# per amd64 test kernel running tests/bench/guest.sh on the world table, then
# a table of every figure and every "bench: NAME VALUE UNIT" line.
# Usage: tests/bench/bench.sh WORLD_DIR   (from make bench: WORLD_DIR holds
# ipv4.csv and ipv6.csv, see make world-table)
# Env: JURIS_BENCH_REPS  repetitions of the packet-rate runs (default 12)
# Writes build/bench/: the compiled table, the nftables files, the pool of
# destinations, each kernel's output (KVER/guest.txt) and figures.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=build
OUT=$B/bench
world=$1
start=$(date +%s)
for f in ipv4 ipv6; do
	[ -s "$world/$f.csv" ] || { echo "bench: no $world/$f.csv: run make world-table first" >&2; exit 1; }
done
mkdir -p "$OUT"

make -s --no-print-directory bench-host | tee "$OUT/host.txt"

# The guest's inputs, made from the CSVs each time so that they cannot go
# stale: the compiled table, the nftables ruleset, and the destinations.
echo "bench: compiling the world table, writing it as nftables maps"
userspace/juris table compile "$world/ipv4.csv" "$world/ipv6.csv" -o "$OUT/world.jtab"
tests/bench/world-nft.py "$world/ipv4.csv" "$world/ipv6.csv" "$OUT/nft"
"$B/amd64/jbench" pool "$world/ipv4.csv" >"$OUT/dests"

# Kernel arguments without a dot reach init's environment, and so the guest.
args=(juris.run=/juris/tests/bench/guest.sh)
[ -z "${JURIS_BENCH_REPS:-}" ] || args+=("JURIS_BENCH_REPS=$JURIS_BENCH_REPS")
kernels=$(tests/vm/kernels.sh amd64)
failed=
for k in $kernels; do
	tests/vm/build-module.sh "$k" "$B/$k/src"
	initramfs=$(tests/bench/stage.sh "$k" "$world" "$OUT")
	echo "bench: $k: booting (QEMU TCG, about 4 minutes)"
	mkdir -p "$OUT/$k"
	if ! tests/vm/run-vm.sh "$k" "$initramfs" "$OUT/$k" 1200 "${args[@]}" >"$OUT/$k/guest.txt"; then
		failed="$failed $k"
	fi
	cat "$OUT/$k/guest.txt"
done

# The table: a row per figure, a column per kernel; medians come with their
# smallest and largest sample.
{
	echo
	echo "make bench: figures (the VM's are emulated by QEMU TCG: compare them within a column only)"
	echo
	echo "host, native:"
	grep -v '^bench: ' "$OUT/host.txt" | sed 's/^/  /'
	echo
	# "bench: NAME_KVER VALUE UNIT" becomes "KVER bench NAME VALUE UNIT".
	for k in $kernels; do
		awk -v k="$k" '($1 == "bench:" || $1 == "spread:") &&
			substr($2, length($2) - length(k)) == "_" k {
			print k, substr($1, 1, length($1) - 1), substr($2, 1, length($2) - length(k) - 1), $3, $4
		}' "$OUT/$k/guest.txt"
	done | awk -v kernels="$kernels" '
	BEGIN {
		n = split("table_bytes kmem_bytes load_csv_s load_jtab_s nft_kmem_bytes nft_load_s " \
			  "pps_none pps_off pps_audit pps_events pps_nft pps_off_ratio pps_audit_ratio " \
			  "pps_events_ratio pps_nft_ratio", rows, " ")
		label["table_bytes"] = "juris table, its own count"
		label["kmem_bytes"] = "juris table, slab+vmalloc"
		label["load_csv_s"] = "juris table load, 2 CSVs"
		label["load_jtab_s"] = "juris table load, .jtab"
		label["nft_kmem_bytes"] = "nftables maps, slab+vmalloc"
		label["nft_load_s"] = "nftables maps load, nft -f"
		label["pps_none"] = "UDP pps, no module"
		label["pps_off"] = "UDP pps, juris mode off"
		label["pps_audit"] = "UDP pps, juris audit"
		label["pps_events"] = "UDP pps, audit, every one an event"
		label["pps_nft"] = "UDP pps, nftables maps"
		label["pps_off_ratio"] = "  mode off / no module"
		label["pps_audit_ratio"] = "  audit / no module"
		label["pps_events_ratio"] = "  audit, events / no module"
		label["pps_nft_ratio"] = "  nftables / no module"
		nk = split(kernels, ks, " ")
	}
	$2 == "bench" { value[$1, $3] = $4; unit[$3] = $5 }
	$2 == "spread" { lo[$1, $3] = $4; hi[$1, $3] = $5 }
	function cell(k, r,    v) {
		if (!((k, r) in value))
			return "-"
		v = value[k, r]
		if (unit[r] == "bytes")
			return sprintf("%.1f MB", v / 1e6)
		v = v " " (unit[r] == "x" ? "x" : unit[r])
		if ((k, r) in lo)
			v = v " [" lo[k, r] "-" hi[k, r] "]"
		return v
	}
	END {
		printf "%-30s", "in the VM (median [min-max])"
		for (i = 1; i <= nk; i++)
			printf "  %-30s", ks[i]
		printf "\n"
		for (j = 1; j <= n; j++) {
			printf "%-30s", label[rows[j]]
			for (i = 1; i <= nk; i++)
				printf "  %-30s", cell(ks[i], rows[j])
			printf "\n"
		}
	}'
	echo
	grep -h '^bench: ' "$OUT/host.txt"
	for k in $kernels; do
		grep -h '^bench: ' "$OUT/$k/guest.txt" || true
	done
} | tee "$OUT/figures.txt"

elapsed=$(($(date +%s) - start))
echo "make bench: $((elapsed / 60)) min $((elapsed % 60)) s"
if [ -n "$failed" ]; then
	echo "bench: FAIL: the VM run failed on$failed (see $OUT/KVER/console.log)" >&2
	exit 1
fi
