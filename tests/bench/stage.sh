#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: the guest of one kernel, in a stage directory and initramfs of
# its own (build/KVER/bench-stage, build/KVER/bench-initramfs.cpio.gz), so
# that make check's stays small: juris.ko, the CLI, jbench, nft and the
# world table in its three forms (CSVs, compiled, nftables), with the
# destinations jbench sends to. nf_tables and dummy are preloaded.
# Usage: tests/bench/stage.sh KVER WORLD_DIR BENCH_DIR  (from the repo root,
# after tests/bench/bench.sh made BENCH_DIR's files)
# Prints the initramfs path.
set -eu
. tests/vm/targets.sh
k=$1 world=$2 bench=$3
B=build
arch=$(karch "$k")
stage=$B/$k/bench-stage
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/tests/guest" "$stage/tests/bench" "$stage/world"
cp "$B/$k/src/juris.ko" "$stage/"
cp "$B/$arch/juris" "$B/$arch/jbench" "$stage/bin/"
# mkinitramfs.sh adds the libraries of every program in the stage.
cp "$(archroot "$arch")/usr/sbin/nft" "$stage/bin/"
cp tests/guest/lib.sh "$stage/tests/guest/"
cp tests/bench/guest.sh "$stage/tests/bench/"
# Links: mkinitramfs.sh copies what they point to, once.
for f in "$world/ipv4.csv" "$world/ipv6.csv" "$bench/world.jtab" "$bench/nft" "$bench/dests"; do
	ln -s "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$stage/world/"
done
out=$B/$k/bench-initramfs.cpio.gz
JURIS_VM_MODULES="nf_tables dummy" tests/vm/mkinitramfs.sh "$k" "$stage" "$out" >&2
echo "$out"
