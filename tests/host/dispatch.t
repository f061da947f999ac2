#!/bin/sh
# The dispatcher: argv[0] via symlink and hard link, `ktbox APPLET`,
# --list, --install with and without -s/-f, unknown applet or option.
. "$TOP/tests/tap.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

names=$("$KTBOX" --list)
is "$names" "bpfdump
hostctx
kallsyms
kmsgscx
timeline" "--list prints every applet, one per line"

"$KTBOX" >"$T/out"; ok $? "ktbox alone exits 0"
grep -q '^  hostctx  ' "$T/out"; ok $? "ktbox alone lists applets with summaries"
"$KTBOX" --help | cmp -s - "$T/out"; ok $? "--help prints the same usage"

"$KTBOX" nosuch >/dev/null 2>"$T/err"; is "$?" 2 "unknown applet: exit 2"
grep -q "ktbox: unknown applet 'nosuch'" "$T/err"; ok $? "unknown applet: message on stderr"
grep -q '^Usage:' "$T/err"; ok $? "unknown applet: usage on stderr"
"$KTBOX" --bogus >/dev/null 2>&1; is "$?" 2 "unknown option: exit 2"

v=$("$KTBOX" --version)
for lib in musl zlib libelf libbpf jemalloc; do
	echo "$v" | grep -Eq "^  $lib +[0-9v]"; ok $? "--version names $lib with a version"
done

# argv[0] selection through links
mkdir "$T/bin"
"$KTBOX" --install "$T/bin"; ok $? "--install DIR (hard links)"
for a in $names; do
	[ -f "$T/bin/$a" ] && [ ! -L "$T/bin/$a" ] && [ "$T/bin/$a" -ef "$KTBOX" ]
	ok $? "hard link $a is ktbox"
done
"$T/bin/kallsyms" --help >"$T/out" 2>&1
grep -qi 'kallsyms' "$T/out"; ok $? "applet chosen by argv[0] (hard link)"
"$KTBOX" --install "$T/bin"; ok $? "--install again replaces its own links"

mkdir "$T/sbin"
"$KTBOX" --install -s "$T/sbin"; ok $? "--install -s DIR (symlinks)"
[ -L "$T/sbin/hostctx" ] && [ "$T/sbin/hostctx" -ef "$KTBOX" ]; ok $? "symlink hostctx -> ktbox"
"$T/sbin/kmsgscx" --help >"$T/out" 2>&1
grep -qi 'kmsgscx' "$T/out"; ok $? "applet chosen by argv[0] (symlink)"

echo keep >"$T/sbin/timeline.tmp" && rm "$T/sbin/timeline" && echo foreign >"$T/sbin/timeline"
"$KTBOX" --install -s "$T/sbin" 2>"$T/err"; is "$?" 1 "--install refuses to replace a foreign file"
grep -q "refusing to replace '$T/sbin/timeline'" "$T/err"; ok $? "... and says which"
is "$(cat "$T/sbin/timeline")" foreign "... leaving it untouched"
"$KTBOX" --install -s -f "$T/sbin"; ok $? "--install -f replaces it"
[ "$T/sbin/timeline" -ef "$KTBOX" ]; ok $? "... with a link to ktbox"

"$KTBOX" --install 2>/dev/null; is "$?" 2 "--install without DIR: exit 2"
"$KTBOX" --install "$T/nope" 2>/dev/null; is "$?" 1 "--install into a missing dir: exit 1"

"$KTBOX" timeline >/dev/null 2>"$T/err"; is "$?" 1 "unimplemented applet exits 1"
grep -q "^timeline: not implemented yet" "$T/err"; ok $? "... and says so"
done_testing
