#!/bin/sh
# hostctx against fixture trees and the live host: goldens, caching,
# config.gz cases, JSON round trip, pair/diff exit codes, -o.
. "$TOP/tests/tap.sh"
H="$KTBOX hostctx"
FIX="$TOP/tests/fixtures/hostctx"
T=$(mktemp -d /tmp/hostctx-t.XXXXXX)
trap 'rm -rf "$T"' EXIT

# ---- fixture goldens through the binary ------------------------------------
for r in x86 arm; do
	$H --root "$FIX/$r" --no-heap >"$T/out" 2>&1
	cmp -s "$T/out" "$FIX/$r.human"; ok $? "$r: human output matches the golden file"
	$H --root "$FIX/$r" --no-heap -j >"$T/out" 2>&1
	cmp -s "$T/out" "$FIX/$r.json"; ok $? "$r: JSON output matches the golden file"
done
is "$($H thp --root "$FIX/x86")" "enabled: madvise
defrag: madvise" "thp: active tokens"
is "$($H thp -j --root "$FIX/arm")" '{"defrag":"always"}' "thp -j: absent token omitted, first bracket wins"

# ---- config.gz cases (built at run time) ---------------------------------------
xacct() {
	$H --root "$T/tree" --no-heap -j | sed -n 's/.*"config_task_xacct":"\([a-z_]*\)".*/\1/p'
}
cp -a "$FIX/x86" "$T/tree"
CG="$T/tree/proc/config.gz"
is "$(xacct)" on "config.gz: CONFIG_TASK_XACCT=y -> on"
printf 'CONFIG_A=y\n# CONFIG_TASK_XACCT is not set\n' | gzip -n >"$CG"
is "$(xacct)" off "config.gz: is not set -> off"
printf 'CONFIG_A=y\n' | gzip -n >"$CG"
is "$(xacct)" unknown "config.gz: line absent -> unknown"
printf '# CONFIG_TASK_XACCT is not set\n%s\n' "$(seq 1 20000)" | gzip -n >"$T/full.gz"
head -c $(($(stat -c %s "$T/full.gz") / 2)) "$T/full.gz" >"$CG"
is "$(xacct)" unknown "config.gz: truncated -> unknown"
cp "$T/full.gz" "$CG"
printf '\377\377\377\377' | dd of="$CG" bs=1 seek=30 conv=notrunc 2>/dev/null
is "$(xacct)" unknown "config.gz: corrupt -> unknown"
printf 'CONFIG_TASK_XACCT=y\n' >"$CG"
is "$(xacct)" unknown "config.gz: not gzip -> unknown"
rm -f "$CG"; mkdir "$CG"
is "$(xacct)" unknown "config.gz: a directory -> unknown"
rmdir "$CG"; ln -s /nonexistent "$CG"
is "$(xacct)" unknown "config.gz: dangling symlink -> unknown"
rm -f "$CG"
is "$(xacct)" unknown "config.gz: absent -> unknown"

# ---- caching: static files read once in an -n 3 run ---------------------------
if command -v strace >/dev/null 2>&1; then
	strace -f -e trace=openat,open -o "$T/st" $H -n 3 -j --root "$FIX/x86" >/dev/null 2>&1
	cnt() { grep -c "hostctx/x86/$1\"" "$T/st"; }
	is "$(cnt proc/cpuinfo)" 1 "-n 3: /proc/cpuinfo opened once (static)"
	is "$(cnt sys/devices/system/cpu/online)" 1 "-n 3: cpu/online opened once (static)"
	is "$(cnt sys/devices/system/cpu/cpu0/cpufreq/scaling_governor)" 1 "-n 3: governors read once (static)"
	is "$(cnt proc/sys/kernel/osrelease)" 1 "-n 3: --root osrelease read once (static)"
	is "$(cnt proc/meminfo)" 3 "-n 3: /proc/meminfo opened every snapshot (dynamic)"
	is "$(cnt sys/kernel/mm/transparent_hugepage/enabled)" 3 "-n 3: THP read every snapshot"
	is "$(cnt proc/cmdline)" 3 "-n 3: cmdline read every snapshot"
	is "$(cnt proc/sys/kernel/sched_latency_ns)" 3 "-n 3: tunables read every snapshot"
	is "$(cnt proc/config.gz)" 3 "-n 3: config.gz read every snapshot"
	is "$(cnt proc/sys/kernel/task_delayacct)" 3 "-n 3: task_delayacct read every snapshot"
