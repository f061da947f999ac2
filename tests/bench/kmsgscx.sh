#!/bin/sh
# kmsgscx: events per second from a large generated dmesg log (hundreds of
# MB, an enable + stall exit with message and 6 frames every ~200 lines)
# next to a grep | awk pipeline that pulls the same lines and counts the
# same events; peak RSS on a small and a large log (the window is
# streamed, so memory must not grow with the log).  Figures only.
# Environment from tests/bench/run.sh: KTBOX, BENCH, RUSAGE.
set -u
: "${KTBOX:?}"
BENCH=${BENCH:-$(mktemp -d)}
if [ -z "${RUSAGE:-}" ]; then
	RUSAGE=$BENCH/rusage
	gcc -O2 -o "$RUSAGE" "$(dirname "$0")/rusage.c" || exit 1
fi
MB=${KMSGSCX_BENCH_MB:-300}
LOG=$BENCH/kmsgscx_big.log
SMALL=$BENCH/kmsgscx_small.log
export LC_ALL=C

# One block: 200 noise lines, then one scheduler's enable and stall exit.
gen() {	# MB FILE
	awk -v mb="$1" 'BEGIN {
		t = 1.0; b = 0; lim = mb * 1048576
		while (b < lim) {
			for (i = 0; i < 200; i++) {
				l = sprintf("[%12.6f] usb 1-%d: new high-speed USB device number %d using xhci_hcd", t, i % 7, i)
				print l; b += length(l) + 1; t += 0.000123
			}
			n = "sched" (b % 97)
			l = sprintf("[%12.6f] sched_ext: BPF scheduler \"%s\" enabled", t, n); print l; b += length(l) + 1
			l = sprintf("[%12.6f] sched_ext: BPF scheduler \"%s\" disabled (runnable task stall)", t, n); print l; b += length(l) + 1
			l = sprintf("[%12.6f] sched_ext: %s: kworker/31:1[311] failed to run for 13.736s", t, n); print l; b += length(l) + 1
			split("scx_watchdog_workfn+0x154/0x1e0 process_one_work+0x18e/0x350 worker_thread+0x2fa/0x490 kthread+0xd2/0x100 ret_from_fork+0x34/0x50 ret_from_fork_asm+0x1a/0x30", f, " ")
			for (i = 1; i <= 6; i++) {
				l = sprintf("[%12.6f]    %s", t, f[i]); print l; b += length(l) + 1
			}
		}
	}' >"$2"
}

[ -s "$LOG" ] && [ "$(du -m "$LOG" | cut -f1)" -ge "$MB" ] || gen "$MB" "$LOG"
gen 10 "$SMALL"
size=$(stat -L -c %s "$LOG")
mib=$(awk -v s="$size" 'BEGIN { printf "%.0f", s / 1048576 }')

# the same events by a pipeline: the sched_ext lines and the 3-space frames
pipeline() {
	grep -E 'sched_ext: |^\[[ 0-9.]+\]    [A-Za-z0-9_.$]+\+0x[0-9a-f]+/0x[0-9a-f]+' "$1" |
		awk '/sched_ext: BPF scheduler ".*" (enabled|disabled)/ { n++ }
		     / sched_ext: [A-Za-z0-9_.]+: / { m++ }
		     /\+0x/ { f++ }
		     END { print n, m, f }'
}

events=$("$KTBOX" kmsgscx -j -f "$LOG" | grep -o '"event":"' | wc -l)
frames=$("$KTBOX" kmsgscx -j -f "$LOG" | grep -o '"offset":' | wc -l)
pl=$(pipeline "$LOG")
echo "log: $mib MiB, $(wc -l <"$LOG") lines; kmsgscx: $events events, $frames frames;" \
	"pipeline: $(echo "$pl" | awk '{ print $1 " enable/disabled lines, " $2 " messages, " $3 " frames" }')"

# median of 5 by cpu time: "wall_s cpu_s maxrss_kib" (cpu = user + sys,
# children included, so a pipeline counts every process; from the rusage
# helper, in microseconds: time(1)'s 10 ms steps were a tenth of a run)
meas() {
	: >"$BENCH/meas.all"
	for i in 1 2 3 4 5; do
		"$RUSAGE" 1 "$@" | awk '{ printf "%.4f %.4f %d\n", $1 / 1e6, $3 / 1e6, $2 }' >>"$BENCH/meas.all"
	done
	sort -n -k2 "$BENCH/meas.all" | sed -n 3p
}
cat >"$BENCH/pipeline.sh" <<EOF
#!/bin/sh
export LC_ALL=C
grep -E 'sched_ext: |^\[[ 0-9.]+\]    [A-Za-z0-9_.\$]+\+0x[0-9a-f]+/0x[0-9a-f]+' "\$1" |
	awk '/sched_ext: BPF scheduler ".*" (enabled|disabled)/ { n++ } / sched_ext: [A-Za-z0-9_.]+: / { m++ } /\+0x/ { f++ } END { print n, m, f }'
EOF
kt=$(meas "$KTBOX" kmsgscx -j -f "$LOG" -o "$BENCH/kmsgscx.json")
kth=$(meas "$KTBOX" kmsgscx -f "$LOG" -o "$BENCH/kmsgscx.txt")
ks=$(meas "$KTBOX" kmsgscx -j -f "$SMALL" -o "$BENCH/kmsgscx_small.json")
pl=$(meas sh "$BENCH/pipeline.sh" "$LOG")
wcl=$(meas wc -l "$LOG")

row() {	# LABEL "wall cpu rss" EVENTS
	echo "$2" | awk -v l="$1" -v ev="$3" -v mib="$mib" '{
		c = $2 > 0 ? $2 : 1e-3
		printf "  %-40s %6.0f ms wall %6.0f ms cpu %6.1f MiB/s", l, $1 * 1000, $2 * 1000, mib / c
		if (ev > 0) printf " %7.0f events/s", ev / c
		printf "  rss %5d KiB\n", $3 }'
}
echo "(2 vCPUs shared with other jobs: wall is noisy; median of 5 by cpu; rates are per cpu second = user + sys; $(uptime | sed 's/.*load/load/'))"
row "ktbox kmsgscx -j -f LOG (JSON events)" "$kt" "$events"
row "ktbox kmsgscx -f LOG (human)" "$kth" "$events"
row "grep -E | awk (same lines, counts only)" "$pl" "$events"
row "wc -l LOG (one pass: the floor)" "$wcl" 0
echo "$kt $kth $pl" | awk -v mib="$mib" '{
	printf "  kmsgscx vs grep|awk (cpu): -j %.1fx, human %.1fx\n", $8 / $2, $8 / $5 }'
echo "$kt $ks" | awk -v mib="$mib" \
	'{ printf "  peak RSS kmsgscx: %d KiB on %d MiB, %d KiB on 10 MiB (streamed, bounded)\n", $3, mib, $6 }'
