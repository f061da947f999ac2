# Sourced by the guest scripts: the check groups, one function each.
# Needs lib.sh.  Works in /tmp/kt.

mkdir -p /tmp/kt

# ktbox --install into a fresh directory; every applet reachable by name.
check_install() {
	for how in hard symlink; do
		d=/tmp/kt/inst-$how
		rm -rf "$d" && mkdir -p "$d"
		flag=
		[ $how = symlink ] && flag=-s
		# shellcheck disable=SC2086
		if out=$(ktbox --install $flag "$d" 2>&1); then
			kt_ok "ktbox --install ${flag:+$flag }$d ($how links)"
		else
			kt_fail "ktbox --install ${flag:+$flag }$d ($how links)"
			kt_diag "$out"
		fi
		for a in $(ktbox --list); do
			out=$("$d/$a" --help 2>&1)
			rc=$?
			case $out in
			"$a: not implemented yet"*)
				kt_ok "$how-linked $a answers as '$a' (a stub so far)" ;;
			*"$a"*) [ $rc -eq 0 ] && kt_ok "$how-linked $a answers as '$a' (--help)" ||
				kt_fail "$how-linked $a --help exits $rc" ;;
			*) kt_fail "$how-linked $a does not answer as '$a'"; kt_diag "$out" ;;
			esac
		done
	done
	for a in $(ktbox --list); do
		[ "$(readlink /bin/$a)" = ktbox ] && kt_ok "image link /bin/$a -> ktbox" ||
			kt_fail "image link /bin/$a"
	done
}

# hostctx -j against what qemu was told (-smp, -numa) and the kernel.
check_hostctx() {
	smp=$1 numa=$2 release=$3
	if ! kt_ready hostctx; then
		for t in online_cpus numa_nodes kernel_release absent-fields; do
			kt_skip "hostctx $t" "applet not implemented yet"
		done
		return
	fi
	f=/tmp/kt/hostctx.json
	hostctx -j >$f 2>/tmp/kt/hostctx.err
	kt_is "$?" 0 "hostctx -j exits 0"
	kt_is "$(kt_json_num $f online_cpus)" "$smp" "hostctx online_cpus = -smp $smp"
	kt_is "$(kt_json_num $f numa_nodes)" "$numa" "hostctx numa_nodes = $numa (qemu -numa)"
	kt_is "$(kt_json_str $f kernel_release)" "$release" "hostctx kernel_release = fetched kernel"
	kt_is "$(kt_json_str $f kernel_release)" "$(uname -r)" "hostctx kernel_release = uname -r"
	kt_is "$(kt_json_str $f arch)" "$(uname -m)" "hostctx arch = uname -m"
	if grep -q ':null' $f; then
		kt_fail "hostctx: absent values are omitted, never null"
	else
		kt_ok "hostctx: absent values are omitted, never null"
	fi
	# no cpufreq in a qemu guest: no governor entries, never invented ones
	if grep -q '"cpufreq_governor":{"' $f; then
		kt_fail "hostctx: no cpufreq governors in the guest"
		kt_diag "$(cat $f)"
	else
		kt_ok "hostctx: no cpufreq governors in the guest"
	fi
	kt_has $f "ktbox.run=" "hostctx kernel_cmdline is the guest's"
}

# Each frame of a backtrace (func+0xoff/0xsize, one per line in FRAMES)
# resolved back by kallsyms from TABLE, the guest's /proc/kallsyms copied
# while the scheduler was still loaded (so BPF program and trampoline frames
# are in it): the address of func plus off must print exactly as the kernel
# printed the frame.  One lookup and one addr call for all frames (TCG is slow).
#   check_kallsyms_frames FRAMES TABLE WHAT
check_kallsyms_frames() {
	frames=$1 tab=$2 what=$3
	if ! kt_ready kallsyms; then
		kt_skip "kallsyms resolves the $what backtrace" "applet not implemented yet"
		return
	fi
	kt_time "kallsyms $what: start"
	: >/tmp/kt/want
	: >/tmp/kt/addrs
	: >/tmp/kt/bpfsizes
	# shellcheck disable=SC2046
	kallsyms -f "$tab" lookup $(sed 's/+0x.*//' "$frames") >/tmp/kt/lookup 2>&1
	while read -r fr; do
		sym=${fr%%+*} rest=${fr#*+0x}
		off=${rest%%/*}
		# static functions may have several addresses: try each
		for a in $(awk -v s="$sym" '$3 == s { print $1 }' /tmp/kt/lookup); do
			printf '0x%x\n' $((0x${a#0x} + 0x$off)) >>/tmp/kt/addrs
			echo "$fr" >>/tmp/kt/want
		done
	done <"$frames"
	# shellcheck disable=SC2046
	kallsyms -f "$tab" addr $(cat /tmp/kt/addrs) >/tmp/kt/got 2>&1
	# a frame is resolved when some candidate address prints as the frame.
	# BPF frames: a saved /proc/kallsyms has no sizes for JITed programs
	# (images are padded, the gap to the next symbol is only a bound), so
	# kallsyms prints name+0xoff for them: that must match, and
	# check_bpf_sizes checks the exact size taken live from bpf().
	paste /tmp/kt/want /tmp/kt/got | awk -F'\t' '{
		n = split($2, w, " ")
		if (w[n] == $1) { print $1; next }
		k = $1
		if (k ~ /^bpf_/ && sub(/\/0x[0-9a-f]+$/, "", k) && w[n] == k) {
			print $1
			print "unsized: " $1 " -> " w[n] > "/tmp/kt/bpfsizes"
		}
	}' >/tmp/kt/resolved
	n=0 bad=0 bpf=0
	while read -r fr; do
		if grep -qxF "$fr" /tmp/kt/resolved; then
			n=$((n + 1))
			case $fr in bpf_prog_* | bpf__*) bpf=$((bpf + 1)) ;; esac
		else
			bad=$((bad + 1))
			kt_diag "not resolved: $fr"
		fi
	done <"$frames"
	kt_diag "$what: $n frames resolved, $bpf of them BPF program or trampoline frames"
	[ -s /tmp/kt/bpfsizes ] && kt_diag "$(cat /tmp/kt/bpfsizes) (saved table: no BPF sizes)"
	if [ $bad = 0 ] && [ $n -gt 0 ]; then
		kt_ok "kallsyms resolves the $what backtrace ($n frames)"
	else
		kt_fail "kallsyms resolves the $what backtrace ($bad of $((n + bad)) wrong)"
		kt_diag "$(paste /tmp/kt/want /tmp/kt/got)"
	fi
}

# The raw /dev/kmsg records of one exit, as the kernel wrote them.
#   check_kmsg_exit KMSG LEVEL REASON MSG_RE FRAMES_OUT WHAT
# MSG_RE empty: no message line and no frames may follow (non-error exit).
check_kmsg_exit() {
	k=$1 lvl=$2 reason=$3 msgre=$4 frames=$5 what=$6
	: >"$frames"
	kt_check "$what: kmsg enable record (level 6)" \
		grep -q '^6,[0-9]*,[0-9]*,[-c][^;]*;sched_ext: BPF scheduler "ktbox_test" enabled$' "$k"
	dis='^'$lvl',[0-9]*,[0-9]*,[-c][^;]*;sched_ext: BPF scheduler "ktbox_test" disabled ('$reason')$'
	if ! grep -q "$dis" "$k"; then
		kt_fail "$what: kmsg disabled record, level $lvl, reason '$reason'"
		kt_diag "$(grep sched_ext "$k")"
		return
	fi
	kt_ok "$what: kmsg disabled record, level $lvl, reason '$reason'"
	# the records after the disabled line
	n=$(grep -n "$dis" "$k" | head -n 1 | cut -d: -f1)
	sed -n "$((n + 1)),\$p" "$k" >/tmp/kt/after
	if [ -z "$msgre" ]; then
		if grep -q '^[0-9]*,[0-9]*,[0-9]*,[-c][^;]*;sched_ext: ktbox_test: ' /tmp/kt/after ||
			grep -q '^4,[0-9]*,[0-9]*,[-c][^;]*;   [^ ]*+0x' /tmp/kt/after; then
			kt_fail "$what: no message line and no backtrace after a non-error exit"
		else
			kt_ok "$what: no message line and no backtrace after a non-error exit"
		fi
		return
	fi
	first=$(head -n 1 /tmp/kt/after)
	if echo "$first" | grep -q "^3,[0-9]*,[0-9]*,[-c][^;]*;sched_ext: ktbox_test: $msgre\$"; then
		kt_ok "$what: kmsg message record follows (level 3)"
	else
		kt_fail "$what: kmsg message record follows (level 3)"
		kt_diag "got: $first"
	fi
	# frames: 3 spaces + %pS, level 4 (default loglevel), up to the first non-frame
	sed 1d /tmp/kt/after | while IFS= read -r l; do
		case $l in
		4,*";   "*+0x*/0x*) echo "${l#*;   }" ;;
		*) break ;;
		esac
	done >"$frames"
	nf=$(wc -l <"$frames")
	if [ "$nf" -ge 3 ]; then
		kt_ok "$what: kmsg backtrace: $nf frame records at level 4, 3-space indent"
	else
		kt_fail "$what: kmsg backtrace: only $nf frame records"
	fi
	kt_diag "$(sed 's/^/frame: /' "$frames")"
}

