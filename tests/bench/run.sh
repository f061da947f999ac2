#!/bin/sh
# make bench: every tests/bench/*.sh piece, figures only (never pass/fail).
# Environment from make: KTBOX, BUILD, TOP, CC (musl-gcc).
set -u
: "${KTBOX:?}" "${BUILD:?}" "${TOP:?}"
BENCH=$BUILD/bench
mkdir -p "$BENCH"
gcc -O2 -o "$BENCH/rusage" "$TOP/tests/bench/rusage.c" || exit 1
export BENCH RUSAGE="$BENCH/rusage"
for piece in "$TOP"/tests/bench/*.sh; do
	case $piece in */run.sh) continue ;; esac
	echo
	echo "=== $(basename "$piece" .sh)"
	sh "$piece" || echo "(bench piece $(basename "$piece") failed: exit $?)"
done
