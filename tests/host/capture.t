#!/bin/sh
# capture on this host (BPF and tracepoints, no sched_ext): `capture now`
# with every part that needs no sched_ext, the parts that do unavailable
# with a reason; the maps of a test BPF object (--maps all); the manifest's
# statuses for dropped privileges, a too small budget, SIGINT, a full disk
# (nothing left under the final name); the tar.gz layout; run mode.
. "$TOP/tests/tap.sh"
T=$(mktemp -d)
cap() { "$KTBOX" capture "$@"; }
# part status: pst MANIFEST NAME
pst() { jq -r --arg n "$2" '.parts[] | select(.name == $n) | .status' "$1"; }
prs() { jq -r --arg n "$2" '.parts[] | select(.name == $n) | .reason // ""' "$1"; }

cap now >/dev/null 2>&1; is $? 2 "now without -o: usage error"
cap run -o "$T/x" >/dev/null 2>&1; is $? 2 "run without a scheduler: usage error"
cap now -o "$T/x" --budget 1 >/dev/null 2>&1; is $? 2 "--budget 1: usage error"
cap now -o "$T/x" --maps some >/dev/null 2>&1; is $? 2 "--maps some: usage error"

if [ "$(id -u)" != 0 ] || ! command -v jq >/dev/null 2>&1; then
	skip "needs root (bpf, /dev/kmsg) and jq"
	done_testing
	exit
fi
trap 'rm -rf "$T"' EXIT

# ---- capture now -----------------------------------------------------------
cap now -o "$T/b" -d 0.5 2>"$T/now.err"; is $? 0 "now exits 0"
M="$T/b/manifest.json"
jq -e . "$M" >/dev/null; ok $? "manifest.json is JSON"
is "$(jq -r '[.schema, .schema_version, .mode, .end, .interrupted] | @tsv' "$M")" \
	"$(printf 'ktbox-bundle\t1\tnow\tnow\tfalse')" "manifest: schema, mode, end"
for p in hostctx kmsg kallsyms; do
	is "$(pst "$M" $p)" ok "now: $p ok"
done
is "$(pst "$M" sched_ext)" unavailable "now: sched_ext unavailable"
prs "$M" sched_ext | grep -q 'no sched_ext in this kernel'; ok $? "  reason: no sched_ext in this kernel"
is "$(pst "$M" maps)" unavailable "now: maps unavailable (no scheduler)"
prs "$M" maps | grep -q 'no sched_ext scheduler loaded'; ok $? "  reason: no scheduler loaded"
case $(pst "$M" timeline) in ok | partial) ok 0 "now: timeline recorded" ;; *) ok 1 "now: timeline recorded: $(prs "$M" timeline)" ;; esac
if [ "$(pst "$M" timeline)" = partial ]; then
	prs "$M" timeline | grep -q 'tracepoints missing on this kernel: sched_ext_event'
	ok $? "  partial: names the missing sched_ext tracepoints"
fi
"$KTBOX" timeline info "$T/b/timeline.ktl" >/dev/null 2>&1; ok $? "timeline.ktl reads back (timeline info)"
jq -e '.traceEvents | length > 0' "$T/b/timeline.trace.json" >/dev/null; ok $? "timeline.trace.json has events"
jq -e '.pre.kernel_release and .post.kernel_release' "$T/b/hostctx.json" >/dev/null
ok $? "hostctx.json: a pre/post pair"
"$KTBOX" hostctx diff "$T/b/hostctx.json" >/dev/null 2>&1; is $? 1 "hostctx diff reads the pair"
is "$(jq 'type' "$T/b/events.json")" '"array"' "events.json: the kmsgscx -j array"
head -n 1 "$T/b/kmsg.txt" | grep -q '^[0-7],0,'; ok $? "kmsg.txt: raw records from the oldest (now)"
# (BPF programs come and go on a shared host: the count within 1%)
a=$(wc -l <"$T/b/kallsyms.txt") b=$(wc -l </proc/kallsyms)
test $((a * 100 / b)) -ge 99 && test $((b * 100 / a)) -ge 99; ok $? "kallsyms.txt: every symbol ($a lines, /proc/kallsyms $b)"
head -n 1 "$T/b/summary.txt" | grep -q '^no sched_ext exit captured (state now: no sched_ext in this kernel)$'
ok $? "summary line 1: no exit, and why"
is "$(sed -n '2p' "$T/b/summary.txt")" "hostctx: ok" "summary: a line per part"
is "$(jq -r .summary "$M")" "$(head -n 1 "$T/b/summary.txt")" "manifest carries the summary line"
ls -d "$T"/b.tmp-* >/dev/null 2>&1; ok $((!$?)) "no temporary left"
cap now -o "$T/b" --no-timeline >/dev/null 2>&1; is $? 1 "an existing OUT: failure"
is "$(jq -r .mode "$M")" now "  the existing bundle is untouched"

