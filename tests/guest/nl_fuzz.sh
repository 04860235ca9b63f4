#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The netlink fuzzer (nl_fuzz.c) as root in a namespace of its own, as an
# unprivileged uid, and as root of a fresh user namespace with its own
# netns: 200,000 messages in all. Afterwards the module must still work,
# and the namespace it ran in must free everything it held. The console
# check of run-vm.sh fails the run on any WARNING, BUG or Oops.
# FUZZ_SEED repeats a run; FUZZ_MESSAGES scales it.

. "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
FUZZ=$HERE/nl_fuzz
N=${FUZZ_MESSAGES:-200000}
SEED=${FUZZ_SEED:-$(od -An -tu4 -N4 /dev/urandom | tr -d ' ')}

trap cleanup_ns EXIT

generation() {
	"$@" status --json | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'
}

# fuzz NAME COMMAND...: one fuzzer run as one test, its counts as diagnostics
fuzz() {
	name=$1
	shift
	if "$@" >/tmp/fuzz.out 2>&1; then
		echo "# $name: $(cat /tmp/fuzz.out)"
		result "$name: the fuzzer ran to the end" 0 /dev/null
	else
		result "$name: the fuzzer ran to the end" 1 /tmp/fuzz.out
	fi
}

plan 8
echo "# seed $SEED"
gen=$(generation "$JURIS")
sleep 1
before=$(kmem)
setup_ns fz
fuzz "root, own netns, $((N / 2)) messages" in_ns "$fz" "$FUZZ" $((N / 2)) "$SEED"
fuzz "uid 65534, $((N / 4)) messages" in_ns "$fz" "$FUZZ" $((N / 4)) "$((SEED + 1))" --uid 65534
fuzz "root of a new user namespace, $((N / 4)) messages" \
	"$FUZZ" $((N / 4)) "$((SEED + 2))" --uid 65534 --userns

# The namespace the root fuzzer ran in still works, once a policy file
# (from standard input) replaces whatever rules the fuzzer left there.
check "afterwards a table loads" in_ns "$fz" "$JURIS" table load "$HERE/fixture.csv"
check "and a policy file applies" sh -c "printf 'mode enforce\nallow IN SG\nunknown deny\n' |
	$IP netns exec $fz $JURIS apply -"
expect "and lookups give its verdicts" "deny allow" sh -c "
	$IP netns exec $fz $JURIS lookup 203.0.113.1 --json | sed -n 's/.*\"verdict\":\"\([a-z]*\)\".*/\1/p' | tr '\n' ' '
	$IP netns exec $fz $JURIS lookup 192.0.2.1 --json | sed -n 's/.*\"verdict\":\"\([a-z]*\)\".*/\1/p'"
cleanup_ns
no_kmem_left "the fuzzed namespaces leave no memory behind" "$before"
expect "the init namespace's table stays" "$gen" generation "$JURIS"

finish
