#!/bin/bash
# Boot KVER with INITRAMFS under QEMU (TCG: KVM is unusable here, and arm64
# is emulated anyway), print the
# guest's TAP stream, and fail on a timeout, any kernel warning or crash on the
# console, a missing completion marker, or a non-zero guest exit code.
# Usage: tests/vm/run-vm.sh KVER INITRAMFS OUTDIR [TIMEOUT_S [KERNEL_ARG...]]
#   e.g. tests/vm/run-vm.sh 6.1.0-56-cloud-amd64 build/vm/6.1.cpio.gz build/vm/6.1 300 juris.run=/juris/tests/guest/demo.sh
#   or juris.tests=load.sh,nl_fuzz.sh: only those of tests/guest/run.sh's tests
# Writes OUTDIR/console.log (kernel console) and OUTDIR/tap.txt (TAP port).
set -eu
. "$(dirname "$0")/targets.sh"

if [ $# -lt 3 ]; then
	echo "usage: $0 KVER INITRAMFS OUTDIR [TIMEOUT_S [KERNEL_ARG...]]" >&2
	exit 2
fi
KVER=$1 INITRAMFS=$2 OUTDIR=$3 TIMEOUT=${4:-300}
shift $(($# < 4 ? $# : 4))
ARCH=$(karch "$KVER")
KERNEL=$(kroot "$KVER")/boot/vmlinuz-$KVER
[ -r "$KERNEL" ] || { echo "run-vm: $KVER: no $KERNEL" >&2; exit 1; }
[ -r "$INITRAMFS" ] || { echo "run-vm: $KVER: no $INITRAMFS" >&2; exit 1; }
mkdir -p "$OUTDIR"
console=$OUTDIR/console.log tap=$OUTDIR/tap.txt
rm -f "$console" "$tap"

# panic_on_warn and oops=panic end the VM at the first kernel problem (so the
# TAP stream stops short); panic=-1 with -no-reboot turns the panic into a QEMU
# exit. loglevel=5 keeps boot chatter out but shows KERN_WARNING and worse.
append="loglevel=5 panic=-1 oops=panic panic_on_warn=1 softlockup_panic=1 hung_task_panic=1 $*"

# The machine has 2 cores shared with others: one VM at a time, also across
# concurrent make jobs.
exec 9>"${TMPDIR:-/tmp}/juris-qemu.lock"
flock 9

case $ARCH in
amd64)
	# -cpu max: the default qemu64 lacks SSE4.2 etc., so crc32c-intel
	# would not load. thread=single: with one host thread per vCPU, the
	# kernel's live code patching (int3 breakpoints while text is
	# rewritten) raced and oopsed at boot now and then; two vCPUs on one
	# thread keep per-CPU paths exercised.
	qemu="qemu-system-x86_64 -accel tcg,thread=single -cpu max"
	ports=(-serial "file:$console" -serial "file:$tap")
	append="console=ttyS0 $append juris.tap=ttyS1"
	;;
arm64)
	# cortex-a57: -cpu max emulates pointer authentication, which makes
	# TCG several times slower. virt has a single UART (the console), so
	# the TAP stream takes a virtio console.
	qemu="qemu-system-aarch64 -accel tcg -M virt -cpu cortex-a57"
	ports=(-serial "file:$console" -chardev "file,id=tap,path=$tap"
	       -device virtio-serial-device -device virtconsole,chardev=tap)
	append="console=ttyAMA0 $append juris.tap=hvc0"
	;;
esac

start=$(date +%s%N)
qrc=0
# shellcheck disable=SC2086 # $qemu is a command line
timeout -k 10 "$TIMEOUT" $qemu -smp 2 -m 1024 \
	-nographic -monitor none -no-reboot -nic none \
	-kernel "$KERNEL" -initrd "$INITRAMFS" -append "$append" \
	"${ports[@]}" </dev/null || qrc=$?
exec 9>&-
elapsed=$((($(date +%s%N) - start) / 1000000))
touch "$console" "$tap"

sed -e 's/\r$//' -e '/^JURIS-GUEST-DONE rc=/d' "$tap"

fail() {
	echo "run-vm: $KVER: FAIL: $1 (after $((elapsed / 1000)).$((elapsed % 1000 / 100)) s; see $console)" >&2
	exit 1
}

# Lockdep, KASAN, debugobjects and sleep-in-atomic reports start with
# WARNING: or BUG:; the debug kernel's (tests/debug) other reports are named.
pattern='WARNING:|BUG:|Oops|Kernel panic|rcu: INFO|self-detected stall|general protection fault|UBSAN:|KASAN:|suspected memory leak|Call Trace:|blocked for more than'
pattern="$pattern|possible circular locking|ODEBUG:|INFO: trying to register non-static key|turning off the locking correctness validator"
first=$(grep -n -a -E "$pattern" "$console" | head -n1 | cut -d: -f1)
if [ -n "$first" ]; then
	# The matching line and what follows it: usually the whole backtrace.
	sed -n "$first,$((first + 40))p" "$console" | sed 's/\r$//; s/^/  console: /' >&2
fi
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	[ -n "$first" ] || tail -n 15 "$console" | sed 's/\r$//; s/^/  console: /' >&2
	fail "timed out after $TIMEOUT s"
fi
[ -z "$first" ] || fail "kernel problem on the console: $(sed -n "${first}p" "$console" | tr -d '\r')"
[ "$qrc" -eq 0 ] || fail "qemu exited with status $qrc"

rc=$(sed -n 's/^JURIS-GUEST-DONE rc=\([0-9]*\).*/\1/p' "$tap" | tail -n1)
if [ -z "$rc" ]; then
	tail -n 15 "$console" | sed 's/\r$//; s/^/  console: /' >&2
	fail "guest never reported completion (JURIS-GUEST-DONE missing)"
fi
[ "$rc" -eq 0 ] || fail "guest test script exited with rc=$rc"
echo "run-vm: $KVER: ok in $((elapsed / 1000)).$((elapsed % 1000 / 100)) s" >&2
