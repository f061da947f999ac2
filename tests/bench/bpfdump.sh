#!/bin/sh
# bpfdump: dump time and peak RSS of a 1M-entry hash (4-byte key, 8- and
# 64-byte values), 100k ARRAY and PERCPU_ARRAY, text and JSON, next to
# bpftool map dump / bpftool -j map dump on the same map and to a bare
# batch-lookup loop that writes nothing (the floor).  Figures, not pass/fail.
# Environment (from run.sh): KTBOX BUILD TOP BENCH RUSAGE, CC (musl-gcc).
set -u
: "${BENCH:=$BUILD/bench}" "${CC:=musl-gcc}"
mkdir -p "$BENCH"
if [ "$(id -u)" != 0 ]; then
	echo "skipped: bpf() needs root"
	exit 0
fi
HELPER=$BUILD/tests/host/bpfmaps_helper
BT=$(command -v bpftool || echo /usr/sbin/bpftool)
FLOOR=$BENCH/bpf_floor
$CC -std=gnu11 -O2 -static -D_GNU_SOURCE -isystem "$BUILD/sysroot/include" -o "$FLOOR" \
	"$TOP/tests/bench/bpf_floor.c" -L"$BUILD/sysroot/lib" -lbpf -lelf -lz || {
	echo "floor build failed"; exit 1; }
[ -x "$HELPER" ] || { echo "skipped: $HELPER missing (make check builds it)"; exit 0; }
RUNS=${BPFDUMP_BENCH_RUNS:-5}

# t N CMD...: "seconds_per_run max_rss_MiB"
t() {
	n=$1; shift
	"$RUSAGE" "$n" "$@" | awk '{ printf "%.3f %.1f", $1 / 1e6, $2 / 1024 }'
}

row() {	# label seconds rss floor_seconds [bpftool_json_seconds]
	awk -v l="$1" -v s="$2" -v m="$3" -v f="$4" -v b="${5:-}" 'BEGIN {
		x = (b != "" && s > 0) ? sprintf("%6.1fx", b / s) : "      "
		printf "  %-34s %8.3f s %8.1f MiB %6.2fx floor %s\n", l, s, m, (f > 0 ? s / f : 0), x }'
}