# kmsgscx JSON (FILE) against the exit read from raw kmsg.
#   check_kmsgscx_json FILE KIND REASON MSG FRAMES WHAT
check_kmsgscx_json() {
	f=$1 kind=$2 reason=$3 msg=$4 frames=$5 what=$6
	kt_has "$f" '"event":"exit"' "$what: an exit event"
	kt_has "$f" '"scheduler":"ktbox_test"' "$what: scheduler name ktbox_test"
	kt_has "$f" "\"kind\":\"$kind\"" "$what: kind $kind"
	kt_has "$f" "\"reason\":\"$reason\"" "$what: reason '$reason'"
	if [ -n "$msg" ]; then
		kt_has "$f" "\"message\":\"$msg\"" "$what: message as in kmsg"
	else
		grep -q '"message"' "$f" && kt_fail "$what: no message on a non-error exit" ||
			kt_ok "$what: no message on a non-error exit"
	fi
	got=$(grep -o '"symbol":"[^"]*"' "$f" | sed 's/^"symbol":"//; s/"$//' | tr '\n' ' ')
	want=$(sed 's/+0x.*//' "$frames" | tr '\n' ' ')
	kt_is "$got" "$want" "$what: backtrace symbols = kmsg frames"
}

# One failure mode of the scheduler, end to end.
#   scx_mode NAME LOADER_ARGS RC KIND LEVEL REASON [MSG_RE [UEI_MSG]]
# MSG_RE: the kmsg message (error kinds); UEI_MSG: the message only the
# scheduler sees on a non-error exit (the kernel logs none).
scx_mode() {
	name=$1 args=$2 want_rc=$3 kind=$4 lvl=$5 reason=$6 msgre=${7:-} ueimsg=${8:-}
	dir=/tmp/kt/$name
	mkdir -p $dir
	kt_time "$name: start"
	start=$(($(kt_kmsg_seq) + 1))
	fpid=
	if kt_ready kmsgscx; then
		# --since-seq: no race if kmsgscx starts slowly (TCG); it is still
		# waiting when the scheduler fails, one second later
		kmsgscx --follow --timeout 60 --since-seq $start -j >$dir/follow.json 2>$dir/follow.err &
		fpid=$!
		sleep 1
	fi
	# error exits: snapshot /proc/kallsyms while the BPF programs of the
	# backtrace are still loaded (for check_kallsyms_frames)
	snap=true
	# and let kallsyms size the loaded BPF programs live (bpf() prog info)
	[ "$want_rc" = 1 ] && snap="cat /proc/kallsyms >$dir/kallsyms; sh /tests/bpf-live.sh $dir"
	# shellcheck disable=SC2086
	scx_test $args -x "$snap" >$dir/out 2>$dir/err
	kt_is "$?" "$want_rc" "$name: scx_test $args exits $want_rc"
	kt_time "$name: scheduler ended"
	scx_test -k $start >$dir/kmsg
	check_kmsg_exit $dir/kmsg "$lvl" "$reason" "$msgre" $dir/frames "$name"

	# the scheduler's own report (UEI): EXIT line, and the dump for errors
	exitline=$(grep '^EXIT: ' $dir/err)
	msg=$(sed -n 's/^[0-9]*,[0-9]*,[0-9]*,[-c][^;]*;sched_ext: ktbox_test: //p' $dir/kmsg | head -n 1)
	if [ -n "$msgre" ]; then
		kt_is "$exitline" "EXIT: $reason ($msg)" "$name: loader prints EXIT: reason (msg)"
		kt_has $dir/err "DEBUG DUMP" "$name: loader prints the DEBUG DUMP"
		sed -n '/^Backtrace:$/,/^$/p' $dir/err | sed -n 's/^  \([^ ].*\)$/\1/p' >$dir/dumpframes
		if cmp -s $dir/dumpframes $dir/frames; then
			kt_ok "$name: dump backtrace = kmsg backtrace"
		else
			kt_fail "$name: dump backtrace = kmsg backtrace"
			kt_diag "$(diff $dir/dumpframes $dir/frames)"
		fi
	else
		want="EXIT: $reason"
		[ -n "$ueimsg" ] && want="$want ($ueimsg)"
		kt_is "$exitline" "$want" "$name: loader prints '$want'"
	fi

	if ! kt_ready kmsgscx; then
		kt_skip "$name: kmsgscx window" "applet not implemented yet"
		kt_skip "$name: kmsgscx --follow" "applet not implemented yet"
		kt_skip "$name: kmsgscx on the scheduler's report" "applet not implemented yet"
		return
	fi
	kmsgscx -j --since-seq $start >$dir/window.json 2>$dir/window.err
	kt_is "$?" 0 "$name: kmsgscx -j --since-seq $start exits 0"
	check_kmsgscx_json $dir/window.json "$kind" "$reason" "$msg" $dir/frames "$name: kmsgscx window"
	kt_has $dir/window.json '"event":"enable"' "$name: kmsgscx window: the enable event"
	wait "$fpid"
	kt_is "$?" 0 "$name: kmsgscx --follow started before the failure exits 0"
	check_kmsgscx_json $dir/follow.json "$kind" "$reason" "$msg" $dir/frames "$name: kmsgscx --follow"
	kmsgscx -j -f $dir/err >$dir/report.json 2>&1
	kt_has $dir/report.json '"origin":"scheduler"' "$name: kmsgscx on the scheduler's report: origin scheduler"
	kt_has $dir/report.json "\"reason\":\"$reason\"" "$name: kmsgscx on the scheduler's report: reason"
	kt_time "$name: done"
}

# After check_kallsyms_frames: the same addresses against the live
# /proc/kallsyms (the default table) through `addr` and `symbolize` (a
# stack dump with raw [<address>] entries).  BPF frames are gone by now.
check_kallsyms_live() {
	what=$1
	if ! kt_ready kallsyms; then
		kt_skip "kallsyms live table: $what" "applet not implemented yet"
		return
	fi
	paste /tmp/kt/want /tmp/kt/addrs | grep -v '^bpf_' >/tmp/kt/live-pairs
	# shellcheck disable=SC2046
	kallsyms addr $(cut -f2 /tmp/kt/live-pairs) >/tmp/kt/live-got 2>&1
	paste /tmp/kt/live-pairs /tmp/kt/live-got |
		awk -F'\t' '{ n = split($3, w, " "); if (w[n] == $1) print $1 }' | sort -u >/tmp/kt/live-ok
	want=$(cut -f1 /tmp/kt/live-pairs | sort -u | wc -l)
	kt_is "$(wc -l </tmp/kt/live-ok)" "$want" "kallsyms addr on the live /proc/kallsyms: $what frames"
	cut -f2 /tmp/kt/live-pairs | sed 's/^0x\(.*\)/ [<\1>] frame/' >/tmp/kt/dump.txt
	kallsyms symbolize /tmp/kt/dump.txt >/tmp/kt/dump.sym 2>&1
	bad=0
	for fr in $(cat /tmp/kt/live-ok); do
		grep -qF "] $fr frame" /tmp/kt/dump.sym || bad=$((bad + 1))
	done
	if [ $bad = 0 ] && [ -s /tmp/kt/live-ok ]; then
		kt_ok "kallsyms symbolize annotates a raw [<address>] dump of the $what frames"
	else
		kt_fail "kallsyms symbolize annotates a raw [<address>] dump of the $what frames"
		kt_diag "$(head -n 20 /tmp/kt/dump.sym)"
	fi
}

# BPF program frames of an exit backtrace: the size kallsyms gets live from
# bpf() (looked up by /tests/bpf-live.sh while the programs were loaded)
# must be the kernel's own /0xSIZE.
#   check_bpf_sizes DIR WHAT
check_bpf_sizes() {
	dir=$1 what=$2
	if ! kt_ready kallsyms; then
		kt_skip "kallsyms sizes BPF programs exactly: $what" "applet not implemented yet"
		return
	fi
	n=0 bad=0
	for fr in $(grep '^bpf_prog_' $dir/frames); do
		name=${fr%%+*} size=${fr##*/}
		n=$((n + 1))
		if ! awk -v n="$name" -v s="$size" '$3 == n {
			for (i = 4; i < NF; i++) if ($i == "size" && $(i + 1) == s) f = 1
		} END { exit !f }' $dir/bpf-live; then
			bad=$((bad + 1))
			kt_diag "kernel: $fr; kallsyms live: $(grep " $name " $dir/bpf-live)"
		fi
	done
	if [ $n -gt 0 ] && [ $bad = 0 ]; then
		kt_ok "kallsyms sizes the $n BPF program frame(s) of the $what exactly as the kernel"
	else
		kt_fail "kallsyms sizes BPF program frames exactly: $what ($bad of $n wrong)"
	fi
}

