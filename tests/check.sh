#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check after the build: the host tests, then the guest selftests in a
# VM per kernel. Counts every TAP result and ends with "N passed, N failed".
# A run that dies (kernel warning, timeout, bad exit) counts as one failure
# more, so it can never pass unnoticed.
set -u
cd "$(dirname "$0")/.."
B=build
passed=0
failed=0

# tally NAME TAPFILE EXIT: add a run's results to the totals
tally() {
	p=$(grep -c '^ok ' "$2")
	f=$(grep -c '^not ok ' "$2")
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	echo "# $1: $p passed, $f failed"
	passed=$((passed + p))
	failed=$((failed + f))
}

for t in core_test csv_test; do
	"$B/host/$t" >"$B/host/$t.tap" 2>&1
	rc=$?
	cat "$B/host/$t.tap"
	tally "host $t" "$B/host/$t.tap" $rc
done

for k in $(tests/vm/kernels.sh); do
	initramfs=$(tests/vm/stage.sh "$k") || exit 1
	echo "# kernel $k"
	tests/vm/run-vm.sh "$k" "$initramfs" "$B/$k/vm" 600 >"$B/$k/guest.tap"
	rc=$?
	cat "$B/$k/guest.tap"
	tally "guest $k" "$B/$k/guest.tap" $rc
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