bench_map() {	# title helper-args...
	title=$1; shift
	mkfifo "$BENCH/hold.$$"
	"$HELPER" "$@" <"$BENCH/hold.$$" >"$BENCH/ids.$$" &
	hp=$!
	exec 7>"$BENCH/hold.$$"
	for i in $(seq 600); do grep -q '^ready' "$BENCH/ids.$$" && break; sleep 0.1; done
	id=$(awk 'NR == 1 { print $2 }' "$BENCH/ids.$$")
	if [ -z "$id" ] || ! grep -q '^ready' "$BENCH/ids.$$"; then
		echo "$title: helper failed"; exec 7>&-; rm -f "$BENCH/hold.$$" "$BENCH/ids.$$"; return
	fi
	echo "$title (map id $id, $("$FLOOR" "$id") entries; load $(cut -d' ' -f1-3 /proc/loadavg))"
	# interleaved rounds (each tool once a round, so load changes hit all alike);
	# the median round of each; bpftool once (it takes seconds to minutes)
	for r in $(seq "$RUNS"); do
		echo "fl $(t 1 "$FLOOR" "$id")"
		echo "kj $(t 1 "$KTBOX" bpfdump dump id "$id" -j)"
		echo "kt $(t 1 "$KTBOX" bpfdump dump id "$id")"
		echo "kr $(t 1 "$KTBOX" bpfdump dump id "$id" --raw -j)"
	done >"$BENCH/runs.$$"
	med() { awk -v k="$1" '$1 == k { print $2, $3 }' "$BENCH/runs.$$" | sort -n |
		awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'; }
	set -- $(med fl); fl=$1; flm=$2
	set -- $(t 1 "$BT" -j map dump id "$id"); btj=$1; btjm=$2
	set -- $(t 1 "$BT" map dump id "$id"); btt=$1; bttm=$2
	row "floor: batch lookups, no output" "$fl" "$flm" "$fl"
	row "bpftool -j map dump" "$btj" "$btjm" "$fl" "$btj"
	row "bpftool map dump" "$btt" "$bttm" "$fl" "$btj"
	set -- $(med kj); row "bpfdump dump -j" "$1" "$2" "$fl" "$btj"
	set -- $(med kt); row "bpfdump dump (text)" "$1" "$2" "$fl" "$btj"
	set -- $(med kr); row "bpfdump dump --raw -j" "$1" "$2" "$fl" "$btj"
	rm -f "$BENCH/runs.$$"
	set -- $(KTBOX_BPF_NO_BATCH=1 t 1 "$KTBOX" bpfdump dump id "$id" -j)
	row "bpfdump -j, get_next_key fallback" "$1" "$2" "$fl" "$btj"
	# same output as bpftool (entry by entry, in the same order)?
	"$BT" -j map dump id "$id" 2>/dev/null | md5sum | cut -c1-8 >"$BENCH/bt.md5"
	"$KTBOX" bpfdump dump id "$id" -j | md5sum | cut -c1-8 >"$BENCH/kb.md5"
	if cmp -s "$BENCH/bt.md5" "$BENCH/kb.md5"; then
		echo "  (bpfdump -j output is byte-identical to bpftool -j)"
	fi
	exec 7>&-
	wait $hp
	rm -f "$BENCH/hold.$$" "$BENCH/ids.$$"
	echo
}

printf '%-36s %10s %12s %12s %s\n' "  dump" "wall" "peak RSS" "vs floor" "bpftool -j / this"
echo "  (wall: the median of $RUNS interleaved rounds; bpftool: one run)"
bench_map "hash, 1M entries, 4-byte key, 8-byte value" --big 1000000 8
bench_map "hash, 1M entries, 4-byte key, 64-byte value (struct of 8 u64)" --big 1000000 64
bench_map "array, 100k entries, 8-byte value" --array 100000 array
bench_map "percpu_array, 100k entries, 8-byte value, $(cat /sys/devices/system/cpu/possible) CPUs" \
	--array 100000 percpu_array

# ---- watch: snapshot cost with 1% of a 1M-entry hash changing -------------------
SB=$BENCH/bpfsnap_bench
if [ -f "$BUILD/libkt.a" ] && $CC -std=gnu11 -Os -static -D_GNU_SOURCE -I"$TOP/lib" \
	-isystem "$BUILD/sysroot/include" -o "$SB" "$TOP/tests/bench/bpfsnap_bench.c" \
	"$BUILD/libkt.a" -L"$BUILD/sysroot/lib" -lbpf -lelf -lz -ljemalloc -lpthread; then
	"$SB" 1000000 >"$BENCH/snap.txt"
	f() { awk -v k="$1" '$1 == k { print $2 }' "$BENCH/snap.txt"; }
	echo "watch (lib/bpfsnap) on a 1M-entry hash, 1% of the entries changed between snapshots"
	printf '  %-44s %10s ms\n' "first snapshot (full base)" "$(f first_snapshot_ms)"
	printf '  %-44s %10s ms\n' "each later snapshot (walk + delta)" "$(f delta_snapshot_ms)"
	printf '  %-44s %10s bytes\n' "ring bytes added per snapshot ($(f changes_per_snapshot) changes)" \
		"$(f delta_bytes_per_snapshot)"
	printf '  %-44s %10s bytes\n' "base + current tables" "$(f base_bytes)"
	printf '  %-44s %10s ms\n' "writing the ring (atomic directory)" "$(f write_ring_ms)"
else
	echo "watch bench: driver build failed (needs $BUILD/libkt.a: make)"
fi
