#!/bin/bash
# Assemble a self-contained initramfs for booting KVER under QEMU: static
# busybox, iproute2's ip, iperf3, the distro modules the tests need, and
# STAGE_DIR (the module, CLI and guest tests) under /juris, each dynamic ELF
# with its shared libraries. The programs and libraries are of the kernel's
# architecture: the host's own for amd64, the arm64 root's and the host's
# arm64 multiarch libraries for arm64 (see targets.sh). The modules are the
# kernel's, from its own root (another one for the debug kernel).
# Usage: tests/vm/mkinitramfs.sh KVER STAGE_DIR OUT.cpio.gz
# Extra distro modules to preload: JURIS_VM_MODULES="nf_conntrack ...".
# Dependencies of any *.ko in STAGE_DIR (modinfo "depends") are added too.
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 KVER STAGE_DIR OUT.cpio.gz" >&2
	exit 2
fi
KVER=$1 STAGE=$2 OUT=$3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/targets.sh"
ARCH=$(karch "$KVER")
SRC=$(archroot "$ARCH")
KROOT=$(kroot "$KVER")
TRIPLET=$(ktriplet "$ARCH")
[ -d "$KROOT/lib/modules/$KVER/kernel" ] || { echo "mkinitramfs: no modules for $KVER under $KROOT" >&2; exit 1; }
[ -d "$STAGE" ] || { echo "mkinitramfs: no stage dir $STAGE" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,var,juris,lib/modules/preload}
# iproute2 keeps namespaces under /var/run/netns; /run becomes a tmpfs at boot.
ln -s ../run "$root/var/run"

# Libraries are found from each ELF's DT_NEEDED entries (readelf works on
# either architecture; ldd would have to run the program) in the multiarch
# directories, and copied once at the end to the same path, where the loader
# looks for them. The loader itself keeps its PT_INTERP path.
declare -A libs
LIBDIRS="/usr/lib/$TRIPLET /lib/$TRIPLET /usr/lib /lib"
add_libs() {
	local elf=$1 interp so dir found
	interp=$(readelf -lW "$elf" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	[ -z "$interp" ] || libs[$interp]=1
	for so in $(readelf -dW "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		found=
		for dir in $LIBDIRS; do
			if [ -e "$dir/$so" ]; then found=$dir/$so; break; fi
		done
		[ -n "$found" ] || { echo "mkinitramfs: $elf needs $so, not found in $LIBDIRS" >&2; exit 1; }
		[ -z "${libs[$found]:-}" ] || continue
		libs[$found]=1
		add_libs "$found"
	done
}
add_bin() {	# add_bin HOST_PATH IMAGE_PATH
	mkdir -p "$root/$(dirname "$2")"
	cp -L "$1" "$root/$2"
	add_libs "$1"
}

# The applet links are made by /init (busybox --install -s): listing them
# here would mean running a busybox of the guest's architecture.
cp "$SRC/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# The real ip stands where busybox would link its own (which has no netns);
# busybox sh still runs its own applet for a bare "ip", so init exports
# IP=/usr/sbin/ip.
add_bin "$SRC/bin/ip" /usr/sbin/ip
ln -s /usr/sbin/ip "$root/sbin/ip"
add_bin "$SRC/usr/bin/iperf3" /usr/bin/iperf3
cp "$HERE/init" "$root/init"
chmod 755 "$root/init"

# Distro modules in load order, numbered so init can insmod them by glob order.
# Module signatures sit after the payload, so decompressing keeps them valid.
want="veth ${JURIS_VM_MODULES:-}"
# arm64's virt machine has one UART, the console; the TAP stream goes to a
# virtio console (see run-vm.sh), whose drivers are modules on 6.1.
[ "$ARCH" != arm64 ] || want="$want virtio_mmio virtio_console"
while IFS= read -r -d '' ko; do
	want="$want $(modinfo -F depends "$ko" | tr , ' ')"
done < <(find "$STAGE" -name '*.ko' -print0)
n=0
declare -A seen
for mod in $want; do
	for path in $(modprobe -d "$KROOT" -S "$KVER" --show-depends "$mod" | awk '$1 == "insmod" { print $2 }'); do
		[ -z "${seen[$path]:-}" ] || continue
		seen[$path]=1
		n=$((n + 1))
		dst=$root/lib/modules/preload/$(printf %02d $n)-$(basename "${path%.ko*}").ko
		case $path in
		*.ko.xz) xz -dc "$path" >"$dst" ;;
		*.ko.gz) gzip -dc "$path" >"$dst" ;;
		*.ko.zst) zstd -qdc "$path" >"$dst" ;;
		*.ko) cp "$path" "$dst" ;;
		*) echo "mkinitramfs: cannot unpack $path" >&2; exit 1 ;;
		esac
	done
done

# The stage dir, dereferencing symlinks so nothing points back at the host.
cp -rL --preserve=mode "$STAGE/." "$root/juris/"
while IFS= read -r -d '' f; do
	LC_ALL=C read -r -N4 magic <"$f" || true
	[ "$magic" != $'\x7fELF' ] || add_libs "$f"
done < <(find "$root/juris" -type f ! -name '*.ko' -print0)

for lib in "${!libs[@]}"; do
	mkdir -p "$root/$(dirname "$lib")"
	cp -L "$lib" "$root/$lib"
done

# /dev/console comes from the kernel's built-in initramfs, so none is needed here.
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
