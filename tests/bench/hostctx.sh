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
first=$(awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }')
later=$(awk -v a="$t100" -v b="$t1" 'BEGIN { print (a - b) / 99 }')
echo
echo "per snapshot, in process (start-up subtracted):"
printf '  %-36s %s\n' "first (static + dynamic fields)" "$(ms "$first")"
printf '  %-36s %s\n' "each of snapshots 2..100" "$(ms "$later")"
awk -v f="$first" -v l="$later" 'BEGIN { if (l > 0) printf "  later snapshots are %.1fx cheaper (goal >= 2x)\n", f / l }'
echo "  goals: <= 2 ms per cold snapshot; peak RSS <= 4096 KiB"
