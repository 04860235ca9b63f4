#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest side of make check: load juris, run each selftest, TAP out.
cd /juris || exit 1
if ! insmod /juris/juris.ko; then
	echo "Bail out! insmod juris.ko failed"
	exit 1
fi
rc=0
for t in tests/guest/nl_test tests/guest/juris.sh tests/guest/limits.sh \
		tests/guest/load.sh tests/guest/nl_fuzz.sh; do
	echo "# juris-test: $t"
	"./$t"
	r=$?
	echo "# juris-test: $t exit $r"
	[ "$r" -eq 0 ] || rc=1
done
exit $rc
