#!/bin/sh
# VM figures: guest image size (cpio.gz) and the time from qemu start to the
# first applet output on the serial console (TCG; KVM too when it works here).
# Figures only.  Environment from make bench: KTBOX, BUILD, TOP.
set -u
: "${KTBOX:?}" "${BUILD:?}" "${TOP:?}"
RUNS=${VM_BENCH_RUNS:-3}
make -s -C "$TOP" vm-kernel vm-image >/dev/null || { echo "vm: cannot build the guest (make vm-image)"; exit 1; }
kernel=$BUILD/vm/kernel/vmlinuz image=$BUILD/vm/guest.cpio.gz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- sizes ----------------------------------------------------------------
"$BUILD/mkinitramfs" -k "$KTBOX" -o "$tmp/ktbox-only.cpio.gz"
"$BUILD/mkinitramfs" -k "$KTBOX" --no-compress -o "$tmp/ktbox-only.cpio"
gzip -dc "$image" >"$tmp/guest.cpio"
printf '%-44s %10s %10s\n' "image" "cpio" "cpio.gz"
printf '%-44s %10d %10d\n' "ktbox only (/bin/ktbox + applet links + dirs)" \
	"$(stat -c %s "$tmp/ktbox-only.cpio")" "$(stat -c %s "$tmp/ktbox-only.cpio.gz")"
printf '%-44s %10d %10d\n' "VM suite guest (+ busybox, scx_test, scripts)" \
	"$(stat -c %s "$tmp/guest.cpio")" "$(stat -c %s "$image")"
printf '%-44s %10d\n' "  of which ktbox (stripped)" "$(stat -c %s "$KTBOX")"
printf '%-44s %10d\n' "  of which busybox (busybox-static)" "$(stat -c %s "$BUILD/vm/kernel/busybox")"
printf '%-44s %10d\n' "  of which scx_test (static, libbpf)" "$(stat -c %s "$BUILD/vm/sched/scx_test")"
printf '%-44s %10d\n' "kernel vmlinuz ($(cat "$BUILD/vm/kernel/release"))" "$(stat -c %s "$kernel")"

# ---- boot to first applet output -----------------------------------------
# Seconds from qemu start until hostctx's first line (or its stub message)
# shows on the console, and the guest uptime when init started.
boot_once() {
	sh "$TOP/tests/vm/qemu-run.sh" -A "$1" -k "$kernel" -i "$image" -r /tests/bench.sh -t 120 \
		2>"$tmp/runner" | perl -MTime::HiRes=time -ne '
		BEGIN { $t0 = time; $| = 1 }
		s/\r//g;
		if (!$b && /KTBOX-BOOTED uptime=([0-9.]+)/) { $b = $1 }
		if (!$f && /^(kernel_name:|hostctx:)/) { $f = time - $t0 }
		END { printf "%.2f %s\n", $f // -1, $b // -1 }'
}
echo
for accel in tcg kvm; do
	if [ $accel = kvm ]; then
		sh "$TOP/tests/vm/qemu-run.sh" -A auto -k "$kernel" -i "$image" -r /tests/bench.sh \
			-q -t 60 2>"$tmp/runner" >/dev/null
		if ! grep -q 'accel=kvm' "$tmp/runner"; then
			echo "kvm: not usable on this machine (qemu cannot start a KVM vCPU): TCG only"
			continue
		fi
	fi
	i=0 all=
	while [ $i -lt "$RUNS" ]; do
		all="$all $(boot_once $accel)"
		i=$((i + 1))
	done
	echo "$all" | awk -v a=$accel -v n="$RUNS" '{
		for (i = 1; i <= NF; i += 2) { f[++k] = $i; u[k] = $(i + 1); sf += $i; su += $(i + 1) }
		printf "%s: qemu start -> first applet output: %.2f s (mean of %d:", a, sf / k, n
		for (i = 1; i <= k; i++) printf " %.2f", f[i]
		printf "); guest init started at %.2f s uptime\n", su / k }'
done
