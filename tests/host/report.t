#!/bin/sh
# capture report --html in a real browser: Debian's headless chromium loads
# the page from file:// with the network cut off; no console errors, no
# request leaves file://; the DOM it dumps has one timeline lane per CPU,
# as many slices in the shown window as the bundle's Chrome export (an
# independent walk of the same records), the exit mark at the exit's
# time; a screenshot is kept as build/tests/report.png.  Negative controls
# prove that the console and network checks can fail.
. "$TOP/tests/tap.sh"
FX="$TOP/tests/fixtures"
OUT="$BUILD/tests"
mkdir -p "$OUT"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if "$KTBOX" capture report --help >/dev/null 2>&1; then
	html() { "$KTBOX" capture report --html "$1"; }
else	# until capture's report row exists: the same library through the unit driver
	html() { "$BUILD/tests/unit/test_report" render html "$1"; }
fi

# ---- the applet on the fixtures and on a live bundle -------------------------
if "$KTBOX" capture report --help >/dev/null 2>&1; then
	(cd "$TOP" && "$KTBOX" capture report tests/fixtures/bundle-error --width 100) > "$T/r.txt"
	cmp -s "$T/r.txt" "$FX/bundle-error/report.txt"; ok $? "applet: text = the golden"
	(cd "$TOP" && "$KTBOX" capture report --markdown tests/fixtures/bundle-stall) > "$T/r.md"
	cmp -s "$T/r.md" "$FX/bundle-stall/report.md"; ok $? "applet: markdown = the golden"
	"$KTBOX" capture report "$T/nope" 2> "$T/err" >/dev/null; is $? 1 "applet: a missing bundle exits 1"
	grep -q "capture: cannot read bundle: $T/nope: No such file" "$T/err"; ok $? "applet: and says why"
	"$KTBOX" capture report --width x "$FX/bundle-error" >/dev/null 2>&1; is $? 2 "applet: a bad --width is a usage error"
	if [ "$(id -u)" = 0 ] && timeout 120 "$KTBOX" capture now -o "$T/live.tar.gz" >/dev/null 2>&1; then
		for f in text markdown html; do
			timeout 60 "$KTBOX" capture report --$f "$T/live.tar.gz" -o "$T/live.$f"
			ok $? "live bundle (capture now, .tar.gz): $f report"
		done
		grep -q '^== parts' "$T/live.text"; ok $? "live: the parts section"
		is "$(head -1 "$T/live.text")" "$(tar -xzOf "$T/live.tar.gz" --wildcards '*/summary.txt' | head -1)" \
			"live: line 1 is summary.txt's"
		grep -q '<g class="lane"' "$T/live.html"; ok $? "live: the timeline has lanes"
	else
		skip "capture now needs root (and a working capture)"
	fi
else
	skip "capture report not built in (the unit driver renders below)"
fi

CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	skip "chromium not installed (make tools installs Debian's chromium)"
	done_testing
	exit
fi
# no network: every host name resolves nowhere, no proxy, no background
# services; the net log lists every request the page made
chrome() { # url, then extra flags
	u=$1
	shift
	HOME=$T timeout 90 "$CHROME" --headless=new --no-sandbox --disable-gpu --no-first-run \
		--disable-extensions --disable-background-networking --disable-sync \
		--disable-component-update --no-proxy-server --host-resolver-rules='MAP * ~NOTFOUND' \
		--user-data-dir="$T/profile" --enable-logging=stderr --v=0 \
		--log-net-log="$T/net.json" --window-size=1280,1600 "$@" "$u"
}
console_errors() { grep -E 'CONSOLE|Uncaught|Refused to' "$1"; }
# every http(s) request in the net log but the browser's own time, update
# and sign-in checks (made at start-up whatever the page; their hosts are
# not in the page, which is checked separately)
net_requests() {
	grep -oE '"url":"(https?|wss?|ftp)://[^/"]*' "$T/net.json" | sort -u |
		grep -vE '//(clients2\.google\.com|update\.googleapis\.com|accounts\.google\.com)$'
}

