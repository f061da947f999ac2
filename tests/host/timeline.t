#!/bin/sh
# timeline applet: usage and file errors, then the live host (root, BPF,
# sched tracepoints): record while two processes ping-pong over pipes and
# compare the pair's switches and wakeups with what perf saw in the same
# run; lost count, per-CPU order, wakeups answered; report and export of
# the recording, the export loaded by the DevTools trace engine under node.
. "$TOP/tests/tap.sh"
T=$(mktemp -d)
H="$TOP/tests/host/timeline"
trap 'rm -rf "$T"' EXIT
tl() { "$KTBOX" timeline "$@"; }
N=${TIMELINE_PINGPONG:-2000}

# ---- options and files --------------------------------------------------------
tl --help | grep -q 'record'; ok $? "--help lists record"
tl record --help | grep -q -- '--flight'; ok $? "record --help documents --flight"
tl dump >/dev/null 2>&1; is $? 2 "dump without FILE: usage error"
tl record --trigger signal >/dev/null 2>&1; is $? 2 "--trigger without --flight: usage error"
tl record --buffer 3 >/dev/null 2>&1; is $? 2 "--buffer not a power of two: usage error"
tl record --events switch,bogus >/dev/null 2>&1; is $? 2 "unknown event: usage error"
tl report --time 2,1 /dev/null >/dev/null 2>&1; is $? 2 "--time END before START: usage error"
tl dump "$T/missing" 2>"$T/err"; is $? 1 "missing file: exit 1"
grep -q "cannot open '$T/missing'" "$T/err"; ok $? "missing file: error names it"
printf 'garbage that is not a capture file' >"$T/bad"
tl dump "$T/bad" 2>"$T/err"; is $? 1 "bad magic: exit 1"
grep -q 'bad magic' "$T/err"; ok $? "bad magic: said"
# a raw ktstr buffer: one Switch record, and a torn tail
printf '\001\0\0\0\003\0\0\0\100\102\017\0\0\0\0\0\144\0\0\0\310\0\0\0\002\004\0\0\0\0\0\0\001\0\0\0\0\0\0\0xyz' >"$T/raw"
is "$(tl dump --raw -j "$T/raw" 2>"$T/err")" \
	'{"kind":"Switch","ts":1000000,"cpu":3,"prev_pid":100,"next_pid":200,"prev_state":1026,"preempt":true}' \
	"--raw: a ktstr record dumps in its TimelineEvent shape"
grep -q '3 trailing bytes' "$T/err"; ok $? "--raw: the torn tail is reported"

if [ "$(id -u)" != 0 ]; then
	skip "not root: recording needs CAP_BPF and CAP_PERFMON"
	done_testing
	exit
fi
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	skip "no kernel BTF (/sys/kernel/btf/vmlinux): tp_btf programs cannot load"
	done_testing
	exit
fi

# ---- record while a pair ping-pongs, perf watching the same run ---------------------
"$KTBOX" timeline record -q -o "$T/tl.cap" 2>"$T/rec.err" &
R=$!
have_perf=0
if command -v perf >/dev/null 2>&1; then
	# -k mono: perf's time stamps on CLOCK_MONOTONIC, timeline's clock, so
	# that the two streams can be matched switch by switch.  Events on from
	# the start (perf record -D -1 then an enable through --control was
	# seen missing every switch out of idle on one CPU); the control fifo's
	# ack says perf is in its main loop, its events on; 16 MiB per CPU so that
	# a busy machine does not make it lose events
	mkfifo "$T/ctl" "$T/ack"
	perf record -q -k mono -m 16M --control "fifo:$T/ctl,$T/ack" -e sched:sched_switch,sched:sched_wakeup \
		-a -o "$T/perf.data" >/dev/null 2>"$T/perf.err" &
	P=$!
	have_perf=1
fi
# both tracers on before the pair starts, so both see the same run:
# timeline's BPF links exist, perf acknowledged the enable
for i in $(seq 200); do
	[ "$(ls -l /proc/$R/fd 2>/dev/null | grep -c 'bpf.link')" -ge 3 ] && break
	sleep 0.1
done
if [ $have_perf = 1 ]; then
	echo enable >"$T/ctl"
	timeout 30 head -n 1 "$T/ack" >/dev/null
fi
sleep 0.2
perl "$H/pingpong.pl" "$N" >"$T/pair"; ok $? "ping-pong $N round trips"
sleep 0.5
kill -INT $R
[ $have_perf = 1 ] && kill -TERM $P
wait $R; ok $? "record stops cleanly on SIGINT"
[ $have_perf = 1 ] && wait $P
tl info -j "$T/tl.cap" >"$T/info.json"; ok $? "info reads the capture"
grep -q '"cut":false' "$T/info.json"; ok $? "the capture has its trailer"
grep -q '"lost":0,' "$T/info.json"; ok $? "lost count zero at the default buffer"
grep -q '"attached":\["sched_switch","sched_migrate_task","sched_wakeup"' "$T/info.json"
ok $? "switch, migrate and wakeup attached"
tl dump -j "$T/tl.cap" >"$T/tl.jsonl"; ok $? "dump -j"
if [ $have_perf = 1 ]; then
	perf script -i "$T/perf.data" --ns -F cpu,time,event,trace >"$T/perf.txt" 2>"$T/perf-script.err"
