#!/bin/sh
# kallsyms applet: saved fixtures, then the live /proc/kallsyms cross-checked
# against the kernel's own %pS output in /proc/PID/stack.
. "$TOP/tests/tap.sh"
FX="$TOP/tests/fixtures/kallsyms"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ks() { "$KTBOX" kallsyms "$@"; }

# ---- options and exit codes -------------------------------------------------
ks --help | grep -q 'Exit status'; ok $? "--help documents exit codes"
ks >/dev/null 2>&1; is $? 2 "no command: usage error"
ks -f "$FX/mixed.txt" frob >/dev/null 2>&1; is $? 2 "unknown command: usage error"
ks -f "$FX/mixed.txt" addr xyz >/dev/null 2>&1; is $? 2 "bad address: usage error"
ks -f "$FX/mixed.txt" lookup >/dev/null 2>&1; is $? 2 "lookup without names: usage error"
ks -f "$T/missing" stats >/dev/null 2>"$T/err"; is $? 1 "missing table: exit 1"
grep -q "cannot read '$T/missing'" "$T/err"; ok $? "missing table: error names the file"

# ---- hardening (issue 13 §3): each failed before ----------------------------------
is "$(ks -f "$FX/text_ranges.txt" addr -b ffffffff81000000)" "ffffffff81000000 0xffffffff81000000" \
	"addr -b: ADDR-1 outside text prints %pB's answer (raw), not ADDR's symbol"
printf 'ffffffff81000100 T ok\ngarbage\nffffffff81000200 T %0600d\nffffffff81000300 T next\n' 0 >"$T/bad.txt"
ks -f "$T/bad.txt" lookup ok >/dev/null 2>"$T/err"; is $? 0 "malformed table: still used"
is "$(grep -c 'warning:.*2 of 4 lines malformed' "$T/err")" 1 "malformed / over-long lines: one warning with the count"
ks -f "$FX/text_ranges.txt" lookup schedule 2>"$T/err" >/dev/null; [ ! -s "$T/err" ]; ok $? "clean table: no warning"
ks -f /dev/zero stats >/dev/null 2>"$T/err"; is $? 1 "/dev/zero as table: exit 1"
grep -q "larger than 64 MiB: not a kallsyms table" "$T/err"; ok $? "/dev/zero: stops at the cap with a clear error"
head -c 200000 /dev/zero | tr '\0' 'x' >"$T/long.txt"
printf ' ffffffff81000110\nnext ffffffff81000110\n' >>"$T/long.txt"
ks -f "$FX/mixed.txt" symbolize "$T/long.txt" >"$T/long.out" 2>"$T/err"; is $? 0 "symbolize: over-long line: exit 0"
is "$(head -c 200000 "$T/long.out" | tr -d x | wc -c)" 0 "over-long line: its start unchanged"
is "$(sed -n 1p "$T/long.out" | wc -c)" 200018 "over-long line: the rest passed through unchanged"
is "$(sed -n 2p "$T/long.out")" "next ffffffff81000110 schedule+0x10/0x90" "the next line is symbolized"
is "$(grep -c 'longer than 64 KiB' "$T/err")" 1 "over-long line: said once on stderr"

# ---- saved table --------------------------------------------------------------
is "$(ks -f "$FX/mixed.txt" lookup schedule)" "ffffffff81000100 T schedule size 0x90" \
	"lookup: address, type, name, size"
is "$(ks -f "$FX/mixed.txt" lookup dup_static | wc -l)" 3 "lookup: every duplicate"
ks -f "$FX/mixed.txt" lookup schedule nope >/dev/null 2>&1; is $? 1 "lookup: a missing name exits 1"
is "$(ks -f "$FX/mixed.txt" addr ffffffff81000110 0xffffffffc0000004 ffffffffc0001010)" \
"ffffffff81000110 schedule+0x10/0x90
ffffffffc0000004 mod_fn_a+0x4/0x40 [mymod]
ffffffffc0001010 bpf_prog_615c6e385c3ea84d_rustland_dispatch+0x10" \
	"addr: one %pS line per address, in order"
is "$(ks -f "$FX/mixed.txt" -j addr ffffffff81000000)" \
'[{"address":"0xffffffff81000000","text":"_stext+0x0/0x10","symbol":{"name":"_stext","address":"0xffffffff81000000","type":"T","size":16},"offset":0}]' \
	"addr -j"
is "$(ks -f "$FX/mixed.txt" -j stats | grep -o '"malformed":[0-9]*')" '"malformed":3' "stats -j: malformed lines"
is "$(printf 'a [<ffffffff81000110>] b\nplain\n' | ks -f "$FX/mixed.txt" symbolize)" \
"a [<ffffffff81000110>] schedule+0x10/0x90 b
plain" "symbolize: stdin"
ks -f "$FX/mixed.txt" -o "$T/out" addr ffffffff81000110 && \
	[ "$(cat "$T/out")" = "ffffffff81000110 schedule+0x10/0x90" ]; ok $? "-o writes the file"
