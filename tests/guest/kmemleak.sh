#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest side of make check-debug: the whole guest suite (run.sh), then
# the failslab pass (failslab.sh), between a kmemleak clear and a kmemleak
# scan; then juris is unloaded and memory scanned again, and the detectors
# must still be armed (a lockdep splat turns lockdep off for good).
# tests/debug/check-debug.sh boots with juris.run=/juris/tests/guest/kmemleak.sh.
# Each phase prints its own TAP plan; this script adds one of its own, skips
# what the kernel lacks (check-debug.sh fails on any skip) and prints each
# phase's wall time as a "# phase" comment.

. "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)

# phase NAME COMMAND...: run a phase, its TAP passing through, and time it
phase() {
	name=$1
	shift
	t0=$(date +%s)
	"$@"
	r=$?
	echo "# phase $name: $(($(date +%s) - t0)) s, exit $r"
	return $r
}

rc=0
have_kmemleak=0
if [ -w "$KMEMLEAK" ]; then
	have_kmemleak=1
	# What boot left behind is not ours: have it reported, then forget it.
	t0=$(date +%s)
	kmemleak_scan >/tmp/kmemleak.boot && echo clear >"$KMEMLEAK" || rc=1
	echo "# phase kmemleak clear: $(($(date +%s) - t0)) s," \
		"$(grep -c '^unreferenced object' /tmp/kmemleak.boot) objects from boot forgotten"
fi
phase "run.sh" "$HERE/run.sh" || rc=1
phase "failslab.sh" "$HERE/failslab.sh" || rc=1

# This script's own results, after the phases' TAP.
plan 4
[ -d /sys/module/juris ] || insmod /juris/juris.ko
if [ "$have_kmemleak" = 1 ]; then
	t0=$(date +%s)
	no_leaks "kmemleak: no leak after the suite and the failslab pass, juris loaded"
	check "juris unloads" rmmod juris
	no_leaks "kmemleak: no leak after juris is unloaded"
	echo "# phase kmemleak scans: $(($(date +%s) - t0)) s"
else
	ntest=1
	echo "ok 1 - kmemleak: no leak, juris loaded # SKIP no $KMEMLEAK"
	check "juris unloads" rmmod juris
	ntest=3
	echo "ok 3 - kmemleak: no leak, juris unloaded # SKIP no $KMEMLEAK"
fi
if [ -r /proc/lockdep_stats ]; then
	expect "lockdep is still on (no splat turned it off)" 1 \
		sh -c "sed -n 's/^ *debug_locks: *//p' /proc/lockdep_stats"
else
	ntest=$((ntest + 1))
	echo "ok $ntest - lockdep is still on # SKIP no /proc/lockdep_stats"
fi
finish || rc=1
exit $rc