else
	: >"$T/perf.txt"
fi
perl "$H/check.pl" "$T/tl.jsonl" "$T/perf.txt" $(cat "$T/pair") >"$T/cmp"
v() { awk -v k="$1" '$1 == k { print $2 }' "$T/cmp"; }
[ "$(v tl_switch_in)" -ge "$N" ]; ok $? "the pair switched in at least $N times ($(v tl_switch_in))"
[ "$(v tl_wakeup)" -ge "$N" ]; ok $? "the pair was woken at least $N times ($(v tl_wakeup))"
if [ $have_perf = 1 ]; then
	# Both tracers are on for the pair's whole life, and over the span both
	# recorded, each CPU's switches are matched one by one (cpu, prev_pid,
	# next_pid, time within 200 us, in order): a switch perf saw that
	# timeline did not fails.  Two things are not differences:
	# - the kernel does not fire sched_switch for some switches (a CPU's
	#   chain breaks: prev_pid is not the task the last switch put there);
	#   perf and timeline show those same breaks at the same places, so they
	#   are the kernel's, not a loss (counted in the note, "both");
	# - perf misses some switches out of idle (prev_pid 0) that timeline has
	#   (seen here on a busy 2-CPU guest, with no LOST or THROTTLE record):
	#   each is identified, and the pair's count is perf's plus those.
	# perf's own losses (LOST records, hidden by -q) make it no reference:
	# then the comparison is skipped.
	pl=$(perf report -i "$T/perf.data" --stats 2>/dev/null |
		awk '/LOST(_SAMPLES)? events:/ { n += $3 } END { print n + 0 }')
	echo "# chain breaks: timeline $(v tl_breaks), perf $(v perf_breaks), both $(v common_breaks);" \
		"switches only in timeline $(v tl_only) ($(v tl_only_from_idle) out of idle)," \
		"only in perf $(v perf_only); first: $(sed -n 's/^first_diff //p' "$T/cmp")"
	is "$(v pair_inside)" 1 "both tracers were on for the pair's whole life"
	if [ "$pl" = 0 ]; then
		is "$(v perf_only)" 0 "every switch perf saw in the $(v overlap_ms) ms both recorded, timeline saw"
		is "$(v tl_only_from_idle)" "$(v tl_only)" "every switch only timeline saw is one out of idle"
		is "$(v tl_switch_in)" "$(($(v perf_switch_in) + $(v tl_only_pair)))" \
			"pair switches-in: timeline = perf + those perf missed out of idle ($(v tl_only_pair))"
		# On an idle machine perf misses about half the pair's wakeups
		# (seen on CI: perf 1998, timeline 3996 for 2000 round trips, each
		# a wakeup of either side) with no LOST record, so the counts are
		# no reference; what perf did record is: each of its wakeups is
		# matched one by one to timeline's (cpu, pid, nearest time)
		m="every pair wakeup perf saw, timeline saw ($(v perf_wakeup) matched one by one"
		m="$m in $(v tl_wakeup), at most $(v wakeup_max_dt_ns) ns apart; first missing:"
		is "$(v perf_wakeup_unmatched)" 0 "$m $(sed -n 's/^first_wakeup_diff //p' "$T/cmp"))"
	else
		skip "perf lost $pl events: no reference for the comparison"
		skip "perf lost $pl events"
		skip "perf lost $pl events"
		skip "perf lost $pl events"
	fi
else
	skip "perf not installed (make tools installs linux-perf)"
	skip "perf not installed"
	skip "perf not installed"
	skip "perf not installed"
	skip "perf not installed"
fi
is "$(v cpu_inversions)" 0 "per-CPU time never goes back in the record stream"
is "$(v late_records)" 0 "across CPUs, no record comes more than 10 ms after a newer one"
is "$(v wakeups_unanswered)" 0 "every wakeup of the pair is followed by it running"

# ---- report and export of the recording --------------------------------------------
set -- $(cat "$T/pair")
tl report -j --pid "$1" "$T/tl.cap" >"$T/report.json"; ok $? "report -j --pid"
perl -MJSON::PP -e '
	local $/; my $r = decode_json(<STDIN>)->{report};
	my ($t) = grep { $_->{pid} == $ARGV[0] } @{$r->{tasks}};
	# about: a side that finds the byte of the other already written runs on
	# without blocking, so not every round trip is a wakeup and a run
	exit !($t && $t->{sched_delay}{count} >= $ARGV[1] * 0.9 && $t->{run}{count} >= $ARGV[1] * 0.9);
