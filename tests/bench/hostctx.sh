#!/bin/sh
# hostctx: one cold snapshot next to `cat` of the same files (the floor) and
# `lscpu -J`; syscalls; later snapshots of an -n 100 run; peak RSS.
# Figures only.  Environment from tests/bench/run.sh: KTBOX, BENCH, RUSAGE.
set -u
: "${KTBOX:?}" "${BENCH:?run through make bench}" "${RUSAGE:?run through make bench}"
N=300
ms() { awk -v u="$1" 'BEGIN { printf "%7.3f ms", u / 1000 }'; }

# The files one snapshot opens (successful opens, from strace).
if command -v strace >/dev/null 2>&1; then
	strace -f -e trace=open,openat -o "$BENCH/hc.st" "$KTBOX" hostctx -j >/dev/null
	# ignore jemalloc's own start-up reads (opened before /proc/meminfo)
	files=$(awk -F'"' '/proc\/meminfo/ { go = 1 } go && !/= -1/ && /open/ { print $2 }' \
		"$BENCH/hc.st" | while read -r f; do [ -f "$f" ] && echo "$f"; done)
	nfiles=$(echo "$files" | wc -l)
	nopen=$(awk -F'"' '/proc\/meminfo/ { go = 1 } go && /open/' "$BENCH/hc.st" | wc -l)
	strace -f -c -o "$BENCH/n100.sc" "$KTBOX" hostctx -j -n 100 >/dev/null
	sc100=$(awk '/total$/ { print $(NF-2) }' "$BENCH/n100.sc")
	strace -f -c -o "$BENCH/hc.sc" "$KTBOX" hostctx -j >/dev/null
	sc=$(awk '/total$/ { print $(NF-2) }' "$BENCH/hc.sc")
	strace -f -c -o "$BENCH/v.sc" "$KTBOX" hostctx --help >/dev/null
	base=$(awk '/total$/ { print $(NF-2) }' "$BENCH/v.sc")
	# shellcheck disable=SC2086
	strace -f -c -o "$BENCH/cat.sc" cat $files >/dev/null 2>&1
	catsc=$(awk '/total$/ { print $(NF-2) }' "$BENCH/cat.sc")
	strace -f -c -o "$BENCH/lscpu.sc" lscpu -J >/dev/null 2>&1
	lscpusc=$(awk '/total$/ { print $(NF-2) }' "$BENCH/lscpu.sc")
	echo "syscalls (strace -f -c):"
	printf '  %-36s %6s   (%s files/dirs opened, %s regular files read; start-up alone: %s)\n' \
		"ktbox hostctx -j" "$sc" "$nopen" "$nfiles" "$base"
	printf '  %-36s %6s\n' "cat of the same $nfiles files" "$catsc" "lscpu -J" "$lscpusc"
	printf '  %-36s %6s   (%s per later snapshot)\n' "ktbox hostctx -j -n 100" "$sc100" \
		"$(( (sc100 - sc) / 99 ))"
	echo "  goal: hostctx syscalls - start-up <= opens + 20: $((sc - base)) <= $((nopen + 20))"
else
	files="/proc/cpuinfo /proc/meminfo /proc/cmdline"
	echo "strace not installed: no syscall counts"
fi

echo
echo "wall time per run ($N runs) and peak RSS:"
row() {
	label=$1
	shift
	set -- $("$RUSAGE" "$N" "$@")
	printf '  %-36s %s   peak RSS %6s KiB\n' "$label" "$(ms "$1")" "$2"
	last=$1
}
row "ktbox hostctx --help (start-up)" "$KTBOX" hostctx --help; t0=$last
row "ktbox hostctx -j (one cold snapshot)" "$KTBOX" hostctx -j; t1=$last
row "ktbox hostctx (human)" "$KTBOX" hostctx
# shellcheck disable=SC2086
row "cat of the same files (floor)" cat $files
command -v lscpu >/dev/null 2>&1 && row "lscpu -J" lscpu -J
N=30
row "ktbox hostctx -j -n 100" "$KTBOX" hostctx -j -n 100; t100=$last
later=$(awk -v a="$t100" -v b="$t1" 'BEGIN { print (a - b) / 99 }')
printf '  %-36s %s\n' "=> each of snapshots 2..100" "$(ms "$later")"
echo "  (process-level figures: start-up $(ms "$t0"), noisy on a loaded machine)"

# In process, without the process start-up: lib/ linked into a loop.
cat >"$BENCH/hcloop.c" <<'C'
#include <stdio.h>
#include <time.h>
#include "hostctx.h"
static double us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}
int main(void)
{
	struct hc_collector col;
	struct hostctx c;
	double t, first = 0, later;
	int n = 200;

	for (int i = 0; i < n; i++) {	/* a fresh collector: cold static part */
		hc_collector_init(&col, NULL);
		t = us();
		hc_collect(&col, &c);
		first += us() - t;
		hc_free(&c);
		hc_collector_free(&col);
	}
	hc_collector_init(&col, NULL);
	hc_collect(&col, &c);
	hc_free(&c);
	t = us();
	for (int i = 0; i < 1000; i++) {
		hc_collect(&col, &c);
		hc_free(&c);
	}
	later = (us() - t) / 1000;
	printf("%.1f %.1f\n", first / n, later);
	return 0;
}
C
if ${CC:-musl-gcc} -std=gnu11 -O2 -I"$TOP/lib" -isystem "$BUILD/sysroot/include" -static \
	-o "$BENCH/hcloop" "$BENCH/hcloop.c" "$BUILD"/obj/lib/*.o -L"$BUILD/sysroot/lib" \
	-lbpf -lelf -lz -ljemalloc 2>"$BENCH/hcloop.log"; then
	set -- $("$BENCH/hcloop")
	echo
	echo "per snapshot, in process (lib/ in a loop, no process start-up):"
	printf '  %-36s %7s us\n' "first (fresh collector, cold)" "$1" "later (static part cached)" "$2"
	awk -v f="$1" -v l="$2" 'BEGIN { printf "  later snapshots are %.1fx cheaper (goal >= 2x)\n", f / l }'
else
	echo "(in-process loop did not build: $(head -2 "$BENCH/hcloop.log"))"
fi
echo "  goals: <= 2 ms per cold snapshot; peak RSS <= 4096 KiB"
