#!/bin/sh
# make install / uninstall (PREFIX, DESTDIR), the man pages and the bash
# completion generated from the help texts, and the .deb: lintian, dpkg
# install into a scratch root, run, remove.
. "$TOP/tests/tap.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
applets=$("$KTBOX" --list)

# ---- make install -------------------------------------------------------------
D=$T/dest P=/opt/kt
make -s --no-print-directory -C "$TOP" install DESTDIR="$D" PREFIX="$P" >"$T/log" 2>&1
ok $? "make install DESTDIR=… PREFIX=/opt/kt"
cmp -s "$KTBOX" "$D$P/bin/ktbox"; ok $? "bin/ktbox is build/ktbox"
n=0
for a in $applets; do [ "$(readlink "$D$P/bin/$a")" = ktbox ] && n=$((n + 1)); done
is "$n" "$(echo "$applets" | wc -l)" "bin/APPLET -> ktbox for every applet"
"$D$P/bin/hostctx" --help >/dev/null; ok $? "the installed hostctx link runs"
n=0
for a in ktbox $applets; do [ -s "$D$P/share/man/man1/$a.1.gz" ] && n=$((n + 1)); done
is "$n" "$(($(echo "$applets" | wc -l) + 1))" "a man page per applet and ktbox.1"
# the pages come from the help texts: every option of the help is in the page
zcat "$D$P/share/man/man1/kmsgscx.1.gz" >"$T/kmsgscx.1"
grep -q '^\.TH KMSGSCX "1"' "$T/kmsgscx.1"; ok $? "kmsgscx.1 is a section 1 page"
miss=""
for o in $("$KTBOX" kmsgscx --help | grep -oE '^ +(-[a-z], )?--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+'); do
	grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" "$T/kmsgscx.1" || miss="$miss $o"
done
is "$miss" "" "kmsgscx.1 documents every long option of kmsgscx --help"
c=$D$P/share/bash-completion/completions
bash -n "$c/ktbox"; ok $? "bash completion parses"
[ "$(readlink "$c/hostctx")" = ktbox ]; ok $? "completion link per applet"
comp() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _ktbox; echo "${COMPREPLY[*]}"' _ "$c/ktbox" "$@"
}
is "$(comp ktbox hostc)" hostctx "completion: ktbox hostc -> hostctx"
is "$(comp hostctx '')" "$("$KTBOX" hostctx --help | awk '/^Commands:/ {on=1; next} on && /^$/ {exit} on {print $1}' | tr '\n' ' ' | sed 's/ $//')" \
	"completion: hostctx sub-commands are the help's"
is "$(comp kmsgscx --fol)" --follow "completion: kmsgscx --fol -> --follow"
is "$(comp ktbox hostctx diff --o)" --output "completion: options of the sub-command"
make -s --no-print-directory -C "$TOP" uninstall DESTDIR="$D" PREFIX="$P" >>"$T/log" 2>&1
ok $? "make uninstall"
left=$(find "$D" -type f -o -type l)
is "$left" "" "uninstall leaves no file behind"

# ---- the release tarball ---------------------------------------------------------
tb=$(ls "$BUILD"/ktbox-*-amd64.tar.gz 2>/dev/null | tail -n 1)
mkdir "$T/tb"
tar -C "$T/tb" -xzf "$tb" 2>/dev/null; ok $? "make tarball wrote $(basename "${tb:-none}"), it unpacks"
"$T/tb/usr/local/bin/kallsyms" --help >/dev/null; ok $? "tarball: usr/local/bin/kallsyms runs"
[ -s "$T/tb/usr/local/share/man/man1/kallsyms.1.gz" ]; ok $? "tarball: man pages"
[ "$(tar -tzvf "$tb" | awk '$2 != "0/0"' | wc -l)" -eq 0 ]; ok $? "tarball: every entry owned by 0/0"

# ---- the .deb ---------------------------------------------------------------------
deb=$(ls "$BUILD"/ktbox_*_amd64.deb 2>/dev/null | tail -n 1)
[ -f "$deb" ]; ok $? "make deb wrote $(basename "${deb:-none}")"
dpkg-deb -f "$deb" Package Architecture >"$T/ctl"
is "$(cat "$T/ctl")" "Package: ktbox
Architecture: amd64" "control: package ktbox, amd64"
if command -v lintian >/dev/null 2>&1; then
	lintian --allow-root --fail-on error "$deb" >"$T/lintian" 2>&1
	ok $? "lintian: no errors"
	grep '^E:' "$T/lintian" | sed 's/^/# /'
else
	skip "no lintian (make tools installs it)"
fi
R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
: >"$R/var/lib/dpkg/status"
: >"$R/var/lib/dpkg/available"
dpk() { dpkg --root="$R" --force-not-root --force-script-chrootless --log=/dev/null "$@"; }
dpk -i "$deb" >"$T/dpkg" 2>&1; ok $? "dpkg -i into a scratch root"
"$R/usr/bin/hostctx" --help >"$T/help" 2>&1; ok $? "installed hostctx --help exits 0"
grep -q 'hostctx' "$T/help"; ok $? "... and prints hostctx's help"
dpk -s ktbox 2>/dev/null | grep -q '^Status: install ok installed'; ok $? "dpkg: ktbox installed"
dpk -r ktbox >>"$T/dpkg" 2>&1; ok $? "dpkg -r"
left=$(find "$R/usr" \( -type f -o -type l \) 2>/dev/null)
is "$left" "" "dpkg -r removes every file"
done_testing
