#!/bin/sh
# kmsgscx applet: options and exit codes, the fixtures through the applet
# (pinned JSON), then the live /dev/kmsg: records written as root are read
# back through the real device (window with --since-seq, --follow with a
# writer racing the reader, --follow timeout).
. "$TOP/tests/tap.sh"
FX="$TOP/tests/fixtures/kmsg"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
k() { "$KTBOX" kmsgscx "$@"; }
nev() { grep -o '"event":"[a-z]*"' | wc -l; }

# ---- options and exit codes ---------------------------------------------------
k --help | grep -q 'exit 3'; ok $? "--help documents exit 3"
k --help | grep -q -- '--since-seq'; ok $? "--help lists --since-seq"
k --timeout 1 >/dev/null 2>&1; is $? 2 "--timeout without --follow: usage error"
k --bogus >/dev/null 2>&1; is $? 2 "unknown option: usage error"
k extra >/dev/null 2>&1; is $? 2 "operand: usage error"
k --follow --timeout x >/dev/null 2>&1; is $? 2 "bad timeout: usage error"
k -f "$FX/dmesg_612.txt" --since-seq 3 >/dev/null 2>&1; is $? 2 "--since-seq with -f: usage error"
k -f "$T/missing" 2>"$T/err" >/dev/null; is $? 1 "missing file: exit 1"
grep -q "cannot open '$T/missing'" "$T/err"; ok $? "missing file: error names it"

# ---- hardening (issue 13 §3) ------------------------------------------------------
printf 'nothing here\n' >"$T/garb.syms"
k -f "$FX/dmesg_612.txt" --kallsyms "$T/garb.syms" >/dev/null 2>"$T/err"; is $? 0 "garbage --kallsyms: still runs"
grep -q "warning: '$T/garb.syms': no symbols" "$T/err"; ok $? "garbage --kallsyms: warned"
k -j -f "$FX/kmsg_records.txt" | grep -q '"origin":"user","scheduler":"fromuser"'
ok $? "LOG_USER records: origin user"
printf '3,1,2,-;sched_ext: BPF scheduler "e" disabled (runtime error)\n3,2,3,-;sched_ext: e: a\\x0aFAKE: x\\x1b[2J\n' >"$T/esc.txt"
k -f "$T/esc.txt" | grep -q '^  message: a\\x0aFAKE: x\\x1b\[2J$'; ok $? "human: control bytes escaped"

# ---- fixtures ---------------------------------------------------------------------
for f in dmesg_612:14 kmsg_records:4 dmesg_levels:4 printk_caller:2 journal_localized:6 \
	 journal_iso:4 oot:3 sub_sched:5 partial_crlf:2 joined:3 nested_parens:2 \
	 lookalikes:0 cut:2 sched_dump:3 both_origins:2 nul_huge:2 console_interleaved:3 \
	 mangled_indent:4 mangled_prefix:4 mangled_nobanner:2 mangled_prompt:4 mangled_negative:0 \
	 mangled_future:6; do
	is "$(k -j -f "$FX/${f%%:*}.txt" | nev)" "${f#*:}" "${f%%:*}: ${f#*:} events"
done
is "$(k -j -f "$FX/sub_sched.txt" | grep -o '"sub":true' | wc -l)" 3 \
	'sub_sched: "sub":true on its 3 sub-scheduler events'
is "$(k -f "$FX/sub_sched.txt" | grep -c '^\[.*(kernel, sub-scheduler)')" 3 \
	"sub_sched: human output names the 3 sub-scheduler events"
is "$(k -j -f "$FX/partial_crlf.txt" | grep -o '"partial":true' | wc -l)" 1 \
	'partial_crlf: "partial":true on the partial enable'
is "$(k -f "$FX/mangled_future.txt" | grep -c '^exit (unknown) other')" 6 \
	"mangled_future: 6 exits of kind other, the look-alikes none"
for f in both_origins sched_dump journal_localized; do
	is "$(k -j -f "$FX/$f.txt")" "$(cat "$FX/$f.json")" "$f: JSON as pinned"
