#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check-debug after the build of the guest programs: build (or reuse)
# the debug kernel, build juris.ko against it, and boot the whole guest
# suite on it, then the failslab pass, between a kmemleak clear and scan
# (tests/guest/kmemleak.sh). Any KASAN, lockdep, UBSAN, debugobjects or other
# kernel report on the console fails the run (tests/vm/run-vm.sh), and so do
# a leak, a failed or skipped test, and a run whose results do not add up to
# its plans. Prints the TAP stream, the wall time of each phase, and ends
# with "N passed, N failed".
# Usage: tests/debug/check-debug.sh   (from anywhere; make check-debug)
# Env: JURIS_CACHE        where the kernel is cached (see build-kernel.sh)
#      JURIS_DEBUG_TIMEOUT the guest's time limit in seconds (default 5400)
set -u
cd "$(dirname "$0")/../.."
B=build
TIMEOUT=${JURIS_DEBUG_TIMEOUT:-5400}

now() { date +%s; }
t_all=$(now)
times=

# took NAME T0: keep a host phase's wall time for the summary
took() {
	times="$times$(printf '#   %-40s %5d s' "$1" $(($(now) - $2)))
"
}

# timed NAME COMMAND...: run a host phase and keep its wall time
timed() {
	name=$1
	shift
	t0=$(now)
	"$@"
	r=$?
	took "$name" "$t0"
	return $r
}

t0=$(now)
kver=$(tests/debug/build-kernel.sh) || exit 1
took "kernel (built, or found in the cache)" "$t0"
timed "juris.ko" tests/vm/build-module.sh "$kver" "$B/$kver/src" || exit 1
initramfs=$(tests/vm/stage.sh "$kver") || exit 1
echo "# kernel $kver"
timed "guest: boot, suite, failslab, kmemleak" \
	tests/vm/run-vm.sh "$kver" "$initramfs" "$B/$kver/vm" "$TIMEOUT" \
	juris.run=/juris/tests/guest/kmemleak.sh >"$B/$kver/guest.tap"
rc=$?
tap=$B/$kver/guest.tap
cat "$tap"

passed=$(grep -c '^ok ' "$tap")
failed=$(grep -c '^not ok ' "$tap")
planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$tap" | awk '{ n += $1 } END { print n + 0 }')
# Nothing may be skipped on the debug kernel: a skip means a detector or a
# fault injection point is missing.
skipped=$(grep -c '^ok .*# *SKIP' "$tap")
if [ "$planned" -ne $((passed + failed)) ]; then
	echo "# planned $planned tests, saw $((passed + failed)) results"
	failed=$((failed + 1))
elif [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1
fi
if [ "$skipped" -ne 0 ]; then
	echo "# $skipped tests skipped: nothing may be skipped on the debug kernel"
	passed=$((passed - skipped))
	failed=$((failed + skipped))
fi

echo "# wall time per phase"
printf '%s' "$times"
sed -n 's/^# phase \(.*\): \([0-9]*\) s\(.*\)/#     guest \1: \2 s\3/p' "$tap"
echo "#   total $(($(now) - t_all)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
