#!/bin/bash
# Hostile inputs and outputs through the binary: -o onto devices, FIFOs,
# links and full disks; FIFOs as inputs; full or closed stdout; '-' with no
# /dev; trees that are not this host.
. "$TOP/tests/tap.sh"
K="$KTBOX"
T=$(mktemp -d /tmp/harden-t.XXXXXX)
trap 'rm -rf "$T"' EXIT
FIX="$TOP/tests/fixtures/hostctx"

# ---- -o --------------------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
	mknod "$T/null" c 1 3
	$K hostctx -j -o "$T/null"; ok $? "-o a device node: exit 0"
	[ -c "$T/null" ]; ok $? "... it is still a device, not replaced by a file"
else
	skip "mknod needs root"
	skip "mknod needs root"
fi
$K hostctx -j -o /dev/full 2>"$T/err"; is $? 1 "-o /dev/full: exit 1"
grep -q "No space left on device" "$T/err"; ok $? "... says No space left on device"
[ -c /dev/full ]; ok $? "... /dev/full still a device"
mkfifo "$T/fifo"
timeout 5 $K hostctx -j -o "$T/fifo" 2>"$T/err"; is $? 1 "-o a FIFO without reader: exit 1, no wait"
grep -q "no process reads it" "$T/err"; ok $? "... and says why"
{ cat "$T/fifo" >"$T/fromfifo" & } ; sleep 0.2
timeout 5 $K hostctx -j -o "$T/fifo"; ok $? "-o a FIFO with a reader: exit 0"
wait; grep -q kernel_name "$T/fromfifo"; ok $? "... the reader got the snapshot"
[ -p "$T/fifo" ]; ok $? "... it is still a FIFO"
echo old >"$T/mode"; chmod 640 "$T/mode"
$K hostctx -j -o "$T/mode"; is "$(stat -c %a "$T/mode")" 640 "-o keeps the replaced file's mode"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	echo old >"$T/owned"; chown nobody:"$(id -gn nobody)" "$T/owned"; chmod 604 "$T/owned"
	want=$(stat -c '%u:%g %a' "$T/owned")
	$K hostctx -j -o "$T/owned"
	is "$(stat -c '%u:%g %a' "$T/owned")" "$want" "-o as root keeps the replaced file's owner, group and mode"
	grep -q kernel_name "$T/owned"; ok $? "... and it holds the new snapshot"
else
	skip "chown to nobody needs root"
	skip "chown to nobody needs root"
fi
echo keep >"$T/victim"; ln -s "$T/victim" "$T/link"
$K hostctx -j -o "$T/link"
is "$(cat "$T/victim")" keep "-o over a link to a file: the target is not written through"
[ -f "$T/link" ] && [ ! -L "$T/link" ]; ok $? "... the link is replaced"
$K hostctx -j -o '' 2>"$T/err"; is $? 2 "-o '': usage error"
grep -q "empty file name" "$T/err"; ok $? "... says the name is empty"
n=$(printf 'x%.0s' $(seq 250))
$K hostctx -j -o "$T/$n"; ok $? "-o a 250-byte name"
( $K hostctx -j -n 1000 -i 0.01 -o "$T/killed" & p=$!; sleep 0.3; kill -TERM $p; wait $p ) 2>/dev/null
[ -z "$(ls -A "$T" | grep -v -e '^null$' -e '^fifo$' -e '^fromfifo$' -e '^mode$' -e '^victim$' \
	-e '^link$' -e '^owned$' -e "^$n\$" -e '^err$')" ]; ok $? "SIGTERM mid-write leaves no temporary"
[ ! -e "$T/killed" ]; ok $? "... and no target"

# ---- error lines -----------------------------------------------------------
# user input reaching "APPLET: what: why" (a file name, an option) cannot
# forge a line or drive the terminal: control bytes are printed as \xNN
$K kmsgscx -f "$T/no"$'\nFAKE: x\e[31m' 2>"$T/err"; is $? 1 "kmsgscx -f a missing name holding LF and ESC: exit 1"
is "$(wc -l <"$T/err")" 1 "... one error line"
grep -qF "$T/no\\x0aFAKE: x\\x1b[31m': No such file" "$T/err"; ok $? "... the name's LF and ESC as \\x0a, \\x1b"
$K hostctx --bogus$'\n'x$'\a' 2>"$T/err"; is $? 2 "an unknown option holding LF and BEL: usage error"
grep -qF "'--bogus\\x0ax\\x07'" "$T/err" && [ "$(wc -l <"$T/err")" = 2 ] && ! grep -q $'[\a\e]' "$T/err"
ok $? "... escaped, the message and its hint on two lines"

# ---- stdout ------------------------------------------------------------------
for c in --help --version --list; do
	$K $c >/dev/full 2>/dev/null; is $? 1 "ktbox $c to a full stdout: exit 1"
done
$K hostctx --help >/dev/full 2>/dev/null; is $? 1 "hostctx --help to a full stdout: exit 1"
s=$(date +%s%N)
(trap '' PIPE; $K hostctx -j -n 200 -i 0.02 --no-heap | true) 2>/dev/null
e=$(( ($(date +%s%N) - s) / 1000000 ))
[ $e -lt 2000 ]; ok $? "SIGPIPE ignored: the stream stops at the first EPIPE (${e} ms, not 4 s)"

# ---- inputs ----------------------------------------------------------------
mkfifo "$T/in"
timeout 5 $K kmsgscx -f "$T/in" --follow --timeout 1 >/dev/null 2>&1
is $? 3 "kmsgscx -f FIFO --follow --timeout 1: returns (3) after the timeout"
timeout 5 $K kallsyms -f "$T/in" stats >/dev/null 2>&1; r=$?
[ $r -ne 124 ]; ok $? "kallsyms -f FIFO without writer: does not hang"
timeout 5 $K hostctx diff "$T/in" "$FIX/x86.json" >/dev/null 2>&1
is $? 2 "hostctx diff FIFO without writer: no hang, exit 2"
mkdir -p "$T/tree/proc/sys/kernel"; mkfifo "$T/tree/proc/cpuinfo" "$T/tree/proc/meminfo"
timeout 5 $K hostctx --root "$T/tree" -j --no-heap >"$T/out"; ok $? "--root tree holding FIFOs: no hang"
grep -q cpu_model "$T/out"; is $? 1 "... and no fields from them"
grep -q '"kernel_name"' "$T/out"; is $? 1 "--root without kernel information: no kernel_name of this host"
$K hostctx -j --no-heap >"$T/a.json"
$K hostctx diff <(cat "$T/a.json") <(cat "$T/a.json"); ok $? "diff of two pipes (process substitution)"
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	# a mount namespace with an empty /dev: '-' must not need /dev/stdin
	unshare -m sh -c "mount -t tmpfs none /dev && $K hostctx diff - '$FIX/x86.json' <'$FIX/x86.json'" \
		>/dev/null 2>"$T/err"
	ok $? "hostctx diff - with no /dev: reads fd 0"
	unshare -m sh -c "mount -t tmpfs none /dev && echo ffffffff81000100 | $K kallsyms addr - -f '$TOP/tests/fixtures/kallsyms/mixed.txt'" \
		>/dev/null 2>"$T/err"; r=$?
	[ $r -le 1 ] && ! grep -q "cannot read standard input" "$T/err"; ok $? "kallsyms addr - with no /dev: reads fd 0"
else
	skip "unshare needs root"
	skip "unshare needs root"
fi
done_testing