done
is "$(k -j -f - <"$FX/both_origins.txt")" "$(cat "$FX/both_origins.json")" "-f - reads stdin"
k -j -f "$FX/both_origins.txt" -o "$T/out.json"; ok $? "-o FILE"
cmp -s "$T/out.json" "$FX/both_origins.json"; ok $? "-o FILE has the JSON"
k -f "$FX/lookalikes.txt" | grep -q '^no sched_ext events (20 lines read)$'
ok $? "human: says when nothing is found"
k -f "$FX/dmesg_612.txt" | grep -q '^\[   51.127238\] exit rusty error_stall (kernel)$'
ok $? "human: header line"
k -f "$FX/dmesg_612.txt" | grep -q '^  stall: kworker/31:1\[311\] for 13.736s$'
ok $? "human: stall line"
k -j --pretty -f "$FX/oot.txt" | grep -q '^    "kind": "error_stall",$'; ok $? "--pretty indents"
k -j -f "$FX/dmesg_612.txt" --kallsyms "$FX/kallsyms.txt" |
	grep -q '{"symbol":"mod_func","offset":707,"size":4096,"module":"mymod"}'
ok $? "--kallsyms resolves a raw-address frame"
k -f "$FX/dmesg_612.txt" --kallsyms "$T/missing" >/dev/null 2>&1; is $? 1 "--kallsyms missing file: exit 1"
printf 'sched_ext: BPF scheduler "f" disabled (runtime error)\nsched_ext: f: m\n   kthread+0xd2/0x100\n' >"$T/tail.txt"
k --follow --timeout 5 -j -f "$T/tail.txt" | grep -q '"scheduler":"f","kind":"error"'
ok $? "--follow -f FILE: an exit already in the file"
printf 'nothing here\n' | k --follow --timeout 5 -f - >/dev/null 2>"$T/end.err"; is $? 3 "--follow on a pipe that ends: exit 3"
grep -q 'the input ended without an exit event' "$T/end.err"; ok $? "... says the input ended (not a timeout)"
# issue 13 §2: an exit written after the followed file was truncated (tail -F)
seq -f 'noise line %g' 2000 >"$T/trunc.log"
k --follow --timeout 8 -j -f "$T/trunc.log" >"$T/trunc.out" 2>&1 &
P=$!
sleep 0.5
: >"$T/trunc.log"
sleep 0.3
printf 'sched_ext: BPF scheduler "t" disabled (runtime error)\nsched_ext: t: after the cut\n' >>"$T/trunc.log"
wait $P; is $? 0 "--follow -f FILE truncated, then an exit written: exit 0"
grep -q '"message":"after the cut"' "$T/trunc.out"; ok $? "... that exit is found"

# ---- live /dev/kmsg ------------------------------------------------------------------
if [ "$(id -u)" != 0 ] || [ ! -w /dev/kmsg ] || ! [ -r /dev/kmsg ]; then
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18; do skip "needs root and a writable /dev/kmsg"; done
	done_testing; exit
fi
TAG="ktbox$$"
kw() { printf '%s\n' "$1" >/dev/kmsg; }	# one open per record: no ratelimit
# the sequence number of a marker record written now
mark() {
	kw "<6>sched_ext: BPF scheduler \"${TAG}_mark$1\" enabled"
	k -j | grep -o "\"scheduler\":\"${TAG}_mark$1\",[^}]*\"seq\":[0-9]*" | sed 's/.*"seq"://' | tail -1
}
write_exit() {	# NAME
	kw "<6>sched_ext: BPF scheduler \"$1\" enabled"
	kw "<3>sched_ext: BPF scheduler \"$1\" disabled (runnable task stall)"
	kw "<3>sched_ext: $1: kworker/3:1[4242] failed to run for 7.250s"
	kw "<4>   scx_watchdog_workfn+0x154/0x1e0"
	kw "<4>   process_one_work+0x18e/0x350"
	kw "<4>   kthread+0xd2/0x100"
	kw "<6>ktbox test: unrelated line after the backtrace"
}