# /dev/kmsg overrun, for real: flood the guest's 128 KiB log ring while a
# `kmsgscx --follow` reader is stopped (its position is overwritten: the
# next read() fails with EPIPE), then log an exit.  Also a window read
# --since-seq a position that no longer exists.  Wipes the guest's log:
# run it last.
check_kmsg_overrun() {
	d=/tmp/kt/overrun
	if ! kt_ready kmsgscx; then
		kt_skip "kmsgscx survives a /dev/kmsg overrun" "applet not implemented yet"
		return
	fi
	mkdir -p $d
	# our own writes must not be rate-limited (printk.devkmsg=ratelimit)
	echo on >/proc/sys/kernel/printk_devkmsg
	start=$(($(kt_kmsg_seq) + 1))
	kmsgscx --follow --timeout 60 -j >$d/follow.json 2>$d/follow.err &
	fpid=$!
	sleep 1
	kill -STOP $fpid
	pad=$(printf '%0200d' 0)
	i=0
	while [ $i -lt 1500 ]; do
		echo "<6>ktbox-flood $i $pad"
		i=$((i + 1))
	done >/dev/kmsg
	echo '<3>sched_ext: BPF scheduler "ktbox_flood" disabled (runtime error)' >/dev/kmsg
	now=$(kt_kmsg_seq)
	kt_diag "overrun: flooded seq $start..$now"
	kill -CONT $fpid
	wait $fpid
	kt_is "$?" 0 "overrun: kmsgscx --follow reads on past EPIPE and catches the exit"
	kt_diag "follow: $(cat $d/follow.err)"
	kt_has $d/follow.err "records lost before seq" "overrun: --follow warns that records were lost"
	if grep -q "^kmsgscx: warning: [0-9]* records lost" $d/follow.err; then
		kt_fail "overrun: --follow cannot know how many (it started at the end)"
	else
		kt_ok "overrun: --follow does not invent a count it cannot know"
	fi
	kt_has $d/follow.json '"scheduler":"ktbox_flood"' "overrun: --follow prints the exit after the gap"
	kmsgscx -j --since-seq $start >$d/window.json 2>$d/window.err
	kt_diag "window: $(grep -o "{\"event\":\"overrun\"[^}]*}" $d/window.json)"
	kt_has $d/window.json '"event":"overrun"' \
		"overrun: a window --since-seq an overwritten position reports the gap"
	first=$(scx_test -k | sed -n '1s/^[0-9]*,\([0-9]*\),.*/\1/p')
	kt_has $d/window.json "{\"event\":\"overrun\",\"seq\":$first,\"lost\":$((first - start))}" \
		"overrun: the window counts exactly the records lost ($start..$((first - 1)))"
	kt_has $d/window.json '"scheduler":"ktbox_flood"' "overrun: ... and still finds the exit"
	echo ratelimit >/proc/sys/kernel/printk_devkmsg
}

# bpfdump against the running ktbox_test scheduler: programs marked with its
# name, its maps (struct_ops by vmlinux BTF, .bss/.rodata by DATASEC, the
# typed hash, the per-CPU array, the arena), a watch ring written when it
# exits (the scx-exit trigger), and one around a forced scx_bpf_error.
check_bpfdump() {
	d=/tmp/kt/bpfdump
	mkdir -p $d
	if ! kt_ready bpfdump; then
		kt_skip "bpfdump" "applet not implemented yet"
		return
	fi
	# runs until SIGTERM (sent once watch holds the maps), at most 120 s
	scx_test -m normal -t 120 -w 150 >$d/out 2>$d/err &
	spid=$!
	for i in $(seq 300); do grep -q '^scx_test: attached' $d/out && break; sleep 0.1; done
	kt_has $d/out "scx_test: attached" "bpfdump: the scheduler runs"
	bpfdump progs -j >$d/progs.json 2>$d/progs.err
	kt_is "$?" 0 "bpfdump progs -j while the scheduler runs"
	kt_has $d/progs.json '"sched_ext":"ktbox_test"' "bpfdump progs: struct_ops programs carry the scheduler's name"
	kt_has $d/progs.json '"attach":"sched_ext_ops"' "bpfdump progs: the attach target is sched_ext_ops"
	bpfdump list -j >$d/list.json 2>&1
	kt_has $d/list.json '"sched_ext":true' "bpfdump list: the scheduler's maps are marked"
	bpfdump dump scx -j >$d/scx.json 2>$d/scx.err
	kt_is "$?" 0 "bpfdump dump scx exits 0"
	kt_has $d/scx.json '"type":"struct_ops"' "dump scx: the struct_ops map"
	kt_has $d/scx.json '"name":"ktbox_test"' "dump scx: sched_ext_ops rendered by vmlinux BTF (its name)"
	kt_has $d/scx.json '"state":"BPF_STRUCT_OPS_STATE_' "dump scx: the struct_ops state by enumerator"
	kt_has $d/scx.json '{"error_after":100}' "dump scx: .rodata by DATASEC variable"
	kt_has $d/scx.json '{"nr_enqueued":' "dump scx: .bss by DATASEC variable"
	bpfdump dump scx >$d/scx.txt 2>&1
	kt_has $d/scx.txt 'refcnt' "dump scx: text"
	check_bpfdump_tasks $d
	check_bpfdump_cpus $d
	check_bpfdump_arena $d $spid
	kt_time "bpfdump: watch starts"
	bpfdump watch -i 0.2 -o $d/ring 2>$d/watch.err &
	wpid=$!
	for i in $(seq 300); do grep -q 'watching' $d/watch.err && break; sleep 0.1; done
	sleep 1
	kill -TERM $spid
	wait $spid
	kt_time "bpfdump: scheduler ended"
	wait $wpid
	kt_is "$?" 0 "bpfdump watch: written when the scheduler exits"
	kt_has $d/ring/manifest.json '"trigger": "scx-exit"' "bpfdump watch: the trigger is the exit"
	kt_has $d/ring/manifest.json '"final": true' "bpfdump watch: a final snapshot after the exit"
	kt_diag "watch: $(tail -n 1 $d/watch.err)"
	bpfdump show $d/ring -j >$d/show.json 2>&1
	kt_has $d/show.json '"nr_dispatched"' "bpfdump show: the .bss counters over the ring"
	check_bpfdump_watch_exit
}

# kt_check without its global d (check_bpfdump's directory): DESC COMMAND...
kt_bd_check() {
	_bdc=$1
	shift
	if "$@"; then kt_ok "$_bdc"; else kt_fail "$_bdc"; fi
}

# The typed hash ktbox_tasks (pid -> struct ktbox_task) while the scheduler
# runs: rendered by member name (nested struct, array, enum, char name,
# bool, signed ints), and the values agree with /proc.  A task at nice -5
# is started for the signed field.  (/proc shows a workqueue worker's comm
# with its workqueue appended: kworker/0:1-events.)
#   check_bpfdump_tasks DIR
check_bpfdump_tasks() {
	bd=$1
	# wakes every 0.1 s: its entry's nice is refreshed when it stops
	(while :; do sleep 0.1; done) &
	npid=$!
	renice -n -5 -p $npid >/dev/null
	sleep 1
	bpfdump dump name ktbox_tasks -j >$bd/tasks.json 2>$bd/tasks.err
	kt_is "$?" 0 "dump typed hash: bpfdump dump name ktbox_tasks -j exits 0"
	bpfdump dump name ktbox_tasks >$bd/tasks.txt 2>&1
	kill $npid
	wait $npid 2>/dev/null
	# one entry a line: PID COMM ENQ RUN RUNS_ON STATE RAN LAST_CPU NICE QMR
	grep -oE '"formatted":\{"key":-?[0-9]+,"value":\{[^{}]*\{[^{}]*\}[^{}]*\}\}' $bd/tasks.json |
		sed -n 's/^"formatted":{"key":\([0-9-]*\),"value":{"comm":"\([^"]*\)","counts":{"enqueued":\([0-9]*\),"running":\([0-9]*\)},"runs_on":\[\([0-9,]*\)\],"state":"\([A-Z_]*\)","ran":\([a-z]*\),"last_cpu":\([0-9-]*\),"nice":\([0-9-]*\),"queued_minus_ran":\([0-9-]*\)}}$/\1 \2 \3 \4 \5 \6 \7 \8 \9/p' >$bd/tasks.tab
	n=$(grep -o '"formatted":' $bd/tasks.json | wc -l)
	kt_diag "ktbox_tasks: $n entries; $(head -n 3 $bd/tasks.tab | tr '\n' ';')"
	if [ "$n" -gt 0 ] && [ "$(wc -l <$bd/tasks.tab)" = "$n" ]; then
		kt_ok "dump typed hash: all $n entries by member name (comm, counts.{enqueued,running}, runs_on[8], state, ran, last_cpu, nice)"
	else
		kt_fail "dump typed hash: $(wc -l <$bd/tasks.tab) of $n entries rendered by member name"
		head -c 1500 $bd/tasks.json | kt_diag "$(cat)"
	fi
	# this shell: blocked while bpfdump ran, so its entry is stable
	me=$(awk -v p=$$ '$1 == p' $bd/tasks.tab)
	ncpu=$(nproc)
	set -- $me
	if [ $# -lt 9 ]; then
		kt_fail "dump typed hash: this shell (pid $$) has an entry"
	else
		kt_is "$2" "$(cat /proc/$$/comm)" "dump typed hash: pid $$ (this shell): comm = /proc/$$/comm"
		kt_bd_check "dump typed hash: pid $$: counts.enqueued $3 > 0, counts.running $4 > 0" \
			test "$3" -gt 0 -a "$4" -gt 0
		sum=$(echo "$5" | tr ',' '\n' | awk '{ s += $1 } END { print s + 0 }')
		kt_is "$sum" "$4" "dump typed hash: pid $$: runs_on[] sums to counts.running"
		kt_bd_check "dump typed hash: pid $$: state $6 is an enumerator name, ran $7" \
			sh -c "case '$6:$7' in KTBOX_TASK_QUEUED:true | KTBOX_TASK_RUNNING:true) true ;; *) false ;; esac"
		kt_bd_check "dump typed hash: pid $$: last_cpu $8 is a CPU (0..$((ncpu - 1)))" \
			test "$8" -ge 0 -a "$8" -lt "$ncpu"
	fi
	# every live task: comm and nice as /proc has them (one awk: a loop of
	# sed and cat per task takes many seconds under TCG)
	awk '{
		pid = $1; comm = $2; ni = $9; pc = ""; st = ""
		if ((getline pc < ("/proc/" pid "/comm")) <= 0) next
		close("/proc/" pid "/comm")
		if ((getline st < ("/proc/" pid "/stat")) <= 0) next
		close("/proc/" pid "/stat")
		sub(/^.*\) /, "", st)
		split(st, f, " ")
		live++
		if (ni < 0) neg++
		if ((pc == comm || index(pc, comm "-") == 1) && ni == f[17]) next
		bad++
		printf "pid %s: map comm %s nice %s; /proc %s nice %s\n", pid, comm, ni, pc, f[17]
	} END { printf "%d %d %d\n", live, bad, neg }' $bd/tasks.tab >$bd/tasks.live
	set -- $(tail -n 1 $bd/tasks.live)
	live=$1 bad=$2 neg=$3
	sed '$d' $bd/tasks.live | while read -r l; do kt_diag "$l"; done
	kt_bd_check "dump typed hash: $live live pids, comm and nice = /proc for each ($bad differ)" \
		test "$live" -gt 3 -a "$bad" = 0
	ns=$(awk -v p=$npid '$1 == p { print $2, $9 }' $bd/tasks.tab)
	kt_is "$ns" "$(cat /proc/$$/comm) -5" "dump typed hash: the reniced loop (pid $npid): nice -5, a negative signed int ($neg live tasks below nice 0)"
	kt_bd_check "dump typed hash, text: nested members by name" \
		grep -q "^key: $$  value: {" $bd/tasks.txt
	kt_bd_check "dump typed hash, text: counts is a nested struct" \
		sh -c "grep -A3 '^key: $$  value: {' $bd/tasks.txt | grep -q '^    enqueued: [0-9]'"
}

