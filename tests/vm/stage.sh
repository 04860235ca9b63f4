#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Gather what a guest needs for one kernel into a stage directory, then pack
# it into an initramfs: juris.ko, the CLI, the guest tests and their data,
# built for the kernel's architecture.
# Usage: tests/vm/stage.sh KVER  (run from the repo root after the build)
# Prints the initramfs path.
set -eu
. tests/vm/targets.sh
k=$1
B=build
arch=$(karch "$k")
stage=$B/$k/stage
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/tests/guest" "$stage/examples"
cp "$B/$k/src/juris.ko" "$stage/"
cp "$B/$arch/juris" "$B/$arch/jprobe" "$B/$arch/jload" "$stage/bin/"
cp "$B/$arch/nl_test" "$B/$arch/nl_fuzz" tests/guest/*.sh tests/guest/*.csv "$stage/tests/guest/"
cp examples/*.csv examples/*.policy "$stage/examples/"
tests/vm/mkinitramfs.sh "$k" "$stage" "$B/$k/initramfs.cpio.gz" >&2
echo "$B/$k/initramfs.cpio.gz"
