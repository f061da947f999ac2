#!/bin/sh
# capture in the guest, figures only (tests/bench/capture.sh boots this):
# `capture run` of the test scheduler failing (-m error -n 50, and the
# stall), and `capture arm` with the scheduler started after it (arm-error),
# ROUNDS times each.  One line per run, read by the host:
#   CAPBENCH mode=M rc=N exit_to_bundle_ms=.. write_ms=.. peak_rss_kib=..
#     bundle_kib=.. tgz_bytes=.. seen_by=.. fds_ms=.. symbols_ms=..
#     enable_to_fds_ms=.. enable_to_symbols_ms=.. kallsyms=STATUS maps=STATUS
# debugfs is mounted so the manifest can relate its times to the kernel
# log's own "enabled" record (the scheduler debug header's clocks).
. /tests/lib.sh
mkdir -p /tmp/kt /sys/kernel/debug
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
ROUNDS=$(kt_arg rounds)
: "${ROUNDS:=3}"

num() { sed -n "s/.*\"$1\": \([-0-9.e+]*\).*/\1/p" "$2" | head -n 1; }
status() { grep -A1 "\"name\": \"$1\"" "$2" | sed -n 's/.*"status": "\([a-z]*\)".*/\1/p'; }
str() { sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" "$2" | head -n 1; }

one() {
	mode=$1 args=$2 b=/tmp/kt/capbench
	rm -rf $b $b.tar.gz
	case $mode in
	arm-*)
		# armed first (the timeline's BPF side loads for seconds under
		# TCG), then the scheduler: the enable is seen by the uevent
		capture arm -o $b --interval 0.2 --timeout 120 2>$b.err &
		cp=$!
		sleep "${ARM_WAIT:-10}"
		# shellcheck disable=SC2086
		scx_test $args >/dev/null 2>&1
		wait $cp
		rc=$?
		;;
	*)
		# shellcheck disable=SC2086
		capture run -o $b --interval 0.2 -- scx_test $args >/dev/null 2>$b.err
		rc=$?
		;;
	esac
	m=$b/manifest.json
	if [ ! -f $m ]; then
		echo "CAPBENCH mode=$mode rc=$rc no_bundle"
		tail -n 5 $b.err
		return
	fi
	# the same bundle as one .tar.gz: its size
	tar -czf $b.tar.gz -C /tmp/kt capbench 2>/dev/null
	echo "CAPBENCH mode=$mode rc=$rc exit_to_bundle_ms=$(num exit_to_bundle_ms $m)" \
		"write_ms=$(num write_ms $m) peak_rss_kib=$(num peak_rss_kib $m)" \
		"bundle_kib=$(du -sk $b | cut -f1) tgz_bytes=$(wc -c <$b.tar.gz)" \
		"trigger=$(str source $m) seen_by=$(str seen_by $m)" \
		"fds_ms=$(num fds_ms $m) symbols_ms=$(num symbols_ms $m)" \
		"enable_to_seen_ms=$(num enable_to_seen_ms $m)" \
		"enable_to_fds_ms=$(num enable_to_fds_ms $m)" \
		"enable_to_symbols_ms=$(num enable_to_symbols_ms $m)" \
		"kallsyms=$(status kallsyms $m) maps=$(status maps $m)"
}

i=0
while [ $i -lt "$ROUNDS" ]; do
	one error "-m error -n 50"
	one stall "-m stall"
	one arm-error "-m error -n 50"
	i=$((i + 1))
done
exit 0
