#!/bin/bash
# The qemu runner itself: the guest's exit status comes back, a kernel panic
# and a hung guest are detected and reported as such (short boots).
. "$(dirname "$0")/boot.sh"
if [ ! -f "$VM_KERNEL_IMG" ] || [ ! -f "$VM_IMAGE" ]; then
	echo "1..0 # skip no guest kernel or image (make vm-kernel vm-image)"
	exit 0
fi
n=0
run() { sh "$TOP/tests/vm/qemu-run.sh" -q -k "$VM_KERNEL_IMG" -i "$VM_IMAGE" "$@" 2>"$BUILD/vm/logs/runner.err"; }
is() { if [ "$1" = "$2" ]; then echo "ok $((n += 1)) - $3"; else
	echo "not ok $((n += 1)) - $3 (got $1, want $2)"; sed 's/^/# /' "$BUILD/vm/logs/runner.err"; fi; }
mkdir -p "$BUILD/vm/logs"

run -r /bin/true -s 1 -t 120
is $? 0 "guest script exit 0 -> runner exit 0"
run -r /bin/false -s 1 -t 120
is $? 1 "guest script exit 1 -> runner exit 1"
run -r /tests/no-such-script -s 1 -t 120
is $? 127 "missing guest script -> exit 127 from init"
run -s 1 -t 120 -a "rdinit=/no-such-init" -l "$BUILD/vm/logs/panic.log"
is $? 125 "kernel panic (no init) -> runner exit 125, qemu ends at once (panic=-1, -no-reboot)"
grep -q "qemu-run: kernel panic" "$BUILD/vm/logs/runner.err"
is $? 0 "panic: the runner says so"
start=$(date +%s)
run -r /tests/hang.sh -s 1 -t 12
is $? 124 "hung guest -> runner exit 124 at the hard timeout"
is "$(( $(date +%s) - start < 25 ))" 1 "hung guest: stopped within the timeout (+ kill grace)"
echo "1..$n"
