#!/bin/bash
# Install what the VM tests need, for x86_64 and arm64 guests, and extract
# the kselftest headers.
# Usage: tests/vm/install-deps.sh [KSELFTEST_DIR]   (default: build/kselftest)
# Idempotent: when everything is present it returns in about a second.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)

# arm64 guests: the cross compiler, the emulator, and as arm64 multiarch
# packages the libraries the guest programs link (libnl for the CLI and the
# tests, those of iproute2's ip and of iperf3, unpacked by arm64-root.sh).
# nftables: make bench loads the world table into it too, in the guest.
PACKAGES="qemu-system-x86 busybox-static iproute2 iperf3 kmod cpio xz-utils pkg-config python3-yaml sparse
	nftables
	libnl-3-dev:amd64 libnl-genl-3-dev:amd64
	linux-image-cloud-amd64 linux-headers-cloud-amd64
	linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64
	linux-source-6.1
	qemu-system-arm gcc-aarch64-linux-gnu
	libnl-3-dev:arm64 libnl-genl-3-dev:arm64
	libbpf1:arm64 libbsd0:arm64 libcap2:arm64 libelf1:arm64 libmnl0:arm64 libiperf0:arm64"
KSELFTEST_DIR=${1:-build/kselftest}

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	echo "install-deps: adding the arm64 architecture" >&2
	dpkg --add-architecture arm64
	apt-get update
fi
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
"$HERE/arm64-root.sh"

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
