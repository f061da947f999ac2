#!/bin/sh
# timeline: recording overhead and the readers' throughput.
#  1. ops/s of `perf bench sched pipe` (2 processes ping-ponging) with no
#     tracer, with `timeline record`, with `perf sched record`, with
#     `timeline count` (a BPF program on the same tracepoints that only
#     counts: the floor), and bpftrace when installed; rounds interleaved,
#     medians reported; lost events and bytes per event of the captures;
#     ns per program run of timeline's and the floor's programs (bpf_stats).
#  2. report, export and dump of a synthetic 10 M-event capture: events/s
#     (median of TIMELINE_BENCH_REPS runs), beside the floor (cat of the
#     file) and the peer (perf sched timehist on a perf.data of sched events).
# Figures only, never pass/fail.  Needs root for part 1.
# Environment from tests/bench/run.sh: KTBOX, BUILD, TOP, BENCH, CC.
set -u
: "${KTBOX:?}" "${TOP:?}" "${BUILD:?}"
BENCH=${BENCH:-$BUILD/bench}
CC=${CC:-musl-gcc}
mkdir -p "$BENCH"
T=$(mktemp -d)
# The tracers' output files go to a tmpfs where there is one: on disk, a
# round's perf.data (~100 MiB) or capture was written back 30 s later
# (vm.dirty_expire_centisecs), in the middle of some later round: the
# floor, which always ran after perf, read +16.7 % in one run and +3.8 %
# once the files were off the disk.  Each is removed after its round.
W=$T
if [ -d /dev/shm ] && [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
	W=$(mktemp -d -p /dev/shm) || W=$T
fi
trap 'rm -rf "$T" "$W"' EXIT
LOOPS=${TIMELINE_BENCH_LOOPS:-200000}
ROUNDS=${TIMELINE_BENCH_ROUNDS:-5}
EVENTS=${TIMELINE_BENCH_EVENTS:-10000000}

# both ends on one CPU: no cross-CPU wake-up latency in the figure, the
# tracer's cost per event shows directly (the machine's other load moves
# between rounds: rounds are interleaved and the median taken)
PIN=${TIMELINE_BENCH_CPU:-0}
# Two figures per run: ops/s (wall: moved by whatever else runs on the
# CPU), and CPU time per op of the two bench processes (user + sys from
# their rusage: the tracepoint programs run in their context, so this is
# what tracing costs them, much less moved by other load).
ops() {	# "ops/s cpu_ns_per_op" of one pipe bench run
	/usr/bin/time -o "$T/bt" -f '%U %S' taskset -c "$PIN" \
		perf bench sched pipe -l "$LOOPS" >"$T/bo" 2>/dev/null
	o=$(awk '/ops\/sec/ { print $1 }' "$T/bo")
	c=$(awk -v l="$LOOPS" 'END { printf "%.0f", ($1 + $2) * 1e9 / l }' "$T/bt")
	echo "$o $c"
}

# start a tracer in the background (pid in $TP), let it attach
start() {
	case $1 in
	none) TP= ;;
	timeline) "$KTBOX" timeline record -q -o "$W/tl.cap" 2>"$T/tl.err" & TP=$! ;;
	timeline_b) "$KTBOX_B" timeline record -q -o "$W/tlb.cap" 2>"$T/tlb.err" & TP=$! ;;
	count) "$KTBOX" timeline count >"$T/count.txt" 2>&1 & TP=$! ;;
	perf_sched) perf sched record -q -o "$W/perf.data" >/dev/null 2>&1 & TP=$! ;;
	bpftrace) bpftrace -e 'tracepoint:sched:sched_switch,tracepoint:sched:sched_wakeup,
		tracepoint:sched:sched_wakeup_new,tracepoint:sched:sched_migrate_task
		{ @[probe] = count(); }' >/dev/null 2>&1 & TP=$! ;;
	esac
	[ -n "$TP" ] && sleep 2
}
stop() {
	[ -n "$TP" ] || return 0
	kill -INT "$TP" 2>/dev/null
	wait "$TP" 2>/dev/null
	sync
}
# the modes in round R's order: each round starts one mode later, so no
# mode always follows the same one (a tracer's exit work, perf's above
# all, lands on the round after it)
rotate() {
	r=$1
	shift
	i=$(( (r - 1) % $# ))
	while [ "$i" -gt 0 ]; do
		x=$1
		shift
		set -- "$@" "$x"
		i=$((i - 1))
	done
	echo "$@"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ns per program run (kernel.bpf_stats_enabled: run_time_ns / run_cnt of
# each program), timeline's and the count-only floor's, rounds interleaved.
# The programs are those loaded after the tracer started with its names
# (tl_*, c_*).  The stats themselves cost two clock reads per run, in both.
progs() { bpftool prog show -j 2>/dev/null | perl -MJSON::PP -e 'local $/;
	my $a = decode_json(<STDIN> || "[]"); print "$_->{id} $_->{name} ", $_->{run_cnt} // 0,
	" ", $_->{run_time_ns} // 0, " ", $_->{recursion_misses} // 0, "\n" for @$a'; }
progcost() {
	command -v bpftool >/dev/null 2>&1 || { echo "  ns per program run: bpftool missing"; return; }
	was=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q kernel.bpf_stats_enabled=1
	pm="timeline count"
	[ -n "$KTBOX_B" ] && pm="timeline timeline_b count"
	for r in $(seq "$ROUNDS"); do
		for m in $(rotate "$r" $pm); do
			progs >"$T/before"
			start $m
			ops >/dev/null
			progs >"$T/after"
			stop
			awk -v m=$m -v b="$T/before" 'FILENAME == b { old[$1] = 1; next }
				!($1 in old) && $2 ~ (m == "count" ? "^c_" : "^tl_") && $3 > 0 {
					printf "%s %.1f %d %d\n", $2, $4 / $3, $3, $5 }' \
				"$T/before" "$T/after" >>"$T/prog.$m"
			awk -v m=$m -v b="$T/before" -v l="$LOOPS" 'FILENAME == b { old[$1] = 1; next }
				!($1 in old) && $2 ~ (m == "count" ? "^c_" : "^tl_") { t += $4 }
				END { printf "%.0f\n", t / l }' "$T/before" "$T/after" >>"$T/progop.$m"
		done
	done
	sysctl -q kernel.bpf_stats_enabled="$was"
	echo "BPF ns per pipe op (all programs' run time / loops; bpf_stats), median of $ROUNDS rounds:"
	for m in $pm; do
		printf '  %-12s %6s ns\n' "$m" "$(median <"$T/progop.$m")"
	done
	echo "ns per program run (bpf_stats), median of $ROUNDS rounds; runs and recursion misses of the last:"
	for m in $pm; do
		[ $m = timeline_b ] && echo "  $KTBOX_B:"
		[ $m = count ] && echo "  count-only floor:"
		for p in $(awk '{ print $1 }' "$T/prog.$m" | sort -u); do
			v=$(awk -v p="$p" '$1 == p { print $2 }' "$T/prog.$m" | median)
			awk -v p="$p" -v v="$v" '$1 == p { c = $3; x = $4 } END {
				printf "  %-14s %8s ns  %9d runs  %d recursion misses\n", p, v, c, x }' "$T/prog.$m"
		done
	done
}

if [ "${TIMELINE_BENCH_RECORD:-1}" = 0 ]; then
	echo "recording overhead: skipped (TIMELINE_BENCH_RECORD=0)"
elif [ "$(id -u)" = 0 ] && command -v perf >/dev/null 2>&1; then
	modes="none timeline perf_sched count"
	# TIMELINE_BENCH_KTBOX_B=PATH: another ktbox's timeline record in the same
	# rounds (mode timeline_b), for before/after figures of a change
	KTBOX_B=${TIMELINE_BENCH_KTBOX_B:-}
	[ -n "$KTBOX_B" ] && modes="none timeline timeline_b perf_sched count"
	command -v bpftrace >/dev/null 2>&1 && modes="$modes bpftrace"
	for r in $(seq "$ROUNDS"); do
		for m in $(rotate "$r" $modes); do
			start $m
			set -- $(ops)
			stop
			echo "$1" >>"$T/ops.$m"
			echo "$2" >>"$T/cpu.$m"
			if [ $m = timeline ]; then
				"$KTBOX" timeline info -j "$W/tl.cap" >"$T/tl.info.$r" 2>/dev/null
				stat -c %s "$W/tl.cap" >>"$T/tl.size"
			fi
			rm -f "$W/tl.cap" "$W/tlb.cap"
		done
	done
	base=$(median <"$T/ops.none")
	cbase=$(median <"$T/cpu.none")
	echo "perf bench sched pipe -l $LOOPS on CPU $PIN, median of $ROUNDS interleaved rounds" \
		"(order rotated each round; tracer output on $(stat -f -c %T "$W")):"
	printf '  %-12s %10s %9s %12s %9s\n' tracer ops/s overhead "CPU ns/op" overhead
	for m in $modes; do
		v=$(median <"$T/ops.$m")
		c=$(median <"$T/cpu.$m")
		printf '  %-12s %10s %8s%% %12s %8s%%\n' "$m" "$v" \
			"$(awk -v b="$base" -v v="$v" 'BEGIN { printf "%+.1f", (b / v - 1) * 100 }')" \
			"$c" "$(awk -v b="$cbase" -v v="$c" 'BEGIN { printf "%+.1f", (v / b - 1) * 100 }')"
	done
	command -v bpftrace >/dev/null 2>&1 || echo "  (bpftrace not installed: not measured)"
	for r in $(seq "$ROUNDS"); do
		f="$T/tl.info.$r"
		perl -MJSON::PP -e 'local $/; my $i = decode_json(<STDIN>);
			printf "  timeline round %d: %d records, %d lost\n", $ARGV[0], $i->{records}, $i->{lost}' \
			"$r" <"$f"
	done
	echo "  capture bytes per record: 40 (+ a 512-byte header and a trailer of 56 + 8 per CPU)"
	echo "  overhead: base ops/s / traced ops/s - 1; traced CPU ns/op / base - 1"
	progcost
else
	echo "recording overhead: skipped (needs root and perf)"
fi

# ---- readers on a synthetic 10 M-event capture ----
[ "${TIMELINE_BENCH_READERS:-1}" = 0 ] && exit 0
gen=$BENCH/timeline_gen
$CC -std=gnu11 -O2 -static -D_GNU_SOURCE -I"$TOP/lib" -I"$TOP/bpf" \
	-isystem "$BUILD/sysroot/include" -o "$gen" "$TOP/tests/bench/timeline_gen.c" \
	"$BUILD/libkt.a" -L"$BUILD/sysroot/lib" -lbpf -lelf -lz -ljemalloc || exit 1
cap=$BENCH/timeline_10m.cap
[ -s "$cap" ] || "$gen" "$EVENTS" "$cap" || exit 1
n=$("$KTBOX" timeline info -j "$cap" | sed 's/.*"records":\([0-9]*\).*/\1/')
mib=$(( $(stat -c %s "$cap") / 1048576 ))
REPS=${TIMELINE_BENCH_REPS:-5}
# "wall cpu rss" of one run of "$@" (CPU = user + sys of the process)
run1() {
	/usr/bin/time -o "$T/time" -f '%e %U %S %M' "$@" >/dev/null 2>&1
	awk '{ printf "%s %.3f %d\n", $1, $2 + $3, $4 }' "$T/time"
}
# median of REPS runs of "$@": "wall cpu rss" (the median of each)
runm() {
	: >"$T/runs"
	for _ in $(seq "$REPS"); do run1 "$@" >>"$T/runs"; done
	w=$(awk '{ print $1 }' "$T/runs" | median)
	c=$(awk '{ print $2 }' "$T/runs" | median)
	m=$(awk '{ print $3 }' "$T/runs" | median)
	echo "$w $c $m"
}
line() {	# line LABEL EVENTS "wall cpu rss"
	echo "$3" | awk -v n="$2" -v w="$1" '{ c = $2 > 0 ? $2 : 0.001;
		printf "  %-26s wall %6.2f s  CPU %6.2f s  %6.1f M events/s (CPU)  peak RSS %d MiB\n",
			w, $1, $2, n / c / 1e6, $3 / 1024 }'
}
cat "$cap" >/dev/null	# page cache warm for every reader alike
echo "readers on a synthetic capture: $n records, $mib MiB, median of $REPS runs" \
	"(load: $(cut -d' ' -f1-3 /proc/loadavg)):"
echo "  (wall time on a shared machine; CPU = user + sys of the process)"
line "floor: cat FILE >/dev/null" "$n" "$(runm cat "$cap")"
for what in "report" "report -j" "export" "dump -j"; do
	set -- $what
	line "timeline $what" "$n" "$(runm "$KTBOX" timeline "$@" "$cap")"
done
# the peer: perf sched timehist over a perf.data of sched events (the last
# traced round's, or one recorded here around the same pipe bench)
pd=$W/perf.data
if [ ! -s "$pd" ] && [ "$(id -u)" = 0 ] && command -v perf >/dev/null 2>&1; then
	pd=$T/peer.data
	perf sched record -q -o "$pd" -- perf bench sched pipe -l "$LOOPS" >/dev/null 2>&1
fi
if [ -s "$pd" ]; then
	pn=$(perf script -i "$pd" 2>/dev/null | wc -l)
	pmib=$(( $(stat -c %s "$pd") / 1048576 ))
	cat "$pd" >/dev/null
	line "peer: perf sched timehist" "$pn" "$(runm perf sched timehist -i "$pd")"
	echo "    ($pn events in a $pmib MiB perf.data)"
else
	echo "  peer: perf sched timehist not measured (needs root and perf)"
fi