# the synthetic bundles and two a real guest wrote (tests/fixtures/vm)
for b in error stall vm/error vm/stall; do
	case $b in vm/*) bd=$FX/vm/bundle-${b#vm/} ;; *) bd=$FX/bundle-$b ;; esac
	b=$(echo "$b" | tr / -)
	page=$OUT/report-$b.html
	html "$bd" > "$page"
	ok $? "$b: html written"
	chrome "file://$page" --dump-dom > "$T/dom-$b.html" 2> "$T/log-$b"
	ok $? "$b: chromium loaded it from file://"
	console_errors "$T/log-$b" > "$T/c"
	is "$(cat "$T/c")" "" "$b: no console errors"
	is "$(net_requests)" "" "$b: no network request"
	# the shown (default) window: the svg marked data-default
	perl -0ne 'print $1 if /(<svg[^>]*data-default="1".*?<\/svg>)/s' "$T/dom-$b.html" |
		sed 's/></>\n</g' > "$T/svg-$b"
	lanes=$(grep -o '<g class="lane" data-cpu="[0-9]*"' "$T/svg-$b" | sort -u | wc -l)
	cpus=$("$KTBOX" timeline report -j "$bd/timeline.ktl" | grep -o '"cpu":[0-9]*' | sort -u | wc -l)
	is "$lanes" "$cpus" "$b: one lane per CPU ($cpus)"
	attr() { grep -o "<svg[^>]* $1=\"[0-9]*\"" "$T/svg-$b" | sed "s/.* $1=\"\([0-9]*\)\"/\1/"; }
	t0=$(attr data-t0)
	t1=$(attr data-t1)
	# the Chrome export (timeline export: an independent walk of the same
	# records; ts and dur in us) has as many slices overlapping [t0, t1]
	got=$(grep -o 'data-n="[0-9]*"' "$T/svg-$b" | tr -dc '0-9\n' | awk '{ s += $1 } END { print s + 0 }')
	"$KTBOX" timeline export "$bd/timeline.ktl" -o "$T/trace-$b.json"
	want=$(grep -o '"ph":"X"[^}]*"ts":[0-9.]*,"dur":[0-9.]*' "$T/trace-$b.json" |
		sed 's/.*"ts":\([0-9.]*\),"dur":\([0-9.]*\)/\1 \2/' |
		awk -v t0="$t0" -v t1="$t1" '$1 * 1000 < t1 && ($1 + $2) * 1000 > t0 { n++ } END { print n + 0 }')
	[ "$want" -gt 0 ]; ok $? "$b: the export has slices in the window"
	is "$got" "$want" "$b: slices in the window = the Chrome export's ($want)"
	# the exit line at x0 + (exit - t0) * w / (t1 - t0)
	exit_ns=$(tr -d ' \n' <"$bd/manifest.json" | sed 's/.*"exit":{"real_ns":[0-9]*,"mono_ns":\([0-9]*\)}.*/\1/')
	line=$(grep -o '<line class="exit"[^>]*' "$T/svg-$b")
	x0=$(attr data-x0)
	w=$(attr data-w)
	x1=$(echo "$line" | sed 's/.* x1="\([0-9.]*\)".*/\1/')
	ts=$(echo "$line" | sed 's/.*data-ts="\([0-9]*\)".*/\1/')
	is "$ts" "$exit_ns" "$b: the exit mark is the manifest's exit time"
	awk -v x="$x1" -v x0="$x0" -v w="$w" -v t0="$t0" -v t1="$t1" -v e="$exit_ns" \
		'BEGIN { want = x0 + (e - t0) * w / (t1 - t0); d = x - want; exit !(d < 0.6 && d > -0.6) }'
	ok $? "$b: at x $x1 for t $exit_ns in [$t0, $t1]"
	grep -q '<script' "$page"; ok $((! $?)) "$b: no script in the page"
	is "$(grep -oE '(https?|ftp|wss?)://[^ "<]*' "$page" | sort -u)" \
		"http://www.w3.org/2000/svg" "$b: no URL in the page but the SVG namespace"
done

chrome "file://$OUT/report-vm-error.html" --screenshot="$OUT/report.png" > /dev/null 2>&1
[ -s "$OUT/report.png" ]; ok $? "screenshot saved: $OUT/report.png"

# negative controls: a page that logs an error and fetches from the network
printf '<!DOCTYPE html><html><body><img src="http://example.invalid/x.png"><script>console.error("boom")</script></body></html>\n' > "$T/bad.html"
chrome "file://$T/bad.html" --dump-dom > /dev/null 2> "$T/log-bad"
console_errors "$T/log-bad" > /dev/null; ok $? "control: a console error is seen"
net_requests | grep -q 'example.invalid'; ok $? "control: a network request is seen"

done_testing