# ---- tar.gz ----------------------------------------------------------------
cap now -o "$T/c.tar.gz" --no-timeline 2>/dev/null; is $? 0 "now -o FILE.tar.gz"
tar -tzvf "$T/c.tar.gz" >"$T/c.list"; ok $? "a valid tar.gz"
is "$(awk '{ print $2 }' "$T/c.list" | sort -u)" "0/0" "owners 0/0"
is "$(awk '{ print $4 }' "$T/c.list" | sort -u)" "1970-01-01" "mtimes 0"
is "$(awk '{ print $6 }' "$T/c.list" | head -n 1)" "c/" "one top directory named after the archive"
awk '{ print $6 }' "$T/c.list" >"$T/c.names"
LC_ALL=C sort "$T/c.names" | cmp -s - "$T/c.names"; ok $? "members in byte order of their names"
mkdir "$T/cx" && tar -xzf "$T/c.tar.gz" -C "$T/cx" && jq -e '.parts' "$T/cx/c/manifest.json" >/dev/null
ok $? "extracts to c/manifest.json"
ls "$T" | grep -q '^c.tmp-'; ok $((!$?)) "no temporary directory left"

# ---- the maps of a test BPF object -----------------------------------------
HELPER="$BUILD/tests/host/bpfmaps_helper"
mkfifo "$T/hold"
"$HELPER" <"$T/hold" >"$T/ids" 2>"$T/helper.err" &
HPID=$!
exec 9>"$T/hold"
trap 'exec 9>&-; wait $HPID 2>/dev/null; rm -rf "$T"' EXIT
for i in $(seq 50); do grep -q '^ready' "$T/ids" && break; sleep 0.1; done
grep -q '^ready' "$T/ids"; ok $? "the BPF helper holds its maps"
ARR=$(awk '$1 == "kt_arr" { print $2 }' "$T/ids")
cap now -o "$T/m" --maps all --no-timeline 2>"$T/m.err"; is $? 0 "now --maps all"
is "$(pst "$T/m/manifest.json" maps)" ok "maps ok"
test -s "$T/m/maps/map-$ARR.jsonl"; ok $? "maps/map-ID.jsonl for the helper's kt_arr"
jq -e '.snapshots[-1].final == true' "$T/m/maps/manifest.json" >/dev/null; ok $? "a final snapshot"
"$KTBOX" bpfdump show "$T/m/maps" >"$T/m.show" 2>&1; ok $? "bpfdump show reads maps/"

# ---- a budget too small ------------------------------------------------------
cap now -o "$T/s" --maps all --no-timeline --budget 4K 2>"$T/s.err"; is $? 0 "--budget 4K still writes"
is "$(pst "$T/s/manifest.json" kmsg)" partial "budget: kmsg partial"
prs "$T/s/manifest.json" kmsg | grep -q 'over the budget'; ok $? "  reason: over the budget"
is "$(pst "$T/s/manifest.json" maps)" partial "budget: maps partial"
prs "$T/s/manifest.json" maps | grep -q 'budget reached'; ok $? "  reason: budget reached"
test "$(wc -c <"$T/s/kmsg.txt")" -le 512; ok $? "kmsg.txt kept within budget/8"

# ---- dropped privileges ----------------------------------------------------
mkdir "$T/np" && chmod 777 "$T/np" && chmod 755 "$T"
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
	"$KTBOX" capture now -o "$T/np/b" --maps all -d 0.2 2>"$T/np.err"
