#!/bin/bash
# Build juris.ko the way an Android GKI vendor module is built: clang, arm64,
# kCFI, shadow call stack, the GKI hardening options, warnings as errors,
# against "GKI-like" trees (Debian's 6.1 / 6.12 source, arm64 defconfig plus
# tests/gki/gki.config). It proves the module compiles there; nothing runs.
# Usage: tests/gki/build-gki.sh [6.1|6.12 ...]   (from the repo root; default: both)
# Env: JURIS_CACHE  where prepared trees live (default /var/cache/juris), under
#                   gki/linux-VER: 1.5 GB while one is prepared, 0.8 GB after.
# Idempotent: a prepared tree is reused until gki.config, the source package,
# clang or the preparation steps below change; a rebuild takes seconds.
set -eu

VERSIONS=${*:-6.1 6.12}
FRAGMENT=tests/gki/gki.config
CACHE=${JURIS_CACHE:-/var/cache/juris}/gki
OUT=build/gki
# Debian's clang is versioned; the prefix form of LLVM= makes every tool
# (clang, ld.lld, llvm-ar, llvm-nm, ..., and HOSTCC) come from LLVM 19, where
# LLVM=1 would find the default clang-14 first in PATH.
LLVM_BIN=/usr/lib/llvm-19/bin
# Two cores: leave the machine usable while a tree is prepared.
JOBS=2
PACKAGES="clang-19 lld-19 llvm-19 make flex bison bc libelf-dev libssl-dev xz-utils"

die() { echo "build-gki: $*" >&2; exit 1; }

if [ ! -f Kbuild ] || [ ! -d kmod ] || [ ! -f "$FRAGMENT" ]; then
	die "run from the repo root"
fi
for v in $VERSIONS; do
	case $v in
	6.1 | 6.12) PACKAGES="$PACKAGES linux-source-$v" ;;
	*) die "unknown kernel '$v' (expected 6.1 or 6.12)" ;;
	esac
done
# The kernel would take an inherited KBUILD_OUTPUT as its object directory.
unset KBUILD_OUTPUT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# step NAME CMD...: run CMD and print its wall time.
step() {
	local name=$1 t0
	shift
	t0=$(now)
	"$@"
	printf 'build-gki: %-32s %6s s\n' "$name" "$(since "$t0")"
}

kmake() { make -j"$JOBS" ARCH=arm64 LLVM="$LLVM_BIN/" "$@"; }

install_packages() {
	local p status missing=
	for p in $PACKAGES; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ "$status" = "install ok installed" ] || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	echo "build-gki: installing:$missing" >&2
	apt-get update
	# shellcheck disable=SC2086 # word splitting wanted
	DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
}

