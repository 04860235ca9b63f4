# SPDX-License-Identifier: GPL-2.0
# Sourced by the VM scripts: where each test kernel lives and how to build for
# it. A kernel release names its architecture (6.1.0-56-cloud-amd64,
# 6.12.117+deb12-cloud-arm64). amd64 kernels are installed on the host as
# Debian packages; arm64 kernels cannot be (their packages would run arm64
# hooks), so tests/vm/arm64-root.sh unpacks them, with the arm64 busybox,
# iproute2 and iperf3, into a root kept in the cache, outside git.
# The debug kernel of make check-debug (6.12.N-juris-debug-amd64) is built
# from source by tests/debug/build-kernel.sh into the cache too: its image and
# modules in a root of their own, its build tree beside it; the guest
# programs stay the host's.

JURIS_CACHE=${JURIS_CACHE:-/var/cache/juris}
ARM64_ROOT=$JURIS_CACHE/arm64/root
DEBUG_ROOT=$JURIS_CACHE/debug/root
DEBUG_TREE=$JURIS_CACHE/debug/linux

# karch KVER: amd64 or arm64
karch() {
	case $1 in
	*-arm64) echo arm64 ;;
	*-amd64) echo amd64 ;;
	*) echo "targets.sh: $1: no known architecture" >&2; return 1 ;;
	esac
}

# archroot ARCH: the file system holding ARCH's kernels (/boot, /lib/modules)
# and guest programs
archroot() {
	if [ "$1" = arm64 ]; then echo "$ARM64_ROOT"; else echo /; fi
}

# kroot KVER: the file system holding the kernel's image (/boot) and modules
# (/lib/modules): the archroot of its architecture, but for the debug kernel
kroot() {
	case $1 in *-juris-debug-amd64) echo "$DEBUG_ROOT"; return ;; esac
	archroot "$(karch "$1")"
}

# kbuild KVER: the kernel's build tree, for M= module builds
kbuild() {
	case $1 in *-juris-debug-amd64) echo "$DEBUG_TREE"; return ;; esac
	if [ "$(karch "$1")" = arm64 ]; then
		echo "$ARM64_ROOT/usr/src/linux-headers-$1"
	else
		echo "/lib/modules/$1/build"
	fi
}

# ksrcarch ARCH: the kernel's name for ARCH (make ARCH=)
ksrcarch() {
	case $1 in
	amd64) echo x86 ;;
	*) echo "$1" ;;
	esac
}

# kcross ARCH: the prefix of the toolchain that builds for ARCH on this host
kcross() {
	if [ "$1" = arm64 ]; then echo aarch64-linux-gnu-; fi
}

# ktriplet ARCH: the Debian multiarch directory of ARCH's libraries
ktriplet() {
	case $1 in
	arm64) echo aarch64-linux-gnu ;;
	amd64) echo x86_64-linux-gnu ;;
	esac
}

# kernels_of ARCH: the newest 6.1.x and 6.12.x cloud kernels of ARCH that have
# both an image (to boot) and a build tree (to compile the module against)
kernels_of() {
	local arch=$1 root series v best
	root=$(archroot "$arch")
	for series in '6.1.' '6.12.'; do
		best=
		# 6.1.* cannot match 6.12.*: the glob needs a literal "6.1." prefix.
		for v in $(printf '%s\n' "$root"/boot/vmlinuz-"$series"*-cloud-"$arch" |
			   sed 's|^.*/boot/vmlinuz-||' | sort -V); do
			if [ -d "$(kbuild "$v")/" ]; then best=$v; fi
		done
		if [ -z "$best" ]; then
			echo "targets.sh: no ${series}x-cloud-$arch kernel with an image and a build tree under $root (run tests/vm/install-deps.sh)" >&2
			return 1
		fi
		echo "$best"
	done
}
