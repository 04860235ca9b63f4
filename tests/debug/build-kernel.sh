#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the kernel of make check-debug: Linux 6.12 from Debian's
# linux-source-6.12, x86_64 tinyconfig plus tests/debug/debug.config (what the
# guest suite needs, KASAN, kmemleak, lockdep, fault injection), with
# modules. Prints the kernel release (6.12.N-juris-debug-amd64) on stdout,
# the steps and their wall times on stderr.
# Usage: tests/debug/build-kernel.sh   (from the repo root)
# Env: JURIS_CACHE  the cache (default /var/cache/juris); under debug/:
#                   linux/  the source and build tree, also the tree that
#                           juris.ko is built against (M=)
#                   root/   boot/vmlinuz-KVER and lib/modules/KVER, as
#                           tests/vm/targets.sh expects them
# Idempotent: a build is reused until debug.config, the source package, gcc
# or the steps below change. A change rebuilds in the same tree, so Kbuild
# recompiles only what the new configuration touches; a new source package
# starts from a fresh extract.
set -eu

FRAGMENT=tests/debug/debug.config
CACHE=${JURIS_CACHE:-/var/cache/juris}/debug
TREE=$CACHE/linux
ROOT=$CACHE/root
LOG=$CACHE/build.log
# Two cores shared with others: lowest priority, two jobs.
JOBS=2
PACKAGES="linux-source-6.12 gcc make flex bison bc libelf-dev libssl-dev xz-utils kmod"

die() { echo "build-kernel: $*" >&2; exit 1; }

[ -f Kbuild ] && [ -f "$FRAGMENT" ] || die "run from the repo root"
# The kernel would take an inherited KBUILD_OUTPUT as its object directory.
unset KBUILD_OUTPUT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# step NAME CMD...: run CMD with its output in the log, print its wall time.
step() {
	local name=$1 t0
	shift
	t0=$(now)
	echo "### $name" >>"$LOG"
	if ! "$@" >>"$LOG" 2>&1; then
		tail -n 40 "$LOG" | sed 's/^/  /' >&2
		die "$name failed (log: $LOG)"
	fi
	printf 'build-kernel: %-24s %7s s\n' "$name" "$(since "$t0")" >&2
}

kmake() { nice -n 19 make -C "$TREE" -j"$JOBS" ARCH=x86_64 "$@"; }

install_packages() {
	local p status missing=
	for p in $PACKAGES; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ "$status" = "install ok installed" ] || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	echo "build-kernel: installing:$missing" >&2
	apt-get update
	# shellcheck disable=SC2086 # word splitting wanted
	DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
}

source_key() {
	echo "linux-source-6.12 $(dpkg-query -W -f='${Version}' linux-source-6.12)"
}

# Everything that shapes the build, the text of the functions that make it
# included, so that editing those steps invalidates it.
build_key() {
	printf '%s\n' "$(source_key)" \
		"gcc $(gcc -dumpfullversion) $(dpkg-query -W -f='${Version}' gcc)" \
		"debug.config $(sha256sum <"$FRAGMENT" | cut -d' ' -f1)" \
		"steps $(declare -f extract_source configure verify_config build install_kernel kmake | sha256sum | cut -d' ' -f1)"
}

extract_source() {
	rm -rf "$TREE"
	mkdir -p "$TREE"
	tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$TREE" --strip-components=1
	source_key >"$TREE/.juris-source"
}

configure() {
	kmake tinyconfig
	# -m: merge only; olddefconfig resolves the result.
	(cd "$TREE" && scripts/kconfig/merge_config.sh -m .config "$OLDPWD/$FRAGMENT")
	kmake olddefconfig
}

# A fragment line that Kconfig dropped (a failed "depends on", a symbol this
# version lacks, a choice lost to tinyconfig's) would silently remove a
# detector: every line must be in the final .config exactly as written.
verify_config() {
	local config=$TREE/.config line sym got bad=
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF -- "$line" "$config" && continue
			sym=${line%%=*}
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			grep -q "^$sym=" "$config" || continue
			;;
		*) continue ;;
		esac
		got=$(grep -m1 -E "^$sym=|^# $sym is not set" "$config" || echo "absent: not in this kernel or its dependencies fail")
		bad="$bad
  want: $line
   got: $got"
	done <"$FRAGMENT"
	[ -z "$bad" ] || die "$config: olddefconfig dropped lines of $FRAGMENT:$bad"
}

build() {
	kmake bzImage modules
}

# The root holds only this release: an old one would be picked up by nobody,
# but would fill the cache.
install_kernel() {
	local kver=$1
	rm -rf "$ROOT"
	mkdir -p "$ROOT/boot"
	cp "$TREE/arch/x86/boot/bzImage" "$ROOT/boot/vmlinuz-$kver"
	kmake INSTALL_MOD_PATH="$ROOT" modules_install
}

t_all=$(now)
install_packages
mkdir -p "$CACHE"
# One build at a time in the tree, also across concurrent make jobs.
exec 8>"$CACHE/.lock"
flock 8
key=$(build_key)
if [ -f "$CACHE/.stamp" ] && [ "$(cat "$CACHE/.stamp")" = "$key" ]; then
	kver=$(cat "$CACHE/release")
	echo "build-kernel: $kver in $CACHE is current" >&2
	echo "$kver"
	exit 0
fi
rm -f "$CACHE/.stamp"
: >"$LOG"
if [ ! -f "$TREE/.juris-source" ] || [ "$(cat "$TREE/.juris-source")" != "$(source_key)" ]; then
	step "extract source" extract_source
fi
step "configure" configure
verify_config
step "build bzImage, modules" build
# The release reads include/config/auto.conf, which the build writes.
kver=$(make -s -C "$TREE" ARCH=x86_64 kernelrelease)
case $kver in
*-juris-debug-amd64) ;;
*) die "unexpected kernel release '$kver'" ;;
esac
step "install" install_kernel "$kver"
echo "$kver" >"$CACHE/release"
echo "$key" >"$CACHE/.stamp"
echo "build-kernel: $kver built in $(since "$t_all") s (log: $LOG)" >&2
echo "$kver"
