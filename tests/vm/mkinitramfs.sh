#!/bin/bash
# Assemble a self-contained initramfs for booting KVER under QEMU: static
# busybox, iproute2's ip, iperf3, the distro modules the tests need, and
# STAGE_DIR (the module, CLI and guest tests) under /juris, each dynamic ELF
# with its shared libraries.
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
[ -d "/lib/modules/$KVER/kernel" ] || { echo "mkinitramfs: no modules for $KVER" >&2; exit 1; }
[ -d "$STAGE" ] || { echo "mkinitramfs: no stage dir $STAGE" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,var,juris,lib/modules/preload}
# iproute2 keeps namespaces under /var/run/netns; /run becomes a tmpfs at boot.
ln -s ../run "$root/var/run"

# Libraries are collected from ldd (paths kept, so the loader finds them at the
# same place as on the host, including /lib64/ld-linux-x86-64.so.2) and copied
# once at the end.
declare -A libs
add_libs() {
	local lib
	for lib in $(ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		libs[$lib]=1
	done
}
add_bin() {	# add_bin HOST_PATH IMAGE_PATH
	mkdir -p "$root/$(dirname "$2")"
	cp -L "$1" "$root/$2"
	add_libs "$1"
}

cp /bin/busybox "$root/bin/busybox"
while read -r applet; do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done < <(/bin/busybox --list-full)
# The real ip replaces busybox's (which has no netns) at both places; busybox sh
# still runs its own applet for a bare "ip", so init exports IP=/usr/sbin/ip.
rm -f "$root/sbin/ip" "$root/usr/sbin/ip"
add_bin "$(command -v ip)" /usr/sbin/ip
ln -s /usr/sbin/ip "$root/sbin/ip"
add_bin "$(command -v iperf3)" /usr/bin/iperf3
cp "$HERE/init" "$root/init"
chmod 755 "$root/init"

# Distro modules in load order, numbered so init can insmod them by glob order.
# Module signatures sit after the payload, so decompressing keeps them valid.
want="veth ${JURIS_VM_MODULES:-}"
while IFS= read -r -d '' ko; do
	want="$want $(modinfo -F depends "$ko" | tr , ' ')"
done < <(find "$STAGE" -name '*.ko' -print0)
n=0
declare -A seen
for mod in $want; do
	for path in $(modprobe -S "$KVER" --show-depends "$mod" | awk '$1 == "insmod" { print $2 }'); do
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
