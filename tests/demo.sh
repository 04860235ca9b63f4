#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo after the build: boot the newest test kernel with juris and show
# what a device limited to India and Singapore can and cannot reach.
# Usage: tests/demo.sh [ARCH]   (amd64, the default, or arm64)
set -eu
cd "$(dirname "$0")/.."
k=$(tests/vm/kernels.sh "${1:-amd64}" | tail -n 1)
initramfs=$(tests/vm/stage.sh "$k")
echo "juris demo: booting Linux $k in QEMU (software emulation, about 10 s)"
tests/vm/run-vm.sh "$k" "$initramfs" "build/$k/demo" 300 juris.run=/juris/tests/guest/demo.sh
