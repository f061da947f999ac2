#!/bin/sh
# capture: what arming costs the system under test, and what a bundle is.
#  1. ops/s of `perf bench sched pipe` with nothing, with `capture arm`
#     (every part: kernel log, counters, --maps all, the timeline's flight
#     recorder), and with `perf sched record`; rounds interleaved, medians.
#  2. `capture now` on this host: wall time, peak RSS, bundle size.
#  3. In the test guest (one TCG boot, tests/vm/guest/capbench.sh): for the
#     test scheduler failing under `capture run` (error, stall) and under
#     `capture arm` (armed before it starts): exit-to-bundle time, the
#     reaction (kernel log's "enabled" -> fds held -> symbols read), peak
#     RSS, bundle size; medians of CAPTURE_VM_ROUNDS (3) runs per mode.
# Figures only, never pass/fail.  Needs root and perf for part 1, the guest
# kernel and qemu for part 3 (CAPTURE_VM=0 skips it).
set -u
: "${KTBOX:?}" "${TOP:?}" "${BUILD:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
LOOPS=${CAPTURE_BENCH_LOOPS:-200000}
ROUNDS=${CAPTURE_BENCH_ROUNDS:-3}

ops() { perf bench sched pipe -l "$LOOPS" 2>/dev/null | awk '/ops\/sec/ { print $1 }'; }
start() {
	case $1 in
	none) TP= ;;
	capture_arm) rm -rf "$T/arm"; "$KTBOX" capture arm -o "$T/arm" --maps all 2>"$T/arm.err" & TP=$! ;;
	perf_sched) perf sched record -q -o "$T/perf.data" >/dev/null 2>&1 & TP=$! ;;
	esac
	[ -n "$TP" ] && sleep 2
}
stop() {
	[ -n "$TP" ] || return 0
	kill -INT "$TP" 2>/dev/null
	wait "$TP" 2>/dev/null
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

if [ "$(id -u)" = 0 ] && command -v perf >/dev/null 2>&1; then
	modes="none capture_arm perf_sched"
	for r in $(seq "$ROUNDS"); do
		for m in $modes; do
			start $m
			echo "$(ops)" >>"$T/ops.$m"
			stop
		done
	done
	base=$(median <"$T/ops.none")
	echo "perf bench sched pipe -l $LOOPS, median of $ROUNDS rounds (2 CPUs shared, noisy):"
	printf '  %-28s %10s %9s\n' "while" ops/s overhead
	for m in $modes; do
		v=$(median <"$T/ops.$m")
		printf '  %-28s %10s %8s%%\n' "$m" "$v" \
			"$(awk -v b="$base" -v v="$v" 'BEGIN { printf "%+.1f", (b / v - 1) * 100 }')"
	done
	echo "  overhead = base ops/s / ops/s while armed - 1"
else
	echo "arming overhead: skipped (needs root and perf)"
fi

if [ "$(id -u)" = 0 ]; then
	/usr/bin/time -f '%e %M' -o "$T/now.time" "$KTBOX" capture now -o "$T/now" -d 1 2>/dev/null
	read -r wall rss <"$T/now.time"
	echo "capture now -d 1 (1 s of timeline): $wall s wall, peak RSS $rss KiB," \
		"bundle $(du -sk "$T/now" | cut -f1) KiB"
	/usr/bin/time -f '%e %M' -o "$T/now2.time" "$KTBOX" capture now -o "$T/now2.tar.gz" --no-timeline 2>/dev/null
	read -r wall rss <"$T/now2.time"
	echo "capture now --no-timeline -o .tar.gz: $wall s wall, peak RSS $rss KiB," \
		"$(($(stat -c %s "$T/now2.tar.gz") / 1024)) KiB"
fi

# ---- 3. in the guest ---------------------------------------------------------
vm_part() {
	kernel=$BUILD/vm/kernel/vmlinuz image=$BUILD/vm/guest.cpio.gz
	rounds=${CAPTURE_VM_ROUNDS:-3}
	if [ "${CAPTURE_VM:-1}" = 0 ]; then
		echo "guest: skipped (CAPTURE_VM=0)"
		return
	fi
	if ! command -v qemu-system-x86_64 >/dev/null ||
		! make -s -C "$TOP" vm-kernel vm-image >/dev/null 2>&1; then
		echo "guest: skipped (no qemu-system-x86_64, or the guest cannot be built: make vm-image)"
		return
	fi
	sh "$TOP/tests/vm/qemu-run.sh" -A tcg -k "$kernel" -i "$image" -r /tests/capbench.sh -s 2 \
		-t $((240 * rounds)) -a "ktbox.rounds=$rounds" -l "$T/vm.log" -q 2>"$T/vm.runner"
	grep -a '^CAPBENCH ' "$T/vm.log" | tr -d '\r' >"$T/cap.lines"
	if [ ! -s "$T/cap.lines" ]; then
		echo "guest: no figures (runner: $(tail -n 1 "$T/vm.runner"))"
		return
	fi
	echo
	echo "in the guest (TCG, -smp 2, $(sed -n 's/^qemu-run: //p' "$T/vm.runner" | head -n 1)), medians of $rounds runs (min..max); host load: $(uptime | sed 's/.*average: //')"
	awk '
	function med(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n ? sprintf("%.0f (%.0f..%.0f)", a[int((n + 1) / 2)], a[1], a[n]) : "-"
	}
	{
		m = ""; delete kv
		for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = p[2] }
		m = kv["mode"]; if (!(m in seen)) { seen[m] = 1; order[++nm] = m }
		for (k in kv) if (kv[k] ~ /^-?[0-9.]+$/) { n[m, k]++; v[m, k, n[m, k]] = kv[k] + 0 }
		if (kv["kallsyms"] != "ok") bad[m]++
		runs[m]++; by[m] = by[m] " " kv["seen_by"]
	}
	END {
		printf "  %-10s %-22s %-22s %-22s %-16s %-16s %s\n", "mode", "exit->bundle ms", "enable->fds ms", "enable->symbols ms", "peak RSS KiB", "bundle KiB", "tar.gz KiB"
		for (o = 1; o <= nm; o++) {
			m = order[o]
			split("", a); c = n[m, "exit_to_bundle_ms"]; for (i = 1; i <= c; i++) a[i] = v[m, "exit_to_bundle_ms", i]; e2b = med(a, c)
			split("", a); c = n[m, "enable_to_fds_ms"]; for (i = 1; i <= c; i++) a[i] = v[m, "enable_to_fds_ms", i]; e2f = med(a, c)
			split("", a); c = n[m, "enable_to_symbols_ms"]; for (i = 1; i <= c; i++) a[i] = v[m, "enable_to_symbols_ms", i]; e2s = med(a, c)
			split("", a); c = n[m, "peak_rss_kib"]; for (i = 1; i <= c; i++) a[i] = v[m, "peak_rss_kib", i]; rss = med(a, c)
			split("", a); c = n[m, "bundle_kib"]; for (i = 1; i <= c; i++) a[i] = v[m, "bundle_kib", i]; bk = med(a, c)
			split("", a); c = n[m, "tgz_bytes"]; for (i = 1; i <= c; i++) a[i] = v[m, "tgz_bytes", i] / 1024; tk = med(a, c)
			printf "  %-10s %-22s %-22s %-22s %-16s %-16s %s\n", m, e2b, e2f, e2s, rss, bk, tk
			printf "  %-10s enable seen by:%s; kallsyms not ok in %d of %d runs\n", "", by[m], bad[m], runs[m]
		}
	}' "$T/cap.lines"
	echo "  (enable = the kernel log's \"BPF scheduler ... enabled\" record, related to CLOCK_MONOTONIC"
	echo "   through the debugfs scheduler header; run mode holds the programs as they load, before it)"
	echo "  peer: ktstr writes its failure dump inside its own VMM (no equivalent to run in this guest)"
}
vm_part
