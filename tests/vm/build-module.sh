#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build juris.ko for one test kernel, in a copy of the sources of its own
# (object files of different kernels would collide), cross-compiling for
# arm64 kernels.
# Usage: tests/vm/build-module.sh KVER OUTDIR   (from the repo root)
set -eu
. "$(dirname "$0")/targets.sh"
k=$1 out=$2
arch=$(karch "$k")
mkdir -p "$out"
cp -r Kbuild kmod "$out/"
make -s -C "$(kbuild "$k")" M="$(cd "$out" && pwd)" \
	ARCH="$(ksrcarch "$arch")" CROSS_COMPILE="$(kcross "$arch")" modules
