#!/bin/sh
# The OCI image (make oci, pkg/mkoci.sh): reproducible, read by skopeo,
# unpacked by umoci, run by runc with a read-only root and no /etc.
. "$TOP/tests/tap.sh"
T=$(mktemp -d)
cid=ktbox-oci-t-$$
trap 'runc delete -f "$cid" >/dev/null 2>&1; rm -rf "$T"' EXIT
OCI=$BUILD/oci
applets=$("$KTBOX" --list | tr '\n' ,)

# ---- the image itself (no tools beyond tar and sha256sum) --------------------
mk() { sh "$TOP/pkg/mkoci.sh" -k "$KTBOX" -o "$1" -a "$applets" -V 1.0 -r abc -s https://example.org/ktbox -t 1700000000 -T t; }
d1=$(mk "$T/a") && d2=$(mk "$T/b"); ok $? "mkoci.sh builds twice"
is "$d1" "$d2" "same inputs, same manifest digest"
cmp -s "$T/a/ktbox.oci.tar" "$T/b/ktbox.oci.tar"; ok $? "same inputs, byte-identical oci-archive"
d3=$(sh "$TOP/pkg/mkoci.sh" -k "$KTBOX" -o "$T/c" -a "$applets" -V 1.1 -r abc -t 1700000000 -T t)
[ "$d3" != "$d1" ]; ok $? "another version label, another digest"

[ -f "$OCI/ktbox.oci.tar" ] && [ -f "$OCI/layout/index.json" ]; ok $? "make oci wrote build/oci/layout and build/oci/ktbox.oci.tar"
tag=$(sed -n 's/.*"org.opencontainers.image.ref.name":"\([^"]*\)".*/\1/p' "$OCI/layout/index.json")
[ -n "$tag" ]; ok $? "index.json names the image ($tag)"
# the one layer: only bin/, bin/ktbox and one link per applet, root-owned
man=$(sed -n 's/.*"manifests":\[{[^}]*"digest":"sha256:\([0-9a-f]*\)".*/\1/p' "$OCI/layout/index.json")
layer=$(sed -n 's/.*"layers":\[{[^}]*"digest":"sha256:\([0-9a-f]*\)".*/\1/p' "$OCI/layout/blobs/sha256/$man")
tar -tzvf "$OCI/layout/blobs/sha256/$layer" >"$T/layer" 2>&1; ok $? "the layer is a gzip tar"
want=$(printf 'bin/\nbin/ktbox\n'; "$KTBOX" --list | sed 's,^,bin/,')
is "$(awk '{print $6}' "$T/layer" | LC_ALL=C sort)" "$(echo "$want" | LC_ALL=C sort)" "layer holds bin/, bin/ktbox and one entry per applet"
[ "$(awk '$2 != "0/0"' "$T/layer" | wc -l)" -eq 0 ]; ok $? "every entry is owned by 0/0"
[ "$(grep -c ' -> ktbox$' "$T/layer")" -eq "$("$KTBOX" --list | wc -l)" ]; ok $? "applets are symlinks to ktbox"

# ---- skopeo, umoci, runc ----------------------------------------------------
missing=""
for t in skopeo umoci runc; do command -v $t >/dev/null 2>&1 || missing="$missing $t"; done
if [ -n "$missing" ]; then
	skip "no$missing (make tools installs them, as root)"
	done_testing; exit
fi
skopeo inspect "oci-archive:$OCI/ktbox.oci.tar" >"$T/inspect" 2>"$T/err"; ok $? "skopeo inspect reads the oci-archive"
grep -q '"Architecture": "amd64"' "$T/inspect"; ok $? "skopeo: architecture amd64"
[ "$(perl -MJSON::PP -0777 -ne 'print scalar @{decode_json($_)->{Layers}}' "$T/inspect")" = 1 ]; ok $? "skopeo: one layer"
grep -q '"org.opencontainers.image.version": "'"$tag"'"' "$T/inspect"; ok $? "skopeo: version label"
skopeo inspect --config "oci:$OCI/layout:$tag" >"$T/config" 2>>"$T/err"; ok $? "skopeo inspect --config reads the layout"
perl -MJSON::PP -0777 -ne '$c = decode_json($_); exit !(join(" ", @{$c->{config}{Entrypoint}}) eq "/bin/ktbox")' "$T/config"
ok $? "config: entrypoint /bin/ktbox"

if [ "$(id -u)" != 0 ]; then
	skip "runc run needs root"
	done_testing; exit
fi
umoci unpack --image "$OCI/layout:$tag" "$T/bundle" >"$T/umoci.log" 2>&1; ok $? "umoci unpack makes a runtime bundle"
[ ! -e "$T/bundle/rootfs/etc" ]; ok $? "the root filesystem has no /etc"
# run ARGV... in the bundle: read-only root, no terminal, stdin passed on
run() {
	perl -MJSON::PP -0777 -e '
		my $f = shift; open my $h, "<", $f or die; my $c = decode_json(<$h>); close $h;
		$c->{process}{terminal} = JSON::PP::false; $c->{process}{args} = [@ARGV];
		$c->{root}{readonly} = JSON::PP::true;
		open $h, ">", $f or die; print $h encode_json($c); close $h' "$T/bundle/config.json" "$@" &&
	runc run --bundle "$T/bundle" "$cid"
}
run /bin/ktbox --list >"$T/list" 2>"$T/err"; ok $? "runc: ktbox --list"
"$KTBOX" --list | cmp -s - "$T/list"; ok $? "runc: --list is the applet list"
run /bin/hostctx -j >"$T/hostctx" 2>"$T/err"; ok $? "runc: hostctx -j (via the applet link)"
perl -MJSON::PP -0777 -ne '$h = decode_json($_); exit !($h->{total_memory_kib} > 0)' "$T/hostctx"
ok $? "runc: hostctx -j is JSON with total_memory_kib"
run /bin/kallsyms stats >"$T/ks" 2>"$T/err"; ok $? "runc: kallsyms stats"
grep -q '^symbols: *[1-9]' "$T/ks"; ok $? "runc: kallsyms stats counts symbols"
log=$TOP/tests/fixtures/kmsg/both_origins.txt
run /bin/kmsgscx -j -f - <"$log" >"$T/kmsg" 2>"$T/err"; ok $? "runc: kmsgscx -f - on a piped log"
"$KTBOX" kmsgscx -j -f - <"$log" | cmp -s - "$T/kmsg"; ok $? "runc: kmsgscx output is the host's"
run /bin/hostctx -o /x.json >/dev/null 2>"$T/err"; is "$?" 1 "runc: writing to the read-only root fails (exit 1)"
grep -q 'Read-only file system' "$T/err"; ok $? "runc: ... because the root is read-only"
[ ! -e "$T/bundle/rootfs/etc" ]; ok $? "no /etc after the runs either"
done_testing
