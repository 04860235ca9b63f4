#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unpack what an arm64 test VM needs into $JURIS_CACHE/arm64/root: Debian's
# arm64 cloud kernels (image, modules, headers) of the same versions as the
# amd64 ones installed on the host, and the arm64 busybox-static, iproute2
# and iperf3. Their shared libraries are installed on the host as arm64
# multiarch packages by install-deps.sh; the kernel and program packages
# cannot be (they are not co-installable, and a kernel's hooks would run
# arm64 programs), so they are only unpacked.
# The headers' build tools are arm64 binaries ("fixdep: Exec format error"
# on this host): their scripts/ and tools/ are pointed at the host's amd64
# linux-kbuild package of the same version instead.
# Usage: tests/vm/arm64-root.sh   (after the amd64 kernels are installed)
# Idempotent: returns at once when the root matches the wanted versions.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/targets.sh"

version() {
	dpkg-query -W -f='${Version}' "$1"
}

# Same ABI name and package version as the host's amd64 kernels, so the
# host's amd64 linux-kbuild matches the arm64 headers exactly. The programs
# are whatever apt offers when the root is made.
want=
for k in $(kernels_of amd64); do
	a=${k%-amd64}-arm64
	v=$(version "linux-headers-$k")
	want="$want linux-image-$a:arm64=$v linux-headers-$a:arm64=$v"
done
want=${want# }

stamp=$JURIS_CACHE/arm64/stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$ARM64_ROOT" ]; then
	exit 0
fi

debs=$JURIS_CACHE/arm64/debs
rm -rf "$debs" "$ARM64_ROOT.new"
mkdir -p "$debs" "$ARM64_ROOT.new"
echo "arm64-root: fetching $want and the arm64 busybox-static, iproute2, iperf3" >&2
# shellcheck disable=SC2086 # one word per package
(cd "$debs" && apt-get download -q $want busybox-static:arm64 iproute2:arm64 iperf3:arm64) >&2 || {
	echo "arm64-root: could not fetch the arm64 packages (is arm64 in dpkg --print-foreign-architectures?" \
	     "If the archive moved on, upgrade the amd64 kernels: apt-get install --only-upgrade linux-headers-cloud-amd64 ...)" >&2
	exit 1
}
for deb in "$debs"/*.deb; do
	dpkg -x "$deb" "$ARM64_ROOT.new"
done
rm -rf "$debs"

for hdr in "$ARM64_ROOT.new"/usr/src/linux-headers-*-arm64; do
	# scripts -> ../../lib/linux-kbuild-VER/scripts: resolve that inside the
	# root to the host's kbuild of the same version.
	kb=$(readlink "$hdr/scripts")
	kb=${kb#../../lib/}
	kb=${kb%/scripts}
	[ -d "/usr/lib/$kb" ] || { echo "arm64-root: no /usr/lib/$kb on the host for $hdr" >&2; exit 1; }
	mkdir -p "$ARM64_ROOT.new/usr/lib"
	ln -sfn "/usr/lib/$kb" "$ARM64_ROOT.new/usr/lib/$kb"
done
# The image packages leave modules.dep to their postinst; depmod reads arm64
# modules as well as the host's own.
for k in "$ARM64_ROOT.new"/lib/modules/*; do
	depmod -b "$ARM64_ROOT.new" "$(basename "$k")"
done

rm -rf "$ARM64_ROOT"
mv "$ARM64_ROOT.new" "$ARM64_ROOT"
echo "$want" >"$stamp"
echo "arm64-root: ready in $ARM64_ROOT" >&2