# The PERCPU_ARRAY ktbox_cpus: one value per possible CPU, each written by
# its own CPU's dispatch (its cpu member is its index; its count its own).
#   check_bpfdump_cpus DIR
check_bpfdump_cpus() {
	bd=$1
	bpfdump dump name ktbox_cpus -j >$bd/cpus.json 2>$bd/cpus.err
	kt_is "$?" 0 "dump per-CPU: bpfdump dump name ktbox_cpus -j exits 0"
	bpfdump dump name ktbox_cpus >$bd/cpus.txt 2>&1
	poss=$(cat /sys/devices/system/cpu/possible)
	np=$(echo "$poss" | tr ',' '\n' | awk -F- '{ n += ($2 == "" ? 1 : $2 - $1 + 1) } END { print n }')
	# CPU DISPATCHES LAST_NS CPU_MEMBER
	sed 's/.*"formatted"://' $bd/cpus.json | grep -oE '\{"cpu":[0-9]+,"value":\{[^{}]*\}\}' |
		sed -n 's/^{"cpu":\([0-9]*\),"value":{"dispatches":\([0-9]*\),"last_ns":\([0-9]*\),"cpu":\([0-9-]*\)}}$/\1 \2 \3 \4/p' >$bd/cpus.tab
	kt_diag "ktbox_cpus (possible $poss): $(tr '\n' ';' <$bd/cpus.tab)"
	kt_is "$(wc -l <$bd/cpus.tab)" "$np" "dump per-CPU: one value per possible CPU ($np, $poss)"
	raw=$(sed 's/"formatted":.*//' $bd/cpus.json | grep -oE '\{"cpu":[0-9]+,"value":\[[^]]*\]' | head -n 1 | grep -o '"0x' | wc -l)
	kt_is "$raw" 24 "dump per-CPU: each CPU's raw value is the 24 bytes of struct ktbox_cpu"
	bad=0 on=0
	while read -r c disp last cm; do
		if [ -e /sys/devices/system/cpu/cpu$c/online ] && [ "$(cat /sys/devices/system/cpu/cpu$c/online)" = 0 ]; then
			[ "$disp" = 0 ] || bad=$((bad + 1))
			continue
		fi
		on=$((on + 1))
		[ "$cm" = "$c" ] && [ "$disp" -gt 0 ] && [ "$last" -gt 0 ] || bad=$((bad + 1))
	done <$bd/cpus.tab
	kt_bd_check "dump per-CPU: each online CPU's value was written by that CPU (cpu member = index, dispatches > 0)" \
		test "$on" = "$(nproc)" -a "$bad" = 0
	kt_is "$(cut -d' ' -f2,4 $bd/cpus.tab | sort -u | wc -l)" "$np" "dump per-CPU: the $np values differ per CPU"
	kt_bd_check "dump per-CPU, text: cpu N: { dispatches ... }" \
		sh -c "grep -q '^  cpu 1: {' $bd/cpus.txt && grep -q '^    dispatches: [0-9]' $bd/cpus.txt"
}

# Lines "KEY HEX" on stdin: "KEY V..." with V the little-endian u64 at each
# byte offset of OFFSETS (one awk: cut loops over 34 kB values take minutes
# under TCG).  kt_bd_le64 "OFF..."
kt_bd_le64() {
	awk -v offs="$1" 'function hv(b) { return index(X, substr(b, 1, 1)) * 16 + index(X, substr(b, 2, 1)) - 17 }
	     function le(h, off,   i, v) { v = 0; for (i = 7; i >= 0; i--) v = v * 256 + hv(substr(h, (off + i) * 2 + 1, 2)); return v }
	     BEGIN { X = "0123456789abcdef"; n = split(offs, o, " ") }
	     { l = $1; for (i = 1; i <= n; i++) l = l sprintf(" %.0f", le($2, o[i])); print l }'
}

# the hex of bytes OFF..OFF+LEN-1 of hex string S
kt_hexat() { echo "$1" | cut -c$(($2 * 2 + 1))-$((($2 + $3) * 2)); }

# The arena ktbox_arena: init allocated pages 0-2 and tagged them, the
# loader touched 0 and 2 (page 1 exists only on the BPF side).  The dump
# shows exactly pages 0 and 2 through the loader's mapping, and allocates
# nothing: the mapping's Rss and the loader's RSS are the same after it.
#   check_bpfdump_arena DIR SCHEDULER_PID
check_bpfdump_arena() {
	bd=$1 spid=$2
	a=$(sed -n 's/^scx_test: arena at 0x\([0-9a-f]*\), 3 pages allocated, touched: 0 2$/\1/p' $bd/out)
	if [ -z "$a" ]; then
		kt_fail "dump arena: the scheduler allocated and tagged its arena pages"
		kt_diag "$(grep arena $bd/out $bd/err)"
		return
	fi
	kt_ok "dump arena: the scheduler allocated 3 arena pages at 0x$a (loader touched 0 and 2)"
	vrss() { awk -v a="$a-" 'index($1, a) == 1 { f = 1; next } f && /^Rss:/ { print $2; exit }' /proc/$spid/smaps; }
	rss0=$(vrss) prss0=$(grep VmRSS /proc/$spid/status)
	bpfdump dump name ktbox_arena -j >$bd/arena.json 2>$bd/arena.err
	kt_is "$?" 0 "dump arena: bpfdump dump name ktbox_arena -j exits 0"
	bpfdump dump name ktbox_arena >$bd/arena.txt 2>&1
	bpfdump dump name ktbox_arena -j >$bd/arena2.json 2>&1
	rss1=$(vrss) prss1=$(grep VmRSS /proc/$spid/status)
	kt_is "$rss0" 8 "dump arena: the loader's arena mapping holds 2 pages (8 kB) before"
	kt_is "$rss1" "$rss0" "dump arena: three dumps later its Rss is the same (nothing allocated)"
	kt_is "$prss1" "$prss0" "dump arena: the scheduler's RSS is the same after the dumps"
	kt_has $bd/arena.json "\"pid\":$spid," "dump arena: read through the scheduler's process"
	kt_has $bd/arena.json "\"user_vm_start\":\"0x$a\"" "dump arena: at its user_vm_start"
	kt_is "$(grep -o '"page":[0-9]*' $bd/arena.json | tr '\n' ' ')" '"page":0 "page":2 ' \
		"dump arena: exactly the pages present: 0 and 2 (page 1, BPF-only, out of view)"
	grep -o '"bytes":"[0-9a-f]*"' $bd/arena.json | sed 's/"bytes":"//; s/"//' >$bd/arena.pages
	p0=$(sed -n 1p $bd/arena.pages) p2=$(sed -n 2p $bd/arena.pages)
	tag() { printf 'ktbox-arena-%s' $1 | od -An -tx1 | tr -d ' \n'; }
	q2=$(grep -o '"bytes":"[0-9a-f]*"' $bd/arena2.json | head -n 1 | sed 's/"bytes":"//; s/"//')
	printf '0 %s\n2 %s\nq %s\n' "$p0" "$p2" "$q2" | kt_bd_le64 "16 24" >$bd/arena.vals
	kt_is "$(kt_hexat "$p0" 0 13)" "$(tag 0)" "dump arena: page 0 starts with the tag the BPF side wrote"
	kt_is "$(kt_hexat "$p2" 0 13) $(awk '$1 == 2 { print $2 }' $bd/arena.vals)" "$(tag 2) 2" \
		"dump arena: page 2: its tag and index 2"
	c1=$(awk '$1 == 0 { print $3 }' $bd/arena.vals)
	c2=$(awk '$1 == "q" { print $3 }' $bd/arena.vals)
	kt_bd_check "dump arena: page 0's dispatch counter is live (dump 1: $c1, dump 3: $c2)" test "$c1" -gt 0 -a "$c2" -gt "$c1"
	kt_bd_check "dump arena, text: says what it cannot see" \
		grep -q '^2 present pages shown (pages only the BPF side touched are not visible)' $bd/arena.txt
}

