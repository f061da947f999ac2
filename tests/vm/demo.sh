#!/bin/bash
# make demo: boot the sched_ext guest, make the test scheduler fail, and
# show what ktbox captured there.  Everything it needs is built by make
# (see tests/vm/vm.mk).   Usage: tests/vm/demo.sh BUILD_DIR
# KTBOX_DEMO_MODES=error,stall,exit,normal picks the bundles captured
# (default error,stall; make report-golden-vm takes all four).
#
# The bundles come out of the guest through a second serial port (ttyS1,
# qemu-run.sh -o) written to a file: the guest's 8250 driver is built in
# (virtio-blk is a module this initramfs does not carry), a raw tty copies
# bytes unchanged, and the guest announces each file's offset, size and
# sha256 on the console, so the host cuts it out and checks it.
set -eo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-$top/build}
kernel=$B/vm/kernel/vmlinuz image=$B/vm/guest.cpio.gz
D=$B/vm/demo stream=$B/vm/demo/serial.out
if [ -t 1 ]; then bold=$'\033[1m' off=$'\033[0m'; else bold= off=; fi
step() { printf '%s[demo] %s%s\n' "$bold" "$*" "$off"; }

step "kernel: linux $(cat "$B/vm/kernel/release") ($(cat "$B/vm/kernel/version")), CONFIG_SCHED_CLASS_EXT=y"
step "image:  $image ($(stat -c %s "$image") bytes: ktbox $(stat -c %s "$B/ktbox") bytes, busybox, scx_test)"
step "booting the guest under qemu (2 vCPUs; KVM if it works, else TCG) ..."
rm -rf "$D" && mkdir -p "$D"
t0=$(date +%s.%N)
set +e
sh "$top/tests/vm/qemu-run.sh" -k "$kernel" -i "$image" -r /tests/demo.sh -s 2 -t 240 \
	-l "$B/vm/demo.log" -o "$stream" -a "ktbox.demo=1 ktbox.out=/dev/ttyS1${KTBOX_DEMO_MODES:+ ktbox.modes=$KTBOX_DEMO_MODES}" 2>&1 |
	tr -d '\r' | sed -u -n '/KTBOX-BOOTED/,$p' | sed -u -e '/reboot: Power down/d' \
	-e 's/.*KTBOX-BOOTED uptime=\(.*\)/[demo] guest booted: init started \1 s after the kernel/' \
	-e 's/^KTBOX-FILE name=\([^ ]*\) .*size=\([0-9]*\).*/[demo] guest streamed \1 (\2 bytes) out on ttyS1/' \
	-e 's/^KTBOX-EXIT rc=\(.*\)/[demo] guest script finished (exit \1)/'
rc=${PIPESTATUS[0]}
set -e
t1=$(date +%s.%N)
step "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s wall time; full console log in $B/vm/demo.log"

# cut each announced file out of the stream and check it byte for byte
n=0
while read -r name at size sum; do
	f=$D/$name
	dd if="$stream" of="$f" iflag=skip_bytes,count_bytes skip="$at" count="$size" status=none
	got=$(sha256sum "$f" | cut -d' ' -f1)
	if [ "$got" != "$sum" ] || [ "$(stat -c %s "$f")" != "$size" ]; then
		step "$name: copy-out FAILED: $(stat -c %s "$f") bytes, sha256 $got; the guest had $size bytes, $sum"
		rc=1
		continue
	fi
	step "$name: copied out of the guest, $size bytes, sha256 $sum (matches the guest's)"
	n=$((n + 1))
done < <(tr -d '\r' <"$B/vm/demo.log" |
	sed -n 's/^KTBOX-FILE name=\([^ ]*\) offset=\([0-9]*\) size=\([0-9]*\) sha256=\([0-9a-f]*\)$/\1 \2 \3 \4/p')
[ "$n" -gt 0 ] || { step "no bundle came out of the guest"; exit 1; }

for f in "$D"/bundle-*.tar.gz; do
	base=${f%.tar.gz}
	tar -xzf "$f" -C "$D" # its one top directory: bundle-MODE/
	step "$(basename "$f"): summary.txt (unpacked in $base/)"
	cat "$base/summary.txt"
	"$B/ktbox" capture report --html -o "$base.html" "$f" ||
		{ step "capture report --html failed on $f"; rc=1; }
	[ -f "$base.html" ] && step "HTML report: $base.html ($(stat -c %s "$base.html") bytes)"
done
if [ -f "$D/bundle-error.tar.gz" ]; then
	step "capture report $D/bundle-error.tar.gz (the text report of the scx_bpf_error exit):"
	"$B/ktbox" capture report --width "${COLUMNS:-100}" "$D/bundle-error.tar.gz" || rc=1
fi
step "bundles: $D/bundle-*.tar.gz (unpacked beside them), HTML reports: $D/bundle-*.html"
exit "$rc"