ks -f "$FX/hidden.txt" addr ffffffff81000110 >/dev/null 2>"$T/err"; is $? 1 "hidden: addr exits 1"
grep -q 'hidden' "$T/err"; ok $? "hidden: clear message"
ks -f "$FX/hidden.txt" stats | grep -q '^hidden: *yes'; ok $? "hidden: stats works and says so"
ks -f "$FX/mixed.txt" -b addr ffffffff81000190 | grep -q ' schedule+0x90/0x90$'; ok $? "-b: return address at a function's end"
is "$(printf 'ffffffff81000110\n\n0xffffffffc0000004\n' | ks -f "$FX/mixed.txt" addr -)" \
"ffffffff81000110 schedule+0x10/0x90
ffffffffc0000004 mod_fn_a+0x4/0x40 [mymod]" "addr -: addresses from stdin"
is "$(printf 'schedule\ndup_static\n' | ks -f "$FX/mixed.txt" lookup - | wc -l)" 4 "lookup -: names from stdin"
cat "$FX/x86_32.txt" | ks -f - addr c1000104 | grep -q 'c1000104 start_kernel+0x4/0x80$'
ok $? "32-bit table from stdin"

# ---- live table ---------------------------------------------------------------
if [ "$(id -u)" != 0 ] || [ ! -r /proc/kallsyms ]; then
	for i in 1 2 3 4 5 6; do skip "live /proc/kallsyms needs root"; done
	done_testing
	exit
fi
if ks stats | grep -q '^hidden: *yes'; then
	for i in 1 2 3 4 5 6; do skip "live /proc/kallsyms addresses are hidden (kptr_restrict)"; done
	done_testing
	exit
fi
if command -v setpriv >/dev/null && [ "$(cat /proc/sys/kernel/kptr_restrict)" != 0 -o \
	"$(cat /proc/sys/kernel/perf_event_paranoid)" -gt 1 ]; then
	cp "$KTBOX" "$T/ktbox" && chmod 755 "$T" "$T/ktbox"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$T/ktbox" kallsyms addr ffffffff81000000 \
		>/dev/null 2>"$T/err"
	r=$?
	[ $r = 1 ] && grep -q 'hidden' "$T/err"; ok $? "live, as nobody: hidden addresses, exit 1"
else
	skip "needs setpriv and a kernel that hides addresses from unprivileged users"
fi
a=$(ks lookup schedule | awk 'NR == 1 { print $1 }')
[ -n "$a" ]; ok $? "live: lookup schedule ($a)"
grep -q "^$a T schedule\$" /proc/kallsyms; ok $? "live: address matches /proc/kallsyms"
ks addr "$a" | grep -Eq "^$a schedule\+0x0/0x[0-9a-f]+\$"; ok $? "live: addr resolves back to schedule+0x0"

# The kernel prints %pB in /proc/PID/stack (addresses hidden as [<0>]).  For
# every uniquely named frame, look the name up, add the offset, and resolve:
# with -b (%pB) our text must be the kernel's, size included.
cat /proc/[0-9]*/stack 2>/dev/null | sed -n 's/^\[<[0-9a-f]*>\] //p' | sort -u >"$T/frames"
: >"$T/want"; : >"$T/addrs"
while read -r f; do
	name=${f%%+*}
	off=${f#*+}; off=${off%%/*}
	m=$(ks lookup "$name" 2>/dev/null)
	[ "$(printf '%s\n' "$m" | wc -l)" = 1 ] || continue
	base=${m%% *}
	# sh arithmetic is signed 64-bit: add to the low 32 bits only
	hi=${base%????????}; lo=$((0x${base#????????} + off))
	[ "$lo" -le 4294967295 ] || continue
	printf '%s%08x\n' "$hi" "$lo" >>"$T/addrs"
	echo "$f" >>"$T/want"
done <"$T/frames"
n=$(wc -l <"$T/want")
ks -b addr $(cat "$T/addrs") | cut -d' ' -f2- >"$T/got"
[ "$n" -gt 0 ] && cmp -s "$T/got" "$T/want"; ok $? "live: $n kernel stack frames resolve exactly as the kernel's %pB"
# a copy: BPF programs may come and go between two reads of the live file
cp /proc/kallsyms "$T/live.txt"
cnt=$(ks -f "$T/live.txt" -j stats | grep -o '"symbols":[0-9]*' | cut -d: -f2)
is "$cnt" "$(wc -l <"$T/live.txt")" "live table: every line parsed"
done_testing