M=$(mark 0)
[ -n "$M" ]; ok $? "marker record read back with its seq ($M)"
write_exit "${TAG}_a"
timeout 10 "$KTBOX" kmsgscx -j --since-seq "$M" >"$T/live.json"; is $? 0 "window: drains and returns"
grep -o "\"scheduler\":\"${TAG}_a\"" "$T/live.json" | wc -l | grep -qx 2; ok $? "window: enable and exit of the written scheduler"
grep -q "\"event\":\"exit\",\"origin\":\"user\",\"scheduler\":\"${TAG}_a\",\"kind\":\"error_stall\",\"reason\":\"runnable task stall\",\"message\":\"kworker/3:1\[4242\] failed to run for 7.250s\"" "$T/live.json"
ok $? "window: exit kind, reason, message; origin user (written to /dev/kmsg: LOG_USER)"
grep -q '"level":3,"stall":{"comm":"kworker/3:1","pid":4242,"seconds":7.25},"backtrace":\[{"symbol":"scx_watchdog_workfn","offset":340,"size":480},{"symbol":"process_one_work","offset":398,"size":848},{"symbol":"kthread","offset":210,"size":256}\]' "$T/live.json"
ok $? "window: level, stall, 3 frames (LOG_USER records accepted)"
S=$(grep -o "\"scheduler\":\"${TAG}_a\",\"kind\"[^}]*\"seq\":[0-9]*" "$T/live.json" | sed 's/.*"seq"://')
[ -n "$S" ] && [ "$S" -gt "$M" ]; ok $? "window: seq of the disabled record ($S > $M)"
grep -q "\"${TAG}_mark0\"" "$T/live.json"; ok $? "window: --since-seq includes seq N"
M2=$(mark 1)
k -j --since-seq "$((M2 + 1))" | grep -q "${TAG}_a"; ok $((! $?)) "window: --since-seq skips older records"
timeout 10 "$KTBOX" kmsgscx >/dev/null; rc=$?
is "$rc" 0 "window without --since-seq: never blocks"
timeout 10 "$KTBOX" kmsgscx -j -f /dev/kmsg | grep -q "\"scheduler\":\"${TAG}_a\",\"kind\":\"error_stall\""
ok $? "-f /dev/kmsg: read as text, drained without blocking"

# --follow: reader first, writer after it is waiting
M=$(mark 2)
( sleep 0.5; write_exit "${TAG}_b" ) &
timeout 20 "$KTBOX" kmsgscx --follow --timeout 10 -j >"$T/f1.json"; rc=$?
wait
is "$rc" 0 "follow: exit 0 when an exit arrives"
grep -q "\"scheduler\":\"${TAG}_b\",\"kind\":\"error_stall\"" "$T/f1.json"; ok $? "follow: prints the exit"
grep -q '"backtrace":\[{"symbol":"scx_watchdog_workfn".*{"symbol":"kthread"' "$T/f1.json"
ok $? "follow: with its whole backtrace"
is "$(nev <"$T/f1.json")" 1 "follow: exactly one event (the enable is not printed)"

# --follow with a writer racing the reader (from a marker, so either may win)
M=$(mark 3)
write_exit "${TAG}_c" &
timeout 20 "$KTBOX" kmsgscx --follow --timeout 10 --since-seq "$M" >"$T/f2.txt"; rc=$?
wait
is "$rc" 0 "follow race: exit 0"
grep -q "^\[ *[0-9.]*\] exit ${TAG}_c error_stall (user) seq=[0-9]* level=3$" "$T/f2.txt"
ok $? "follow race: human output of the exit"

# --follow timeout
t0=$(date +%s)
timeout 20 "$KTBOX" kmsgscx --follow --timeout 1 -j >"$T/f3.json" 2>"$T/f3.err"; rc=$?
t1=$(date +%s)
is "$rc" 3 "follow: exit 3 on timeout"
[ $((t1 - t0)) -le 4 ]; ok $? "follow: timeout honoured ($((t1 - t0)) s)"
done_testing
