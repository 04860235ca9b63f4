#!/bin/bash
# Install what the VM tests need, and extract the kselftest headers.
# Usage: tests/vm/install-deps.sh [KSELFTEST_DIR]   (default: build/kselftest)
# Idempotent: when everything is present it returns in well under a second.
set -eu

PACKAGES="qemu-system-x86 busybox-static iproute2 iperf3 kmod cpio xz-utils pkg-config
	libnl-3-dev libnl-genl-3-dev
	linux-image-cloud-amd64 linux-headers-cloud-amd64
	linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64
	linux-source-6.1"
KSELFTEST_DIR=${1:-build/kselftest}

missing=
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "install-deps: installing:$missing" >&2
	apt-get update
	# shellcheck disable=SC2086 # word splitting wanted
	DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
fi

# kselftest.h and kselftest_harness.h ship in no Debian package but the kernel
# source tarball; pull just those two files out of it (decompression is the
# ~12 s cost, --occurrence=1 stops reading once both are found).
if [ ! -f "$KSELFTEST_DIR/kselftest.h" ] || [ ! -f "$KSELFTEST_DIR/kselftest_harness.h" ]; then
	tarball=/usr/src/linux-source-6.1.tar.xz
	top=linux-source-6.1/tools/testing/selftests
	mkdir -p "$KSELFTEST_DIR"
	echo "install-deps: extracting kselftest headers into $KSELFTEST_DIR" >&2
	tar -xJf "$tarball" -C "$KSELFTEST_DIR" --occurrence=1 --strip-components=4 \
		"$top/kselftest.h" "$top/kselftest_harness.h"
fi