# The .bss of the test scheduler in a watch ring, as "SNAP HEX" lines (each
# snapshot's value: the base, then the last set at or before it).
#   kt_ring_bss RING
kt_ring_bss() {
	id=$(awk '/"id":/ { id = $2 } /"name": "scx_test.bss"/ { sub(",", "", id); print id }' $1/manifest.json)
	[ -n "$id" ] || return 1
	sed -nE 's/^\{"snap":([0-9]+),"(base|set)":\[\["00000000","([0-9a-f]+)"\].*/\1 \3/p' $1/map-$id.jsonl
}

# bpfdump watch --trigger scx-exit around a forced scx_bpf_error: the
# scheduler runs gated (scx_test -g) until the ring holds a few snapshots,
# then SIGUSR1 lets it fail 50 dispatches later.  Its .bss has error_ns
# (bpf_ktime_get_ns, CLOCK_MONOTONIC as the ring's mono_ns) at the failing
# dispatch and exit_ns at ops.exit().  The ring's snapshots predate the
# failure with counts below it; the final one is taken after the exit and
# holds the counters the scheduler printed after unloading.
check_bpfdump_watch_exit() {
	bd=/tmp/kt/bpfdump-exit
	rm -rf $bd
	mkdir -p $bd
	kt_time "bpfdump watch --trigger scx-exit: start"
	start=$(($(kt_kmsg_seq) + 1))
	scx_test -m error -n 50 -g -w 60 >$bd/out 2>$bd/err &
	spid=$!
	for i in $(seq 300); do grep -q '^scx_test: attached' $bd/out && break; sleep 0.1; done
	kt_has $bd/out "gated (SIGUSR1 opens)" "watch exit: scx_test -m error -g runs, gated"
	bpfdump watch --trigger scx-exit -i 0.2 -o $bd/ring 2>$bd/watch.err &
	wpid=$!
	for i in $(seq 300); do grep -q 'watching' $bd/watch.err && break; sleep 0.1; done
	sleep 1.5
	kill -USR1 $spid
	wait $spid
	kt_is "$?" 1 "watch exit: the scheduler fails (scx_bpf_error) after the gate opens"
	kt_time "watch exit: scheduler ended"
	for i in $(seq 300); do kill -0 $wpid 2>/dev/null || break; sleep 0.1; done
	wait $wpid
	kt_is "$?" 0 "watch exit: bpfdump watch --trigger scx-exit -i 0.2 writes the ring and exits 0"
	kt_diag "watch: $(tr '\n' ' ' <$bd/watch.err)"
	kt_diag "scheduler: $(grep -v attached $bd/out | tr '\n' ' ')"
	m=$bd/ring/manifest.json
	kt_has $m '"trigger": "scx-exit"' "watch exit: the trigger is the exit"
	# SEQ MONO_NS FINAL(0/1) from the pretty manifest
	awk '/"seq":/ { s = $2 + 0 } /"mono_ns":/ { t = $2 + 0 } /"final": true/ { f = 1 }
	     /^ *}/ && s != "" && t != "" { print s, t, f + 0; s = ""; t = ""; f = 0 }' $m >$bd/snaps
	kt_ring_bss $bd/ring >$bd/bss
	kt_diag "snapshots (seq mono_ns final): $(tr '\n' ';' <$bd/snaps)"
	base=$(sed -n 's/^scx_test: gate opened at dispatch \([0-9]*\): ending at dispatch \([0-9]*\)$/\2/p' $bd/out)
	want=$(sed -n 's/^scx_test: dispatched=\([0-9]*\) enqueued=\([0-9]*\) .*/\1 \2/p' $bd/out)
	eline=$(sed -n 's/^scx_test: error_ns=\([0-9]*\) exit_ns=\([0-9]*\)$/\1 \2/p' $bd/out)
	err_ns=${eline% *} exit_ns=${eline#* }
	fin=$(awk '$3 == 1 { print $1, $2 }' $bd/snaps)
	fseq=${fin% *} fmono=${fin#* }
	if [ -z "$base" ] || [ -z "$want" ] || [ -z "$eline" ] || [ -z "$fin" ] || [ ! -s $bd/bss ]; then
		kt_fail "watch exit: the ring, the final snapshot and the scheduler's own report"
		kt_diag "gate '$base' counters '$want' times '$eline' final '$fin'; $(ls $bd/ring 2>&1 | tr '\n' ' ')"
		return
	fi
	# the .bss at each snapshot: SEQ MONO NR_DISPATCHED NR_ENQUEUED ERROR_NS EXIT_NS
	# (one awk: a shell loop over 34 kB values is minutes under TCG)
	kt_bd_le64 "8 16 33968 33976" <$bd/bss >$bd/bss.vals
	awk 'NR == FNR { v[$1] = $0; next } { s = $1; while (s >= 0 && !(s in v)) s--; if (s >= 0) { split(v[s], a, " "); print $1, $2, a[2], a[3], a[4], a[5] } }' \
		$bd/bss.vals $bd/snaps >$bd/series
	kt_diag "error_ns $err_ns exit_ns $exit_ns; ending at dispatch $base"
	kt_diag "series (seq mono dispatched enqueued error_ns exit_ns): $(tr '\n' ';' <$bd/series)"
	# before the failure: the counts say so, and so must the time
	pre=$(awk -v b=$base -v f=$fseq '$1 != f && $3 < b' $bd/series | wc -l)
	kt_bd_check "watch exit: $pre ring snapshots hold the counts before the failure (nr_dispatched < $base)" \
		test "$pre" -ge 3
	bad=$(awk -v b=$base -v f=$fseq -v e=$err_ns '$1 != f && $3 < b && ($2 >= e || $5 != 0)' $bd/series | wc -l)
	kt_is "$bad" 0 "watch exit: ... each taken before it (mono_ns < error_ns $err_ns, error_ns unset)"
	late=$(awk -v f=$fseq -v x=$exit_ns '$1 != f && $2 >= x' $bd/series | wc -l)
	kt_is "$late" 0 "watch exit: every ring snapshot predates the exit (mono_ns < ops.exit's $exit_ns)"
	kt_bd_check "watch exit: the final snapshot is taken after the failure ($fmono > $err_ns)" test "$fmono" -gt "$err_ns"
	fv=$(awk -v f=$fseq '$1 == f { print $3, $4 }' $bd/series)
	kt_is "$fv" "$want" "watch exit: the final snapshot's nr_dispatched nr_enqueued = what the scheduler printed after its exit"
	kt_bd_check "watch exit: ... at or past the failing dispatch ($base)" test "${fv% *}" -ge "$base"
	kt_is "$(awk -v f=$fseq '$1 == f { print $5 }' $bd/series)" "$err_ns" "watch exit: the final snapshot holds error_ns"
	# watch waits for the disable to end: ops.exit() has run
	kt_is "$(awk -v f=$fseq '$1 == f { print $6 }' $bd/series)" "$exit_ns" \
		"watch exit: the final snapshot holds what ops.exit() wrote (exit_ns)"
	kt_bd_check "watch exit: the final snapshot is taken after ops.exit ($fmono > $exit_ns)" \
		test "$fmono" -gt "$exit_ns"
	kt_diag "watch: exit-to-final-snapshot delay: $(((fmono - err_ns) / 1000)) us from scx_bpf_error, $(((fmono - exit_ns) / 1000)) us from ops.exit"
	scx_test -k $start >$bd/kmsg
	# (the kernel log's time stamps are local_clock, not CLOCK_MONOTONIC:
	# on the arm64 guest they differ by seconds, so they are not compared)
	kt_diag "kmsg: $(grep 'sched_ext: BPF scheduler "ktbox_test" disabled' $bd/kmsg)"
	bpfdump show $bd/ring >$bd/show.txt 2>&1
	kt_diag "show: $(head -n 3 $bd/show.txt | tr '\n' ' ')"
}

# The sched_ext_dump lines in a recording (timeline dump -j output JSONL)
# equal the dump the kernel handed the scheduler (the loader's DEBUG DUMP
# block in ERRFILE): same lines, same order.  The tracepoint gets every
# line in full; the kernel's copy is cut at exit_dump_len (ends in
# "~~~~ TRUNCATED ~~~~"), so then only that prefix is compared.
#   check_dump_lines JSONL ERRFILE WHAT
check_dump_lines() {
	jl=$1 errf=$2 what=$3
	if ! grep -q '"kind":"ScxDump"' $jl; then
		kt_fail "$what: the kernel's debug dump lines (sched_ext_dump) are recorded"
		kt_diag "$what: $(grep '"kind":"ScxExit"' $jl)"
		kt_fail "$what: the recorded dump = the kernel's dump"
		return 1
	fi
	kt_ok "$what: the kernel's debug dump lines (sched_ext_dump) are recorded"
	grep '"kind":"ScxDump"' $jl | sed 's/.*"line":"\(.*\)"}$/\1/; t; s/.*//' |
		sed 's/\\"/"/g; s/\\t/\t/g; s/\\\\/\\/g' >$jl.lines
	awk 'st == 0 && /^DEBUG DUMP$/ { st = 1; next }
	     st == 1 { st = 2; next }
	     st == 2 { st = 3; next }
	     st == 3 && /====================$/ { sub(/=+$/, ""); if ($0 != "") print; exit }
	     st == 3 { print }' $errf >$jl.kernel
	if grep -q '~~~~ TRUNCATED ~~~~' $jl.kernel; then
		n=$(grep -n '~~~~ TRUNCATED ~~~~' $jl.kernel | head -n 1 | cut -d: -f1)
		head -n $((n - 3)) $jl.kernel >$jl.kernel.cut
		head -n $((n - 3)) $jl.lines >$jl.lines.cut
		kt_diag "$what: the kernel's copy is truncated at line $n; the recording has $(wc -l <$jl.lines)"
	else
		cp $jl.kernel $jl.kernel.cut
		cp $jl.lines $jl.lines.cut
	fi
	if [ -s $jl.kernel.cut ] && cmp -s $jl.kernel.cut $jl.lines.cut; then
		kt_ok "$what: the recorded dump = the kernel's dump ($(wc -l <$jl.lines) lines)"
	else
		kt_fail "$what: the recorded dump = the kernel's dump"
		kt_diag "$(diff $jl.kernel.cut $jl.lines.cut | head -n 20)"
	fi
}

# timeline's flight recorder around a real sched_ext error: armed before the
# scheduler starts, written when the kernel disables it, holding the seconds
# before the exit, the exit itself and the kernel's debug dump lines.
check_timeline() {
	d=/tmp/kt/timeline
	mkdir -p $d
	timeline record --flight 10 --trigger scx-exit -q -o $d/flight.cap 2>$d/rec.err &
	tpid=$!
	# attached before the scheduler starts: the trigger's sysfs fd is
	# opened after the BPF programs are attached (loading takes seconds
	# under TCG; a scheduler that dies first is never seen exiting)
	kt_wait_fd $tpid /sys/kernel/sched_ext/state 600 ||
		kt_fail "timeline: the recorder armed within 60 s"
	scx_test -m error -n 200 >$d/out 2>$d/err
	kt_is "$?" 1 "timeline: scx_test -m error fails as asked"
	for i in $(seq 300); do kill -0 $tpid 2>/dev/null || break; sleep 0.1; done
	if kill -0 $tpid 2>/dev/null; then
		# it missed the exit: SIGINT writes what it holds, no hang here
		kt_fail "timeline: the flight recorder exits 0 on the scheduler's exit (still running after 30 s)"
		kill -INT $tpid
		wait $tpid
	else
		wait $tpid
		kt_is "$?" 0 "timeline: the flight recorder exits 0 on the scheduler's exit"
	fi
	kt_has $d/rec.err "exited" "timeline: it says the scheduler exited"
	timeline dump -j $d/flight.cap >$d/dump.jsonl 2>$d/dump.err
	kt_is "$?" 0 "timeline dump of the flight file"
	kt_has $d/dump.jsonl '"kind":"Switch"' "timeline: switches recorded before the exit"
	kt_has $d/dump.jsonl '"kind":"ScxExit"' "timeline: the sched_ext exit is in the recording"
	# the exit the trigger saw is the state leaving enabled, not the
	# scheduler's own enable_seq bump after its enable (ext.c bumps it once
	# the state reads enabled): that fired the window early, before the dump
	if grep '"kind":"ScxExit"' $d/dump.jsonl | grep -q '"reason":"[^"]*: enabled"'; then
		kt_fail "timeline: the exit record is the scheduler leaving enabled"
		kt_diag "$(grep '"kind":"ScxExit"' $d/dump.jsonl)"
	else
		kt_ok "timeline: the exit record is the scheduler leaving enabled"
	fi
	n=$(grep -c '"kind":"Switch"' $d/dump.jsonl)
	[ "$n" -gt 100 ] && kt_ok "timeline: $n switches in the window" ||
		kt_fail "timeline: only $n switches in the window"
	# the last switch precedes the exit record (the seconds before it)
	ets=$(grep '"kind":"ScxExit"' $d/dump.jsonl | head -n 1 | sed 's/.*"ts":\([0-9]*\).*/\1/')
	fts=$(grep '"kind":"Switch"' $d/dump.jsonl | head -n 1 | sed 's/.*"ts":\([0-9]*\).*/\1/')
	[ -n "$ets" ] && [ -n "$fts" ] && [ "$fts" -lt "$ets" ] &&
		kt_ok "timeline: the window starts before the exit" ||
		kt_fail "timeline: window start $fts, exit $ets"
	# no sched_ext_exit tracepoint on this kernel: the recorder takes the
	# kind from the dump's "triggered exit kind N" line (1025: error_bpf)
	grep '"kind":"ScxExit"' $d/dump.jsonl >$d/exit.json
	check_dump_lines $d/dump.jsonl $d/err "timeline"
	kt_has $d/exit.json '"exit_kind":1025,' \
		"timeline: the ScxExit record carries the exit kind (1025, from the dump)"
	kt_diag "recorder: $(cat $d/rec.err)"
	kt_diag "kinds: $(sed 's/.*"kind":"\([A-Za-z]*\)".*/\1/' $d/dump.jsonl | sort | uniq -c | tr '\n' ' ')"
	timeline info $d/flight.cap >$d/info.txt 2>&1
	kt_diag "info: $(cat $d/info.txt)"
	timeline report $d/flight.cap >$d/report.txt 2>&1
	kt_is "$?" 0 "timeline report of the flight file"
}

# The kind of an exit without a dump (scx_bpf_exit: SCX_EXIT_UNREG_BPF,
# 65): no sched_ext_exit tracepoint, no dump line naming it; the recorder
# takes it from the kernel's 'disabled (unregistered from BPF)' log line.
check_timeline_kind() {
	d=/tmp/kt/timeline-kind
	mkdir -p $d
	timeline record --flight 10 --trigger scx-exit -q -o $d/flight.cap 2>$d/rec.err &
	tpid=$!
	kt_wait_fd $tpid /sys/kernel/sched_ext/state 600 ||
		kt_fail "timeline kind: the recorder armed within 60 s"
	scx_test -m exit -n 40 >$d/out 2>$d/err
	for i in $(seq 300); do kill -0 $tpid 2>/dev/null || break; sleep 0.1; done
	kill -INT $tpid 2>/dev/null
	wait $tpid
	timeline dump -j $d/flight.cap >$d/dump.jsonl 2>&1
	grep '"kind":"ScxExit"' $d/dump.jsonl >$d/exit.json
	kt_diag "timeline kind: $(cat $d/exit.json)"
	kt_has $d/exit.json '"exit_kind":65,"kind_from":"kmsg"' \
		"timeline: an exit without a dump carries its kind (65, from the kernel log)"
	timeline dump $d/flight.cap 2>&1 | grep 'ScxExit' >$d/exit.txt
	kt_has $d/exit.txt 'kind 65 by state' "timeline dump: kind 65 in text"
}

# capture now --dump against a running scheduler (normal mode): SysRq-D
# makes the kernel dump its state without stopping it; the lines reach only
# the sched_ext_dump tracepoint.  The bundle's dump part must hold exactly
# the lines tracefs saw for the same dump, and the scheduler must still be
# enabled afterwards.  (Named apart from check_capture_dump, the DEBUG DUMP
# check of check_capture: one shell function name, one body.)
check_capture_now_dump() {
	b=/tmp/kt/cap-dump
	T=/sys/kernel/tracing
	if ! kt_ready capture; then
		kt_skip "capture now --dump" "applet not implemented yet"
		return
	fi
	rm -rf $b
	scx_test -m normal -t 60 >$b.sout 2>$b.serr &
	spid=$!
	for i in $(seq 100); do
		[ "$(cat /sys/kernel/sched_ext/state 2>/dev/null)" = enabled ] && break
		sleep 0.1
	done
	echo >$T/trace
	echo 1 >$T/events/sched_ext/sched_ext_dump/enable
	kt_time "capture now --dump: start"
	capture now -o $b --dump >$b.out 2>$b.err
	kt_is "$?" 0 "capture now --dump exits 0"
	echo 0 >$T/events/sched_ext/sched_ext_dump/enable
	kt_is "$(cat /sys/kernel/sched_ext/state)" enabled \
		"capture now --dump: the scheduler is still enabled afterwards"
	m=$b/manifest.json
	kt_check "capture now --dump: manifest part dump is ok" \
		sh -c "grep -A1 '\"name\": \"dump\"' $m | grep -q '\"status\": \"ok\"'"
	kt_diag "capture now --dump: $(grep -A2 '"name": "dump"' $m | tr -d '\n')"
	kt_has $b/dump.txt "Debug dump triggered by SysRq-D" "capture now --dump: dump.txt is the SysRq-D dump"
	grep ' sched_ext_dump:' $T/trace | sed 's/^.* sched_ext_dump: //; s/^.* sched_ext_dump:$//' >$b.trace
	if [ -s $b.trace ] && cmp -s $b.trace $b/dump.txt; then
		kt_ok "capture now --dump: dump.txt = the lines tracefs saw ($(wc -l <$b.trace))"
	else
		kt_fail "capture now --dump: dump.txt = the lines tracefs saw"
		kt_diag "$(diff $b.trace $b/dump.txt | head -n 20)"
	fi
	capture report $b >$b.report 2>&1
	kt_has $b.report "Debug dump triggered by SysRq-D" "capture report shows the SysRq-D dump"
	kill $spid
	wait $spid
}

# capture run: the bundle of one failure mode, every part checked against
# what this kernel printed.  check_capture NAME SCX_ARGS WANT_RC KIND
check_capture() {
	name=$1 args=$2 want_rc=$3 kind=$4
	b=/tmp/kt/cap-$name
	if ! kt_ready capture; then
		kt_skip "capture run: $name" "applet not implemented yet"
		return
	fi
	rm -rf $b
	# the scheduler debug header's clocks: reaction times from the log
	mkdir -p /sys/kernel/debug
	grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs debugfs /sys/kernel/debug
	kt_time "capture $name: start"
	start=$(($(kt_kmsg_seq) + 1))
	# shellcheck disable=SC2086
	capture run -o $b --interval 0.2 -- scx_test $args >$b.out 2>$b.err
	kt_is "$?" "$want_rc" "capture $name: exits with the scheduler's status $want_rc"
	kt_time "capture $name: bundle written"
	scx_test -k $start >$b.kmsg
	m=$b/manifest.json
	if [ ! -f $m ]; then
		kt_fail "capture $name: $m written"
		kt_diag "$(tail -n 20 $b.err)"
		return
	fi
	ls $b.tmp-* >/dev/null 2>&1 && kt_fail "capture $name: a temporary left behind"
	# kallsyms too: the scheduler's programs are held the moment its
	# enable is seen (uevent), so its [bpf] symbols outlive it however
	# soon it dies and however long the table takes to read
	for p in hostctx kmsg events kallsyms maps scheduler; do
		kt_check "capture $name: manifest part $p is ok" \
			sh -c "grep -A1 '\"name\": \"$p\"' $m | grep -q '\"status\": \"ok\"'"
	done
	# sched_ext: ok, or partial for exactly one reason: a scheduler gone
	# before its root/events was read, with no tracepoint deltas covering
	# it from the timeline's attach (seen on the arm64 TCG guest's normal
	# mode, where the timeline attaches seconds late) and no dump (unreg)
	grep -A2 '"name": "sched_ext"' $m | tr -d '\n' >$b.sxpart
	if grep -q '"status": "ok"' $b.sxpart; then
		kt_ok "capture $name: manifest part sched_ext is ok"
	elif grep -q '"status": "partial", *"reason": "post-exit counters unavailable: ' $b.sxpart &&
		! grep -q '"kind":"error' $b/events.json; then
		kt_ok "capture $name: manifest part sched_ext is ok or partial without post-exit counters"
		kt_diag "capture $name: $(cat $b.sxpart)"
	else
		kt_fail "capture $name: manifest part sched_ext is ok"
		kt_diag "$(cat $b.sxpart)"
	fi
	check_capture_reaction "$name" $m
	kt_check "capture $name: manifest part timeline ok or partial" \
		sh -c "grep -A1 '\"name\": \"timeline\"' $m | grep -q '\"status\": \"\\(ok\\|partial\\)\"'"
	kt_diag "capture $name: $(grep -A2 '"name": "maps"' $m | tr -d '\n')"
	kt_diag "capture $name: $(grep -A2 '"name": "kallsyms"' $m | tr -d '\n')"
	# the final snapshot waits for the disable to end, so it holds what
	# the scheduler's ops.exit() wrote (exit_ns, .bss offset 33976)
	x=$(kt_ring_bss $b/maps | tail -n 1 | kt_bd_le64 "33976" | cut -d' ' -f2)
	kt_check "capture $name: the final .bss snapshot holds what ops.exit() wrote (exit_ns ${x:-none})" \
		test "${x:-0}" -gt 0
	kt_diag "capture $name: $(grep -E '"(trigger_to_final_ns|poller)"' $m $b/maps/manifest.json | tr -d '\n')"
	kt_has $m '"end": "exit"' "capture $name: manifest end is exit"
	kt_has $m '"scheduler": "ktbox_test"' "capture $name: manifest names the scheduler"
	kt_check "capture $name: exit_to_bundle_ms measured" grep -q '"exit_to_bundle_ms": [0-9]' $m
	kt_diag "capture $name: $(grep -o '"exit_to_bundle_ms": [0-9.]*' $m)"
	tr -d '\n' <$b/events.json >$b/events.one
	kt_check "capture $name: events.json has the kernel's $kind exit" \
		grep -q "\"event\":\"exit\",\"origin\":\"kernel\",\"scheduler\":\"ktbox_test\",\"kind\":\"$kind\"" $b/events.one
	kt_has $b/events.one '"origin":"scheduler"' "capture $name: events.json has the scheduler's own report"
	kt_has $b/scheduler.stderr "EXIT: " "capture $name: scheduler.stderr holds its EXIT line"
	case $kind in
	error*) check_capture_frames "$name" $b ;;
	*)
		# unregistered: the kernel logs the exit at info level, no backtrace
		kt_check "capture $name: no backtrace.txt frames (the kernel printed none)" \
			sh -c "! grep -q '+0x' $b/backtrace.txt 2>/dev/null"
		;;
	esac
	kt_has $b/maps/manifest.json "\"final\": true" "capture $name: maps/ has the final snapshot"
	kt_check "capture $name: maps/ holds map contents" ls $b/maps/map-*.jsonl
	# error after 50 dispatches: enabling to disabled can fall between two
	# 10 ms polls under TCG; the stall lives for a second
	if grep -q '^"enabled":{.*"state":"enabl\(ed\|ing\)",.*"root_ops":"ktbox_test"' $b/sched_ext.json; then
		kt_ok "capture $name: sched_ext.json saw it enabling or enabled"
	elif [ $kind = error_stall ]; then
		kt_fail "capture $name: sched_ext.json saw it enabling or enabled"
	else
		kt_diag "capture $name: the sysfs state was not seen enabled (died between two polls)"
	fi
	kt_check "capture $name: sched_ext.json sampled root/events" grep -q '"samples":\[$' $b/sched_ext.json
	kt_check "capture $name: timeline.ktl written" test -s $b/timeline.ktl
	kt_check "capture $name: timeline.trace.json is a trace" grep -q '"traceEvents"' $b/timeline.trace.json
	line=$(head -n 1 $b/summary.txt)
	kt_diag "capture $name: $line"
	case $kind in
	unreg*) re='^ktbox_test: '$kind' at [0-9]*\.[0-9]* s' ;;
	# a task stuck, or (seen on the arm64 TCG guest) the watchdog itself
	# late: scx_tick's "watchdog failed to check in"
	error_stall) re='^ktbox_test: error_stall at [0-9]+\.[0-9]+ s: (ktbox_stall\[[0-9]+\] stuck for [0-9.]+ s|"watchdog failed to check in for [0-9.]+s") in [a-z_]+\+0x[0-9a-f]+$' ;;
	*) re='^ktbox_test: '$kind' at [0-9]+\.[0-9]+ s: ".*" in ktbox_[a-z_]*\+0x[0-9a-f]+$' ;;
	esac
	kt_check "capture $name: summary line names the scheduler, kind, message, first frame" \
		sh -c "head -n 1 $b/summary.txt | sed 's/ on CPU [0-9]* at / at /' | grep -Eq '$re'"
	check_capture_dump "$name" $b $kind
	check_capture_cpu "$name" $b
	check_capture_counters "$name" $b
	check_capture_post "$name" $b $kind
	check_capture_timeline "$name" $b $kind
}

