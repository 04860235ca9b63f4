#!/bin/bash
# Print the kernel releases the VM tests boot, one per line: the newest
# installed 6.1.x and 6.12.x cloud-amd64 kernels that have both an image (to
# boot) and a build tree (to compile the module against).
# Usage: tests/vm/kernels.sh
set -eu

newest() {
	local v best=
	# shellcheck disable=SC2086 # $1 is a glob
	for v in $(printf '%s\n' /boot/vmlinuz-$1-cloud-amd64 | sed 's|^/boot/vmlinuz-||' | sort -V); do
		if [ -d "/lib/modules/$v/build" ]; then best=$v; fi
	done
	if [ -z "$best" ]; then
		echo "kernels.sh: no $1-cloud-amd64 kernel with /boot/vmlinuz and /lib/modules/*/build (run tests/vm/install-deps.sh)" >&2
		return 1
	fi
	echo "$best"
}

# 6.1.* cannot match 6.12.*: the glob needs a literal "6.1." prefix.
newest '6.1.*'
newest '6.12.*'