# A fragment line that Kconfig dropped (a failed "depends on", a symbol this
# version lacks) would silently turn the check into a plain arm64 build: every
# line must be in the final .config exactly as written.
verify_config() {
	local config=$1 line sym got bad=
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

# The prepared tree is keyed on everything that shapes it, the text of the
# functions that prepare it included, so editing those steps invalidates it.
tree_key() {
	local v=$1
	printf '%s\n' \
		"linux-source-$v $(dpkg-query -W -f='${Version}' "linux-source-$v")" \
		"clang-19 $(dpkg-query -W -f='${Version}' clang-19)" \
		"gki.config $(sha256sum <"$FRAGMENT" | cut -d' ' -f1)" \
		"steps $(declare -f prepare_tree extract_source merge_fragment verify_config prune_tree kmake | sha256sum | cut -d' ' -f1)"
}

merge_fragment() {
	local tree=$1
	# -m: merge only; olddefconfig below resolves the result with our make flags.
	(cd "$tree" && scripts/kconfig/merge_config.sh -m .config "$OLDPWD/$FRAGMENT") >"$tree/merge_config.log"
}

extract_source() {
	local v=$1 tree=$2
	rm -rf "$tree"
	mkdir -p "$tree"
	tar -xJf "/usr/src/linux-source-$v.tar.xz" -C "$tree" --strip-components=1
}

# An external module build reads the tree's headers, Makefiles, scripts and
# generated files, never its C sources: dropping those (outside scripts/, whose
# host tools are already built) and the documentation halves the cache, much
# as Debian's linux-headers packages do.
prune_tree() {
	local tree=$1
	rm -rf "$tree/Documentation"
	find "$tree" -name '*.c' -type f -not -path "$tree/scripts/*" -delete
}

prepare_tree() {
	local v=$1 tree=$2
	# Start from a clean extract: cheaper to reason about than mrproper, and
	# the stamp is written last, so an interrupted run starts over.
	step "$v: extract source" extract_source "$v" "$tree"
	step "$v: defconfig" kmake -s -C "$tree" defconfig
	step "$v: merge gki.config" merge_fragment "$tree"
	step "$v: olddefconfig" kmake -s -C "$tree" olddefconfig
	verify_config "$tree/.config"
	step "$v: modules_prepare" kmake -s -C "$tree" modules_prepare
	step "$v: prune sources" prune_tree "$tree"
}

ensure_tree() {
	local v=$1 tree=$CACHE/linux-$1 key
	key=$(tree_key "$v")
	if [ -f "$tree/.juris-gki-stamp" ] && [ "$(cat "$tree/.juris-gki-stamp")" = "$key" ]; then
		echo "build-gki: $v: prepared tree $tree is current"
		return
	fi
	prepare_tree "$v" "$tree"
	echo "$key" >"$tree/.juris-gki-stamp"
}

# Warnings must fail the build. -Werror covers the compiler; with LTO the
# code is generated by ld.lld when juris.ko is linked, whose warnings (frame
# size among them) do not fail it, and modpost only warns: so the log is read
# too. The one expected warning class is modpost's "undefined!": without a
# vmlinux there is no Module.symvers, so every import looks unresolved (and
# carries no CRC); KBUILD_MODPOST_WARN turns those errors into warnings.
check_log() {
	local log=$1 unexpected
	unexpected=$(awk '
		/^WARNING: Module\.symvers is missing\.$/ { banner = 1; next }
		banner && /^[ \t]/ { next }
		{ banner = 0 }
		/^WARNING: modpost: "[^"]+" \[[^]]*\] undefined!$/ { next }
		/^WARNING: modpost: suppressed [0-9]+ unresolved symbol warnings/ { next }
		tolower($0) ~ /warn|error/' "$log")
	[ -z "$unexpected" ] || die "warnings in $log:
$unexpected"
}

# The point of the exercise is CFI and SCS: read them back from the code
# rather than trust the .config, so that a toolchain, Kconfig or Kbuild change
# that drops the flags fails here. On arm64:
#  - SCS: a function that calls another first pushes its return address on
#    the shadow stack, str x30, [x18], #8.
#  - kCFI: a function that may be called indirectly is preceded by a 32-bit
#    type hash (.word), which the caller checks; so every function whose
#    address juris hands out (netfilter hooks, genl ops, pernet ops, sort's
#    compare) must carry one. An indirect call of juris's own (blr) must be
#    guarded by a kCFI trap, brk #0x8xxx.
# Relocations from debug and exception-table sections are not "taking an
# address"; those from code (adrp/add) and data (pointers) are.
check_hardening() {
	local ko=$1 dis=$2 relocs=$3 report bad
	"$LLVM_BIN/llvm-objdump" -d --no-show-raw-insn "$ko" >"$dis"
	"$LLVM_BIN/llvm-objdump" -r "$ko" >"$relocs"
	report=$(awk '
		function key(sec, off) { sub(/^0+/, "", off); return sec "+" (off == "" ? "0" : off) }
		FNR == NR && /^Disassembly of section / { sec = $4; sub(/:$/, "", sec); next }
		FNR == NR && /^[0-9a-f]+ <[^.].*>:$/ {
			fn = substr($2, 2, length($2) - 3)
			funcs[fn] = 1
			at[key(sec, $1)] = fn
			if (prev ~ /\t\.word\t/) hashed[fn] = 1
		}
		FNR == NR && /\tstr\tx30, \[x18\], #0x8/ { pushed[fn] = 1; npushed++ }
		FNR == NR && /\tbl\t/ { calls[fn] = 1 }
		FNR == NR && /\tblr\t/ { calls[fn] = 1; icalls[fn] = 1 }
		FNR == NR && /\tbrk\t#0x8[0-9a-f][0-9a-f][0-9a-f]$/ { cfitrap[fn] = 1 }
		FNR == NR { if ($0 != "") prev = $0; next }
		/^RELOCATION RECORDS FOR / { rsec = $4; gsub(/[\[\]:]/, "", rsec); next }
		rsec ~ /^\.(text|init\.|exit\.|data|rodata|gnu\.linkonce\.this_module)/ &&
		$2 ~ /^R_AARCH64_(ABS64|ADR_PREL_PG_HI21|ADD_ABS_LO12_NC)$/ {
			t = $3
			if (!(t in funcs)) {
				n = split(t, p, /[+]0x/)
				t = key(p[1], n > 1 ? p[2] : "")
				if (!(t in at)) next
				t = at[t]
			}
			taken[t] = 1
		}
		END {
			for (f in calls) { ncalls++; if (!(f in pushed)) print "noscs", f }
			for (f in icalls) if (!(f in cfitrap)) print "nocfitrap", f
			for (f in taken) { ntaken++; if (!(f in hashed)) print "nohash", f }
			printf "summary %d %d %d\n", ncalls, npushed, ntaken
		}' "$dis" "$relocs")
	bad=$(echo "$report" | grep -v '^summary' || true)
	[ -z "$bad" ] || die "$ko: code without CFI/SCS (see $dis):
$bad"
	# shellcheck disable=SC2046 # split the summary into $1..$4
	set -- $(echo "$report" | grep '^summary')
	# An empty match must not pass for a clean one.
	if [ "$3" -eq 0 ] || [ "$4" -eq 0 ]; then
		die "$ko: found $3 shadow call stack pushes and $4 address-taken functions: check the checker"
	fi
	echo "build-gki: $ko: SCS push in all $2 calling functions, kCFI hash on all $4 address-taken ones"
}

build_module() {
	local v=$1 tree=$CACHE/linux-$1 dir=$OUT/$1
	# A fresh copy each time: stale objects would hide warnings, and the
	# Makefile's modules target copies the sources the same way.
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r Kbuild kmod "$dir/"
	# A host build in place (make -C /lib/modules/... M=$PWD) leaves x86
	# objects and .cmd files in kmod/; only the sources may come along.
	find "$dir/kmod" -type f ! -name '*.[ch]' -delete
	if ! kmake -C "$tree" M="$PWD/$dir" KCFLAGS=-Werror KBUILD_MODPOST_WARN=1 modules >"$dir/build.log" 2>&1; then
		cat "$dir/build.log" >&2
		die "$v: juris.ko failed to build (log: $dir/build.log)"
	fi
	check_log "$dir/build.log"
	check_hardening "$dir/juris.ko" "$dir/juris.dis" "$dir/juris.relocs"
	"$LLVM_BIN/llvm-nm" -u "$dir/juris.ko" | awk '{ print $2 }' >"$dir/imports.txt"
}

t_all=$(now)
step "packages" install_packages
mkdir -p "$CACHE"
for v in $VERSIONS; do
	t_tree=$(now)
	ensure_tree "$v"
	step "$v: build juris.ko" build_module "$v"
	echo "build-gki: $v: $OUT/$v/juris.ko ($(wc -l <"$OUT/$v/imports.txt") imports in $OUT/$v/imports.txt), $(since "$t_tree") s"
done
echo "build-gki: done in $(since "$t_all") s"