# how the enable was seen and how soon after it the fds and symbols were
# held (manifest "trigger" and "reaction")
check_capture_reaction() {
	name=$1 m=$2
	kt_has $m '"source": "uevent"' "capture $name: armed on the sched_ext uevents (netlink)"
	kt_check "capture $name: reaction: fds and symbols timed from the enable" \
		grep -Eq '"enable_to_fds_ms": -?[0-9]' $m
	kt_has $m '"not_in_time": []' "capture $name: nothing missed (manifest not_in_time empty)"
	kt_diag "capture $name: $(sed -n '/"trigger"/,/"budget"/p' $m | tr -d '\n ' | sed 's/"budget".*//')"
}

# backtrace.txt and kallsyms.txt against the frames the kernel printed
check_capture_frames() {
	name=$1 b=$2
	# the backtrace: the kernel's frames, byte for byte
	n=$(grep -n 'sched_ext: BPF scheduler "ktbox_test" disabled' $b.kmsg | head -n 1 | cut -d: -f1)
	sed -n "$((n + 1)),\$p" $b.kmsg | sed -n 's/^[0-9]*,[0-9]*,[0-9]*,[-c][^;]*;  *\([^ ]*+0x[0-9a-f]*\/0x[0-9a-f]*\( \[[^]]*\]\)\{0,1\}\)$/\1/p' >$b.frames
	if [ -s $b.frames ] && cmp -s $b.frames $b/backtrace.txt; then
		kt_ok "capture $name: backtrace.txt = the kernel's backtrace ($(wc -l <$b.frames) frames)"
	else
		kt_fail "capture $name: backtrace.txt = the kernel's backtrace"
		kt_diag "$(diff $b.frames $b/backtrace.txt)"
	fi
	# kallsyms.txt: every frame's symbol, with the kernel's size for BPF ones
	bad=0 nb=0
	for fr in $(cut -d' ' -f1 $b.frames); do
		sym=${fr%%+*} size=${fr##*/}
		case $sym in bpf_prog_*)
			nb=$((nb + 1))
			grep -q " $sym \[bpf\] size $size\$" $b/kallsyms.txt || {
				bad=$((bad + 1))
				kt_diag "frame $fr: $(grep " $sym " $b/kallsyms.txt)"
			} ;;
		*)
			# (struct_ops trampolines, bpf__*: [bpf] without a size,
			# bpf() gives the sizes of programs only)
			grep -q " $sym\( \[[^]]*\]\)\{0,1\}\( size 0x[0-9a-f]*\)\{0,1\}\$" $b/kallsyms.txt || {
				bad=$((bad + 1))
				kt_diag "frame $fr: not in kallsyms.txt"
			} ;;
		esac
	done
	kt_is "$bad" 0 "capture $name: kallsyms.txt holds every frame's symbol ($nb BPF, sizes exact)"
}

