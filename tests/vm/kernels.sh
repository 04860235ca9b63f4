#!/bin/bash
# Print the kernel releases the VM tests boot, one per line: the newest
# installed 6.1.x and 6.12.x cloud kernels of each architecture asked for
# (default: amd64 and arm64) that have both an image and a build tree.
# Usage: tests/vm/kernels.sh [ARCH...]
set -eu
. "$(dirname "$0")/targets.sh"

[ $# -gt 0 ] || set -- amd64 arm64
for arch in "$@"; do
	kernels_of "$arch"
done
