#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest side of make check: load juris, run each selftest, TAP out.
# JURIS_TESTS (from juris.tests=a,b on the kernel command line) picks some.
cd /juris || exit 1
if ! insmod /juris/juris.ko; then
	echo "Bail out! insmod juris.ko failed"
	exit 1
fi
rc=0
for t in ${JURIS_TESTS:-nl_test juris.sh policy.sh events.sh digest.sh limits.sh load.sh nl_fuzz.sh}; do
	t=tests/guest/$t
	echo "# juris-test: $t"
	"./$t"
	r=$?
	echo "# juris-test: $t exit $r"
	[ "$r" -eq 0 ] || rc=1
done
exit $rc