# scheduler.stderr's DEBUG DUMP: the text the scheduler printed (capture
# passed it on to $b.err), line for line; unregistered exits have none
check_capture_dump() {
	name=$1 b=$2 kind=$3
	# from DEBUG DUMP to its second ===== rule (the first is under the title)
	dd='/^DEBUG DUMP/ { p = 1 } p { print } p && /^=====/ && ++n == 2 { exit }'
	awk "$dd" $b.err >$b.dump
	awk "$dd" $b/scheduler.stderr >$b.dump2
	case $kind in
	error*)
		if [ -s $b.dump ] && cmp -s $b.dump $b.dump2; then
			kt_ok "capture $name: scheduler.stderr holds the DEBUG DUMP as printed ($(wc -l <$b.dump) lines)"
		else
			kt_fail "capture $name: scheduler.stderr holds the DEBUG DUMP as printed"
			kt_diag "$(diff $b.dump $b.dump2 | head -n 10)"
		fi ;;
	*) kt_is "$(wc -l <$b.dump2)" 0 "capture $name: no DEBUG DUMP (unregistered)" ;;
	esac
}

# the summary line's CPU: the one the kernel's dump header names ("...
# triggered exit kind N on CPU C:"), none when it names none (unregistered
# exits have no dump; older kernels no "on CPU")
check_capture_cpu() {
	name=$1 b=$2
	want=$(sed -n 's/^.* triggered exit kind [0-9]* on CPU \([0-9]*\):$/\1/p' $b.dump2 | head -n 1)
	got=$(head -n 1 $b/summary.txt | sed -n 's/^[^:]*: [a-z_]*\( ([^)]*)\)\{0,1\} on CPU \([0-9]*\) at .*/\2/p')
	kt_is "${got:-none}" "${want:-none}" "capture $name: summary line's CPU is the dump header's (${want:-none})"
}

