#!/bin/sh
# capture: what arming costs the system under test, and what a bundle is.
#  1. ops/s of `perf bench sched pipe` with nothing, with `capture arm`
#     (every part: kernel log, counters, --maps all, the timeline's flight
#     recorder), and with `perf sched record`; rounds interleaved, medians.
#  2. `capture now` on this host: wall time, peak RSS, bundle size.
# The guest's exit-to-bundle time is in the VM suite's diagnostics
# (tests/vm/guest/checks.sh, check_capture).  Figures only, never
# pass/fail.  Needs root and perf for part 1.
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
