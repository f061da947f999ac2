#!/bin/sh
# capture report on a large bundle: the error fixture with its timeline
# replaced by a synthetic capture of EVENTS events on 8 CPUs (about 7 s), the
# exit at its last event.  Figures: render time of text, Markdown and HTML
# (best of 3), HTML size, slices aggregated.  Side by side: what
# `timeline report` and `timeline export` (the Chrome trace a user would
# open in Perfetto instead) take on the same capture.
#
#	TOP BUILD KTBOX from the environment (run.sh sets them); REPORT_BENCH_EVENTS
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${BUILD:=$TOP/build}"
: "${KTBOX:=$BUILD/ktbox}"
EVENTS=${REPORT_BENCH_EVENTS:-1000000}
: "${CC:=musl-gcc}"
BENCH=$BUILD/bench
mkdir -p "$BENCH"
gen=$BENCH/timeline_gen
[ -x "$gen" ] || $CC -std=gnu11 -O2 -static -D_GNU_SOURCE -I"$TOP/lib" -I"$TOP/bpf" \
	-isystem "$BUILD/sysroot/include" -o "$gen" "$TOP/tests/bench/timeline_gen.c" \
	"$BUILD/libkt.a" -L"$BUILD/sysroot/lib" -lbpf -lelf -lz -ljemalloc || exit 1
b=$BENCH/bundle-1m
rm -rf "$b"
cp -r "$TOP/tests/fixtures/bundle-error" "$b"
rm -f "$b"/report.*
"$gen" "$EVENTS" "$b/timeline.ktl" || exit 1
# no exit time in the manifest: the report takes the timeline's last event
sed -i 's/"exit":{[^}]*},//' "$b/manifest.json"
render() { # fmt -> seconds (best of 3)
	best=
	for i in 1 2 3; do
		s=$(date +%s%N)
		"$@" > "$BENCH/report.out" || return 1
		e=$(( $(date +%s%N) - s ))
		[ -z "$best" ] || [ "$e" -lt "$best" ] && best=$e
	done
	echo "$best" | awk '{ printf "%.3f s", $1 / 1e9 }'
}
if "$KTBOX" capture report --help >/dev/null 2>&1; then
	R="$KTBOX capture report"
	T=--text M=--markdown H=--html
else
	R="$BUILD/tests/unit/test_report render"
	T=text M=markdown H=html
fi
n=$("$KTBOX" timeline info -j "$b/timeline.ktl" | sed 's/.*"records":\([0-9]*\).*/\1/')
echo "capture report on a bundle with $n timeline records (8 CPUs):"
echo "  text      $(render $R $T "$b")"
echo "  markdown  $(render $R $M "$b")  ($(wc -c < "$BENCH/report.out") bytes)"
echo "  html      $(render $R $H "$b")"
cp "$BENCH/report.out" "$BENCH/report-1m.html"
echo "  html size $(wc -c < "$BENCH/report-1m.html") bytes, $(grep -o 'class="s agg"' "$BENCH/report-1m.html" | wc -l) aggregated rects, $(grep -o 'class="s"' "$BENCH/report-1m.html" | wc -l) plain"
echo "  peer: timeline report $(render "$KTBOX" timeline report "$b/timeline.ktl"), timeline export (Chrome trace) $(render "$KTBOX" timeline export "$b/timeline.ktl") ($(wc -c < "$BENCH/report.out") bytes)"
