#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check after the build: the host tests (under ASan and UBSan), lint,
# the YNL spec check, the clang build for GKI-like arm64 trees, the KMI check
# of every arm64 module, then the guest selftests in a VM per kernel and
# architecture.
# Counts every TAP result, prints a summary per configuration and ends with
# "N passed, N failed".
# A run that dies (kernel warning, timeout, bad exit) counts as one failure
# more, so it can never pass unnoticed.
set -u
cd "$(dirname "$0")/.."
B=build
passed=0
failed=0
summary=

# tally NAME TAPFILE EXIT: add a run's results to the totals. A run whose
# results do not add up to its plans (a test that died or was skipped
# silently, a stream cut short) fails too.
tally() {
	p=$(grep -c '^ok ' "$2")
	f=$(grep -c '^not ok ' "$2")
	planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$2" | awk '{ n += $1 } END { print n + 0 }')
	if [ "$planned" -ne $((p + f)) ]; then
		echo "# $1: planned $planned tests, saw $((p + f)) results"
		f=$((f + 1))
	elif [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	echo "# $1: $p passed, $f failed"
	summary="$summary$(printf '#   %-44s %4d passed, %d failed' "$1" "$p" "$f")
"
	passed=$((passed + p))
	failed=$((failed + f))
}

# run NAME TAPFILE COMMAND...: a command that prints TAP, shown and tallied
run() {
	name=$1 tap=$2
	shift 2
	"$@" >"$tap" 2>&1
	rc=$?
	cat "$tap"
	tally "$name" "$tap" $rc
}

# one NAME TAPFILE DESCRIPTION COMMAND...: a command that prints no TAP,
# as one result; its output becomes the diagnostics of a failure
one() {
	name=$1 tap=$2 desc=$3
	shift 3
	{
		echo "1..1"
		if "$@" >"$tap.log" 2>&1; then
			echo "ok 1 - $desc"
		else
			echo "not ok 1 - $desc"
			sed 's/^/# /' "$tap.log"
		fi
	} >"$tap"
	cat "$tap"
	tally "$name" "$tap" 0
}

# The host tests run under ASan and UBSan (make test builds the same): a
# sanitizer report aborts the program and fails its run.
for t in core_test csv_test "pfile_test examples" "jtab_test tests/guest/fixture.csv tests/guest/fixture-moved.csv examples/sample-table.csv"; do
	set -- $t
	run "host $1 (asan, ubsan)" "$B/host/$1.tap" env \
		ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1 \
		UBSAN_OPTIONS=print_stacktrace=1 "$B/host-san/$@"
done

one lint "$B/lint.tap" "make lint: sparse and checkpatch --strict are clean" make -s lint

# The YNL spec and the uapi header must describe the same protocol.
run "host ynl_check" "$B/host/ynl_check.tap" \
	/usr/bin/python3 tests/host/ynl_check.py kmod/uapi/juris.yaml kmod/uapi/juris.h

# The digest's canonical form, rebuilt from its documentation alone.
run "host digest_check" "$B/host/digest_check.tap" \
	/usr/bin/python3 tests/host/digest_check.py userspace/juris

kernels=$(tests/vm/kernels.sh) || exit 1

# clang, kCFI, shadow call stack, warnings as errors: what gcc against
# Debian's headers cannot show. The trees are cached; a build takes seconds.
mkdir -p "$B/gki"
one "gki clang build" "$B/gki/build.tap" \
	"juris.ko builds with clang for GKI-like arm64 6.1 and 6.12, CFI and SCS in place" \
	tests/gki/build-gki.sh

# A GKI kernel refuses a module that imports a symbol off its KMI lists. The
# GKI builds must have none; the Debian arm64 builds may have the imports
# tests/gki/debian-only explains, which only Debian's configuration causes.
for v in 6.1 6.12; do
	run "kmi gki-$v" "$B/gki/$v/kmi.tap" tests/gki/kmi-check.sh "$B/gki/$v/juris.ko"
done
for k in $kernels; do
	case $k in *-arm64) ;; *) continue ;; esac
	run "kmi $k" "$B/$k/kmi.tap" \
		tests/gki/kmi-check.sh -x tests/gki/debian-only "$B/$k/src/juris.ko"
done

for k in $kernels; do
	initramfs=$(tests/vm/stage.sh "$k") || exit 1
	echo "# kernel $k"
	tests/vm/run-vm.sh "$k" "$initramfs" "$B/$k/vm" 600 >"$B/$k/guest.tap"
	rc=$?
	cat "$B/$k/guest.tap"
	tally "guest $k" "$B/$k/guest.tap" $rc
done

echo "# summary"
printf '%s' "$summary"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
