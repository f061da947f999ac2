#!/bin/sh
# `make demo`, inside the guest: start the ktbox_test scheduler, make it
# fail, and show what ktbox captures.  Plain output for a human.
. /tests/lib.sh

say() { printf '\n==> %s\n' "$*"; }
stub() { kt_ready "$1" || { echo "($1: not implemented yet in this build)"; return 1; }; }

say "guest up after $(cut -d' ' -f1 /proc/uptime)s: $(uname -sr), $(nproc) CPUs"

say "hostctx: the host context of this guest"
stub hostctx && hostctx

say "kmsgscx --follow: waiting for the next sched_ext exit (started before the failure)"
if kt_ready kmsgscx; then
	kmsgscx --follow --timeout 60 >/tmp/follow.txt 2>&1 &
	fpid=$!
	sleep 1
fi

say "scx_test -m error -n 200: the ktbox_test scheduler errors after 200 dispatches"
# -x: copy /proc/kallsyms while the scheduler's BPF programs are still
# loaded, and look them up live (kallsyms sizes them exactly through bpf())
scx_test -m error -n 200 -x 'cat /proc/kallsyms >/tmp/kallsyms; sh /tests/bpf-live.sh /tmp' 2>/tmp/err.txt
echo "--- the scheduler's own report (stderr): the DEBUG DUMP head and the EXIT line"
sed -n '/^DEBUG DUMP/,/^CPU states/p' /tmp/err.txt | head -n 24
grep '^EXIT:' /tmp/err.txt

say "kmsgscx --follow caught it"
if [ -n "${fpid:-}" ]; then
	wait "$fpid"
	echo "(kmsgscx exit status $?)"
	cat /tmp/follow.txt
else
	stub kmsgscx
fi

say "the raw kernel records (/dev/kmsg) of that exit"
scx_test -k | grep -A 8 'disabled (scx_bpf_error)'
echo "..."

say "kallsyms: the exit backtrace's addresses, from the table copied before unloading"
if stub kallsyms; then
	scx_test -k | sed -n 's/^4,[0-9]*,[0-9]*,[-c][^;]*;   \([^ ]*+0x[0-9a-f]*\/0x[0-9a-f]*\).*/\1/p' >/tmp/frames
	# shellcheck disable=SC2046
	kallsyms -f /tmp/kallsyms lookup $(sed 's/+.*//' /tmp/frames | sort -u) >/tmp/lookup
	addrs=
	for fr in $(cat /tmp/frames); do
		sym=${fr%%+*} rest=${fr#*+0x}
		a=$(awk -v s="$sym" '$3 == s { print $1; exit }' /tmp/lookup)
		addrs="$addrs $(printf '0x%x' $((0x${a#0x} + 0x${rest%%/*})))"
	done
	echo "--- kallsyms -f TABLE addr ADDR... (function+offset/size as the kernel prints it;"
	echo "    a saved table has no sizes for JITed BPF programs, so those print name+offset):"
	# shellcheck disable=SC2086
	kallsyms -f /tmp/kallsyms addr $addrs
	echo "--- kallsyms lookup on the live table while the scheduler was loaded"
	echo "    (BPF program sizes from bpf(): compare with the kernel's /0xSIZE above):"
	cat /tmp/bpf-live
	echo "--- kallsyms stats:"
	kallsyms -f /tmp/kallsyms stats | head -n 4
fi

say "scx_test -m stall: one task never dispatched, the watchdog (1 s) ends the scheduler"
start=$(($(kt_kmsg_seq) + 1))
scx_test -m stall 2>/tmp/stall.txt
grep '^EXIT:' /tmp/stall.txt
if stub kmsgscx; then
	echo "--- kmsgscx --since-seq $start (the records of this run only):"
	kmsgscx --since-seq "$start"
fi

say "capture run: one command, the whole failure bundle"
# ktbox.out=DEV (the host's tests/vm/demo.sh: a second serial port written
# to a file): each bundle's .tar.gz is streamed out raw, one after the
# other, and announced on the console as
#     KTBOX-FILE name=NAME offset=O size=N sha256=HEX
# so the host cuts it out of the stream and checks it byte for byte.
out=$(kt_arg out) off=0
if [ -n "$out" ]; then
	if [ -c "$out" ] && exec 3>"$out" && stty -F "$out" raw -echo; then
		:
	else
		echo "(cannot stream to '$out': the bundles stay in the guest)"
		out=
	fi
fi
if stub capture; then
	# ktbox.modes=a,b (make report-golden-vm: every failure mode of the
	# test scheduler); the demo's own: the error and the stall
	modes=$(kt_arg modes)
	for mode in $(echo "${modes:-error,stall}" | tr , ' '); do
		case $mode in
		error) args="-m error -n 200" ;;
		stall) args="-m stall" ;;
		exit) args="-m exit -n 40" ;;
		normal) args="-m normal -t 1" ;;
		*) echo "(unknown mode '$mode')"; continue ;;
		esac
		f=/tmp/bundle-$mode.tar.gz
		echo "--- capture run -o $f -- scx_test $args"
		# shellcheck disable=SC2086
		capture run -o "$f" -- scx_test $args >/dev/null 2>/tmp/cap.err
		echo "(exit status $?: the scheduler's; $(stat -c %s "$f") bytes)"
		b=${f#/tmp/}
		tar -xzOf "$f" "${b%.tar.gz}/manifest.json" | grep -o '"exit_to_bundle_ms": [0-9.]*'
		[ -n "$out" ] || continue
		size=$(stat -c %s "$f")
		sum=$(sha256sum "$f" | cut -d' ' -f1)
		cat "$f" >&3
		echo "KTBOX-FILE name=${f#/tmp/} offset=$off size=$size sha256=$sum"
		off=$((off + size))
	done
fi
# the last close waits until the UART has sent everything
[ -z "$out" ] || exec 3>&-

say "the other applets"
for a in bpfdump timeline; do
	stub "$a" && "$a" --help | head -n 3
done

say "demo done after $(cut -d' ' -f1 /proc/uptime)s of guest time"
