#!/bin/sh
# Man pages from the help texts (help2man), so they cannot drift from them:
# ktbox.1 from `ktbox --help`, APPLET.1 from `APPLET --help`, gzip -n.
#
#   pkg/mkman.sh KTBOX OUTDIR VERSION [RUNNER]
#
# The one-line summaries come from applets/applets.h (the applet table).
# RUNNER runs a binary of another architecture (e.g. qemu-aarch64-static).
# SOURCE_DATE_EPOCH fixes the date in the pages (help2man honours it).
set -eu

[ $# -ge 3 ] || { echo "usage: $0 KTBOX OUTDIR VERSION [RUNNER]" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
k=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$2 version=$3 runner=${4:-}
rm -rf "$out" && mkdir -p "$out/run"

# page NAME SUMMARY ARGS...: a wrapper named NAME, so help2man names the page
page() {
	name=$1 summary=$2
	shift 2
	printf '#!/bin/sh\nexec %s "%s" %s "$@"\n' "$runner" "$k" "$*" >"$out/run/$name"
	chmod +x "$out/run/$name"
	help2man -N --no-discard-stderr --version-string="$version" -n "$summary" \
		-S ktbox -o "$out/$name.1" "$out/run/$name" ||
		{ echo "mkman: help2man failed for $name" >&2; exit 1; }
	gzip -n -9 -f "$out/$name.1"
}

page ktbox "capture tools for sched_ext scheduler tests, in one static binary"
sed -n 's/^[[:space:]]*X(\([a-z0-9_]*\), *"\(.*\)").*/\1 \2/p' "$top/applets/applets.h" |
while read -r name summary; do
	page "$name" "$summary" "$name"
done
rm -rf "$out/run"