' "$1" "$N" <"$T/report.json"
ok $? "report: the parent ran and waited about $N times (at least 90 %)"
tl report "$T/tl.cap" | grep -q 'top scheduling delays'; ok $? "text report"
tl export "$T/tl.cap" -o "$T/trace.json"; ok $? "export"
ENGINE="$BUILD/node/node_modules/@paulirish/trace_engine"
if command -v node >/dev/null 2>&1 && [ -f "$ENGINE/analyze-trace.mjs" ]; then
	node "$H/trace_check.mjs" "$ENGINE" "$T/trace.json" >"$T/engine" 2>"$T/engine.err"
	ok $? "the DevTools trace engine loads the export"
	x=$(grep -o '"ph":"X"' "$T/trace.json" | wc -l)
	is "$(awk '$1 == "slices" { print $2 }' "$T/engine")" "$x" "the engine placed every slice ($x)"
	n=$(awk '$1 == "nested" { print $2 }' "$T/engine")
	is "$n" 0 "no slice overlaps another on its track"
	[ "$(awk '$1 == "threads" { print $2 }' "$T/engine")" -ge 1 ]; ok $? "CPU tracks"
else
	skip "node or the trace engine missing (make trace-engine)"
fi

# ---- flight recorder: SIGUSR1 writes the window ---------------------------------------
"$KTBOX" timeline record -q --flight 1 --trigger signal -o "$T/fl.cap" 2>"$T/fl.err" &
F=$!
sleep 1.5
perl "$H/pingpong.pl" 200 >/dev/null
kill -USR1 $F
sleep 0.5
kill -INT $F
wait $F; ok $? "flight recorder stops cleanly"
tl info -j "$T/fl.cap" >"$T/flinfo.json" 2>/dev/null; ok $? "flight window written"
grep -q '"flight":true' "$T/flinfo.json"; ok $? "marked as a flight window"
tl report -j "$T/fl.cap" | perl -MJSON::PP -e '
	local $/; my $r = decode_json(<STDIN>)->{report};
	exit !($r->{events} > 0 && $r->{last_ts} - $r->{first_ts} <= 1.2e9);'
ok $? "the window holds at most the last second"

# ---- flight recorder: the sched_ext exit trigger, on a stand-in sysfs tree ----------------
S="$T/scx/sys/kernel/sched_ext"
mkdir -p "$S/root"
echo enabled >"$S/state"; echo 7 >"$S/enable_seq"; echo scx_stand_in >"$S/root/ops"
"$KTBOX" timeline record -q --flight 2 --scx-root "$T/scx" -o "$T/ex.cap" 2>"$T/ex.err" &
X=$!
sleep 1.5
echo disabled >"$S/state"
i=0
while kill -0 $X 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $X 2>/dev/null; then
	kill $X; wait $X
	ok 1 "the recorder ends after the scheduler's exit"
else
	wait $X; ok $? "the recorder ends after the scheduler's exit, exit 0"
fi
grep -q "sched_ext scheduler 'scx_stand_in' exited" "$T/ex.err"; ok $? "... and says which scheduler"
# a stand-in tree: no dump, no kernel log for it, so the kind is unknown:
# no exit_kind key (never 0 as if it were a kind)
tl dump -j "$T/ex.cap" | grep -q '"kind":"ScxExit","ts":[0-9]*,"tid":0,"source":"state","reason":"scx_stand_in: disabled"'
ok $? "the window holds the exit (ScxExit, source state, kind unknown: no exit_kind)"
tl report "$T/ex.cap" | grep -q '^sched_ext exit at .*scx_stand_in: disabled'
ok $? "report: the exit and the last events per CPU before it"
# an exit without a dump, whose kind the kernel's own log line names: the
# recorder reads /dev/kmsg at the exit (here the line is written by hand,
# as ext.c's scx_root_disable would log it, before the state says disabled)
if [ -w /dev/kmsg ]; then
	echo enabled >"$S/state"; echo 8 >"$S/enable_seq"; echo scx_kind_test >"$S/root/ops"
	"$KTBOX" timeline record -q --flight 2 --scx-root "$T/scx" -o "$T/ek.cap" 2>"$T/ek.err" &
	X=$!
	sleep 1.5
	echo '<6>sched_ext: BPF scheduler "scx_kind_test" disabled (unregistered from BPF)' >/dev/kmsg
	echo '<6>sched_ext: BPF scheduler "other_sched" disabled (runtime error)' >/dev/kmsg
	echo disabled >"$S/state"
	i=0
	while kill -0 $X 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill $X 2>/dev/null
	wait $X
	tl dump -j "$T/ek.cap" | grep -q '"kind":"ScxExit",.*"exit_kind":65,"kind_from":"kmsg","source":"state","reason":"scx_kind_test: disabled"'
	ok $? "an exit without a dump: kind 65 from its own kernel log line (not another scheduler's)"
else
	skip "/dev/kmsg not writable (needs root)"
fi

done_testing