# the SCX_EV counters after the exit: read from root/events, or (root/
# gone when the exit was seen) from another source the bundle names; each
# counter at least what the kernel's dump printed at the error (counters
# only grow), exactly that when the dump is the source; an exit without
# them says why
check_capture_post() {
	name=$1 b=$2 kind=$3
	grep '^"post":' $b/sched_ext.json >$b.post
	post=$(cat $b.post)
	src=$(echo "$post" | sed -n 's/.*"events_source":"\([^"]*\)".*/\1/p')
	kt_diag "capture $name: post-exit counters from: ${src:-none} $(echo "$post" | sed -n 's/.*\("events_unavailable":"[^"]*"\).*/\1/p')"
	case $kind in
	error*) ;;
	*)
		kt_check "capture $name: post-exit counters with their source, or why not" \
			grep -Eq '"events":\{.*"events_source":|"events_unavailable":' $b.post
		return ;;
	esac
	kt_check "capture $name: post-exit counters with their source (error exit: the dump has them)" \
		test -n "$src"
	kt_has $b/manifest.json 'post-exit counters: ' "capture $name: manifest part sched_ext names the counters' source"
	bad= n=0
	for row in $(sed -n 's/^ *SCX_EV_\([A-Z_]*\): *\(-\{0,1\}[0-9]*\)$/\1=\2/p' $b.dump2); do
		ev=$(echo "${row%%=*}" | tr 'A-Z' 'a-z') dv=${row#*=}
		pv=$(echo "$post" | sed -n "s/.*\"events\":{[^}]*\"$ev\":\(-\{0,1\}[0-9]*\).*/\1/p")
		n=$((n + 1))
		case $src in
		*"debug dump"*) [ "$pv" = "$dv" ] || bad="$bad $ev=$pv/$dv" ;;
		*) [ -n "$pv" ] && [ "$pv" -ge "$dv" ] || bad="$bad $ev=$pv/$dv" ;;
		esac
	done
	kt_is "${bad:-none}" none "capture $name: post-exit counters against the dump's $n (post/dump)"
}

# the hex of a little-endian u64 at byte OFF of a map value, as a number
kt_le64() {
	h=$(echo "$1" | cut -c$(($2 * 2 + 1))-$(($2 * 2 + 16)))
	r=
	while [ -n "$h" ]; do
		r=$(echo "$h" | cut -c1-2)$r h=$(echo "$h" | cut -c3-)
	done
	printf '%d' "0x${r:-0}"
}

# maps/: the last value of the scheduler's .bss holds the counters the
# scheduler itself printed after its exit (dispatched= enqueued= stalled=);
# .bss is { s32 stall_pid; u64 nr_dispatched, nr_enqueued, nr_stalled; ... }
check_capture_counters() {
	name=$1 b=$2
	id=$(awk '/"id":/ { id = $2 } /"name": "scx_test.bss"/ { sub(",", "", id); print id }' $b/maps/manifest.json)
	want=$(sed -n 's/^scx_test: dispatched=\([0-9]*\) enqueued=\([0-9]*\) stalled=\([0-9]*\)$/\1 \2 \3/p' $b.out)
	v=$(grep '"set":\[\["00000000"' $b/maps/map-$id.jsonl 2>/dev/null | tail -n 1 |
		sed 's/^.*"set":\[\["00000000","\([0-9a-f]*\)".*/\1/')
	if [ -z "$id" ] || [ -z "$v" ] || [ -z "$want" ]; then
		kt_fail "capture $name: maps/ holds scx_test.bss (id '$id') and the scheduler printed its counters ('$want')"
		kt_diag "$(grep '"name"' $b/maps/manifest.json; ls $b/maps; grep -A3 '"name": "maps"' $b/manifest.json)"
	else
		got="$(kt_le64 "$v" 8) $(kt_le64 "$v" 16) $(kt_le64 "$v" 24)"
		kt_is "$got" "$want" "capture $name: maps/ scx_test.bss nr_dispatched nr_enqueued nr_stalled = the scheduler's own counters"
	fi
	# the SCX_EV counters: the last record of sched_ext.json that has them
	# ("post" at the exit, when the root kobject was still there) names
	# every counter the kernel's own dump printed
	post=$(grep '"events":{' $b/sched_ext.json | tail -n 1)
	kt_diag "capture $name: SCX_EV counters last read in: $(echo "$post" | cut -c1-40)"
	miss=
	for ev in $(sed -n 's/^ *SCX_EV_\([A-Z_]*\): .*/\1/p' $b.dump2); do
		ev=$(echo "$ev" | tr 'A-Z' 'a-z')
		case $post in *"\"$ev\":"*) ;; *) miss="$miss $ev" ;; esac
	done
	kt_is "${miss:-none}" none "capture $name: sched_ext.json holds every SCX_EV counter of the kernel's dump ($(grep -c '^ *SCX_EV_' $b.dump2))"
}

# the timeline: switches on every CPU in the window before the exit; the
# report reads the whole bundle
check_capture_timeline() {
	name=$1 b=$2 # $3: the exit kind
	capture report --full $b >$b.report 2>$b.report.err
	kt_is "$?" 0 "capture $name: capture report reads the bundle"
	timeline dump $b/timeline.ktl >$b.tl 2>&1
	n=0
	for c in $(seq 0 $(($(nproc) - 1))); do
		grep -q "^ *[0-9.]* \[$(printf '%03d' $c)\] Switch " $b.tl && n=$((n + 1))
	done
	kt_is "$n" "$(nproc)" "capture $name: timeline.ktl has switches on every CPU before the exit"
	# the exit as the window's own record, as `timeline record --flight`
	# writes it, with the kind the kernel named (SCX_EXIT_*)
	case $3 in
	error) code=1024 ;; error_bpf) code=1025 ;; error_stall) code=1026 ;;
	unreg) code=64 ;; unreg_bpf) code=65 ;; unreg_kern) code=66 ;; *) code=0 ;;
	esac
	timeline dump -j $b/timeline.ktl 2>&1 | grep '"kind":"ScxExit"' >$b.tlexit
	kt_is "$(wc -l <$b.tlexit)" 1 "capture $name: timeline.ktl holds the exit's ScxExit record"
	kt_has $b.tlexit "\"exit_kind\":$code," "capture $name: its ScxExit names the kind $3 ($code)"
	kt_check "capture $name: the report's parts say nothing missing" grep -qx 'nothing missing' $b.report
}
