#!/bin/sh
# The dispatcher: argv[0] via symlink and hard link, `ktbox APPLET`,
# --list, --install with and without -s/-f, unknown applet or option.
. "$TOP/tests/tap.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

names=$("$KTBOX" --list)
# the applets are the files of applets/: --list must name each, in order
is "$names" "$(ls "$TOP"/applets/*.c | sed 's|.*/||; s|\.c$||' | LC_ALL=C sort)" \
	"--list prints every applet of applets/, one per line"
for a in $names; do
	"$KTBOX" $a --help >"$T/out" 2>&1; ok $? "$a --help exits 0"
	head -n 1 "$T/out" | grep -q "^usage: $a"; ok $? "$a --help starts with 'usage: $a'"
	"$KTBOX" $a help >/dev/null 2>&1; ok $? "$a help exits 0"
done

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

for a in $names; do
	grep -q 'planned(' "$TOP/applets/$a.c" || continue
	c=$("$KTBOX" $a --help | sed -n '/^Commands:/{n;s/^  *\([a-z]*\).*/\1/p;q}')
	"$KTBOX" $a $c >/dev/null 2>"$T/err"; is "$?" 1 "unimplemented $a $c exits 1"
	grep -q "^$a: $c: not implemented yet" "$T/err"; ok $? "... and says so"
done
done_testing