else
	for i in 1 2 3 4 5 6 7 8 9 10; do skip "strace not installed"; done
fi
$H -n 3 -i 0.01 -j --root "$FIX/x86" --no-heap >"$T/n3"
is "$(wc -l <"$T/n3")" 3 "-n 3 -j: three JSON lines"
sed -n 1p "$T/n3" >"$T/n3a"; sed -n 3p "$T/n3" >"$T/n3c"
$H diff "$T/n3a" "$T/n3c" >/dev/null; ok $? "-n 3: first and third snapshots of a still tree are identical"
$H -n 2 --root "$FIX/x86" --no-heap >"$T/h2"
is "$(grep -c '^kernel_name:' "$T/h2"):$(grep -c '^$' "$T/h2")" "2:1" "-n 2 human: two blocks, one blank line between"

# ---- live host ------------------------------------------------------------------
$H -j >"$T/live.json"; ok $? "live snapshot exits 0"
has() { grep -q "\"$1\":" "$T/live.json"; ok $? "live: $1 present"; }
for k in kernel_name kernel_release arch task_delayacct config_task_xacct heap_state; do has $k; done
[ -r /proc/cpuinfo ] && grep -q '^model name' /proc/cpuinfo && has cpu_model
[ -r /proc/cpuinfo ] && grep -q '^vendor_id' /proc/cpuinfo && has cpu_vendor
grep -q '^MemTotal' /proc/meminfo && has total_memory_kib
grep -q '^HugePages_Total' /proc/meminfo && has hugepages_total
[ -r /sys/kernel/mm/transparent_hugepage/enabled ] && has thp_enabled
[ -r /sys/devices/system/cpu/online ] && has online_cpus && has numa_nodes
[ -n "$(tr -d ' \n' </proc/cmdline)" ] && has kernel_cmdline
ls /proc/sys/kernel/ | grep -q '^sched_' && has sched_tunables
ls /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor >/dev/null 2>&1 && has cpufreq_governor
a=$(sed -n 's/.*"allocated_bytes":\([0-9]*\).*/\1/p' "$T/live.json")
[ "${a:-0}" -gt 0 ]; ok $? "live: heap_state.allocated_bytes > 0 ($a)"
is "$(sed -n 's/.*"kernel_release":"\([^"]*\)".*/\1/p' "$T/live.json")" "$(uname -r)" "live: kernel_release = uname -r"
$H | head -1 | grep -q '^kernel_name: '; ok $? "live human output starts with kernel_name"

# ---- round trip, pair, diff ------------------------------------------------------
out=$($H diff "$T/live.json" "$T/live.json"); r=$?
is "$r:$out" "0:" "diff of a snapshot with itself: no output, exit 0"
$H -j --root "$FIX/x86" --no-heap | $H diff - "$FIX/x86.json"; ok $? "diff reads '-' as standard input"
$H --pretty >"$T/pretty.json"
$H diff "$T/pretty.json" "$T/pretty.json" >/dev/null; ok $? "pretty JSON reads back"
$H --root "$FIX/arm" --no-heap -j >"$T/arm.json"
$H diff "$FIX/x86.json" "$T/arm.json" >"$T/d"; r=$?
is "$r" 1 "diff of different snapshots: exit 1"
grep -q '^  arch: x86_64 → aarch64$' "$T/d"; ok $? "diff line '  arch: x86_64 → aarch64'"
grep -q '^  cpufreq_governor.cpu8: (absent) → ondemand$' "$T/d"; ok $? "diff governor line"
grep -q '^  sched_tunables.sched_latency_ns: 24000000 → (absent)$' "$T/d"; ok $? "diff tunable line"
$H pair "$FIX/x86.json" --root "$FIX/arm" --no-heap >"$T/pair.json"; ok $? "pair exits 0"
grep -q '^{"pre":{"cpu_model":"Intel.*},"post":{"total_memory_kib":8000000' "$T/pair.json"; ok $? "pair shape {pre,post}"
$H diff "$T/pair.json" >"$T/d2"; r=$?
is "$r" 1 "diff of one pair file: exit 1"
cmp -s "$T/d" "$T/d2"; ok $? "pair diff = two-file diff"
echo '{"arch":' >"$T/bad.json"
$H diff "$T/bad.json" "$T/live.json" 2>"$T/err"; r=$?
is "$r" 2 "malformed input: exit 2"
grep -q 'at byte 9' "$T/err"; ok $? "malformed input: error names the byte offset"
$H diff "$T/nonexistent.json" "$T/live.json" 2>/dev/null; is "$?" 2 "unreadable input: exit 2"
echo '{"online_cpus":"4"}' >"$T/type.json"
$H diff "$T/type.json" "$T/live.json" 2>/dev/null; is "$?" 2 "wrong type: exit 2"
$H diff "$T/live.json" 2>/dev/null; is "$?" 2 "a snapshot is not a pair: exit 2"
$H diff "$T/pair.json" "$T/pair.json" 2>"$T/err" >/dev/null
grep -q 'a pair file?' "$T/err"; ok $? "two pair files as snapshots: warned"

# issue 13 §3: control bytes of a value are escaped in human output (failed
# before: a cmdline holding "\nFAKE_FIELD: x" printed a field of its own)
mkdir -p "$T/ctl/proc"
printf 'ro quiet\nFAKE_FIELD: x\033[2J\n' >"$T/ctl/proc/cmdline"
$H --root "$T/ctl" --no-heap >"$T/ctl.out" 2>&1
grep -q '^FAKE_FIELD' "$T/ctl.out"; is $? 1 "human: a newline in the cmdline forges no field"
grep -qF 'kernel_cmdline: ro quiet\x0aFAKE_FIELD: x\x1b[2J' "$T/ctl.out"; ok $? "human: control bytes as \\xNN"

# ---- -o, usage ------------------------------------------------------------------
$H -j -o "$T/o.json" --root "$FIX/x86" --no-heap; ok $? "-o exits 0"
cmp -s "$T/o.json" "$FIX/x86.json"; ok $? "-o FILE holds the snapshot"
[ -z "$(ls "$T" | grep '^\.\|tmp')" ]; ok $? "-o leaves no temporary behind"
$H --help | grep -q 'Exit status'; ok $? "--help documents exit codes"
$H --bogus 2>/dev/null; is "$?" 2 "unknown option: exit 2"
$H -n 0 2>/dev/null; is "$?" 2 "-n 0: exit 2"
$H frobnicate 2>/dev/null; is "$?" 2 "unknown command: exit 2"
# options of another sub-command are usage errors, said as such, with no output
for a in "pair -n 2 --root $FIX/x86 $FIX/x86.json:n:pair" "thp -n 2 --root $FIX/x86:n:thp" \
	"diff -j $FIX/x86.json $FIX/x86.json:j:diff"; do
	args=${a%%:*}; rest=${a#*:}; o=${rest%%:*}; c=${rest#*:}
	$H $args >"$T/out" 2>"$T/err"; r=$?
	[ $r = 2 ] && [ ! -s "$T/out" ] && grep -qx "hostctx: invalid option -- '$o'" "$T/err" &&
		grep -qx "Try 'hostctx $c --help' for more information." "$T/err"
	ok $? "hostctx $c -$o: usage error (exit 2, invalid option -$o, hint to '$c --help'), no output"
done
$H --root "$T/no-such-tree" >"$T/out" 2>"$T/err"; is "$?" 1 "--root on a missing directory: exit 1"
[ ! -s "$T/out" ] && grep -q "^hostctx: --root '$T/no-such-tree': No such file or directory" "$T/err"
ok $? "... with an error, not a snapshot of nothing"
done_testing