is $? 0 "unprivileged: still a bundle"
N="$T/np/b/manifest.json"
is "$(pst "$N" maps)" unavailable "unprivileged: maps unavailable"
prs "$N" maps | grep -q 'Operation not permitted'; ok $? "  reason: $(prs "$N" maps)"
is "$(pst "$N" timeline)" unavailable "unprivileged: timeline unavailable"
prs "$N" timeline | grep -q 'BPF'; ok $? "  reason: $(prs "$N" timeline)"
is "$(pst "$N" kallsyms)" partial "unprivileged: kallsyms partial"
prs "$N" kallsyms | grep -q 'hidden'; ok $? "  reason: addresses hidden"
if [ "$(cat /proc/sys/kernel/dmesg_restrict)" = 1 ]; then
	is "$(pst "$N" kmsg)" unavailable "unprivileged, dmesg_restrict: kmsg unavailable"
	prs "$N" kmsg | grep -q 'Operation not permitted'; ok $? "  reason: $(prs "$N" kmsg)"
else
	skip "dmesg_restrict is 0: /dev/kmsg readable unprivileged"
fi
is "$(pst "$N" hostctx)" ok "unprivileged: hostctx ok"

# ---- SIGINT mid-capture -----------------------------------------------------
"$KTBOX" capture arm -o "$T/i" --interval 0.1 2>"$T/i.err" &
P=$!
sleep 1.5
kill -INT $P
wait $P; is $? 3 "arm, SIGINT: exit 3 (no exit captured), bundle written"
is "$(jq -r '[.end, .interrupted] | @tsv' "$T/i/manifest.json")" "$(printf 'interrupted\ttrue')" \
	"manifest: interrupted"
is "$(pst "$T/i/manifest.json" kmsg)" partial "  a part running when interrupted: partial"
cap arm -o "$T/t" --timeout 0.5 --no-timeline 2>/dev/null; is $? 3 "arm --timeout: exit 3"
is "$(jq -r .end "$T/t/manifest.json")" timeout "  manifest: end timeout"

# ---- a full disk -------------------------------------------------------------
mkdir "$T/full"
if mount -t tmpfs -o size=256k tmpfs "$T/full" 2>/dev/null; then
	cap now -o "$T/full/b" --no-timeline 2>"$T/full.err"; is $? 1 "full disk: failure"
	grep -q 'No space left on device' "$T/full.err"; ok $? "  says ENOSPC: $(tail -n 1 "$T/full.err")"
	is "$(ls -A "$T/full")" "" "  nothing left behind (no OUT, no OUT.tmp-PID)"
	cap now -o "$T/full/b.tar.gz" --no-timeline 2>"$T/full2.err"; is $? 1 "full disk, tar.gz: failure"
	is "$(ls -A "$T/full")" "" "  nothing left behind"
	umount "$T/full"
else
	skip "cannot mount a small tmpfs here"
fi

# ---- run ---------------------------------------------------------------------
cap run -o "$T/r" --no-timeline --maps none -- sh -c \
	'echo out; echo "EXIT: runtime error (boom)" >&2; exit 5' >"$T/r.out" 2>"$T/r.err"
is $? 5 "run: exits with the scheduler's status"
is "$(cat "$T/r/scheduler.stdout")" out "run: scheduler.stdout kept"
grep -q 'out' "$T/r.out"; ok $? "run: and passed on"
jq -e '.[] | select(.origin == "scheduler" and .reason == "runtime error" and .message == "boom")' \
	"$T/r/events.json" >/dev/null; ok $? "run: its EXIT line parsed (origin scheduler)"
is "$(jq -r '[.mode, .end, .scheduler_exit.status] | @tsv' "$T/r/manifest.json")" \
	"$(printf 'run\tprocess_exit\t5')" "run: manifest mode, end, status"
is "$(head -n 1 "$T/r/summary.txt")" 'sh: error: "boom"' "run: the summary from its own report"
cap run -o "$T/r2" --no-timeline --maps none -- /nonexistent 2>/dev/null; is $? 127 "run: a missing program: 127"
done_testing
