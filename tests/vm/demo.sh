#!/bin/bash
# make demo: boot the sched_ext guest, make the test scheduler fail, and
# show what ktbox captured there.  Everything it needs is built by make
# (see tests/vm/vm.mk).   Usage: tests/vm/demo.sh BUILD_DIR
set -eo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-$top/build}
kernel=$B/vm/kernel/vmlinuz image=$B/vm/guest.cpio.gz
if [ -t 1 ]; then bold=$'\033[1m' off=$'\033[0m'; else bold= off=; fi
step() { printf '%s[demo] %s%s\n' "$bold" "$*" "$off"; }

step "kernel: linux $(cat "$B/vm/kernel/release") ($(cat "$B/vm/kernel/version")), CONFIG_SCHED_CLASS_EXT=y"
step "image:  $image ($(stat -c %s "$image") bytes: ktbox $(stat -c %s "$B/ktbox") bytes, busybox, scx_test)"
step "booting the guest under qemu (2 vCPUs; KVM if it works, else TCG) ..."
t0=$(date +%s.%N)
set +e
sh "$top/tests/vm/qemu-run.sh" -k "$kernel" -i "$image" -r /tests/demo.sh -s 2 -t 240 \
	-l "$B/vm/demo.log" -a "ktbox.demo=1" 2>&1 |
	tr -d '\r' | sed -u -n '/KTBOX-BOOTED/,$p' | sed -u -e '/reboot: Power down/d' \
	-e 's/.*KTBOX-BOOTED uptime=\(.*\)/[demo] guest booted: init started \1 s after the kernel/' \
	-e 's/^KTBOX-EXIT rc=\(.*\)/[demo] guest script finished (exit \1)/'
rc=${PIPESTATUS[0]}
set -e
t1=$(date +%s.%N)
step "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s wall time; full console log in $B/vm/demo.log"
exit "$rc"
