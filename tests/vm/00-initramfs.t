#!/bin/bash
# The initramfs builder (no VM): reproducible images, the tree the kernel and
# the applets need, --add/--init, the gen_init_cpio list, bad arguments.
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}" "${BUILD:=$TOP/build}" "${KTBOX:=$BUILD/ktbox}"
MK=$BUILD/mkinitramfs
n=0
ok() { echo "ok $((n += 1)) - $*"; }
nok() { echo "not ok $((n += 1)) - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
if [ ! -x "$MK" ] || [ ! -x "$KTBOX" ]; then
	echo "1..0 # skip $MK or $KTBOX not built"
	exit 0
fi
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

mkdir -p "$t/extra/sub" && echo hello >"$t/extra/sub/a.txt" && echo '#!/bin/sh' >"$t/init"
chmod 755 "$t/init" && chmod 600 "$t/extra/sub/a.txt" && ln -s a.txt "$t/extra/sub/l"
args=(-k "$KTBOX" -i "$t/init" -a "$t/extra:/opt/x" -a "$t/extra/sub/a.txt:/etc/a")
check "builds an image" "$MK" "${args[@]}" -o "$t/1.gz"
touch "$t/extra/sub/a.txt" "$t/init"   # new mtimes must not matter
sleep 1
check "builds it again" "$MK" "${args[@]}" -o "$t/2.gz"
check "same inputs give a byte-identical image" cmp -s "$t/1.gz" "$t/2.gz"
SOURCE_DATE_EPOCH=1700000000 "$MK" "${args[@]}" -o "$t/3.gz"
check "SOURCE_DATE_EPOCH changes the dates" bash -c "! cmp -s '$t/1.gz' '$t/3.gz'"
check "gzip stream is valid" gzip -t "$t/1.gz"
hdr=$(od -An -tx1 -N10 "$t/1.gz" | tr -d ' \n')
check "gzip header: no name, mtime 0 ($hdr)" test "${hdr:0:8}" = 1f8b0800 -a "${hdr:8:8}" = 00000000

if command -v cpio >/dev/null; then
	zcat "$t/1.gz" | cpio -it --quiet >"$t/list" 2>/dev/null
	check "entries are sorted" cmp -s "$t/list" <(LC_ALL=C sort "$t/list")
	for p in bin/ktbox dev/console proc sys/fs/bpf sys/kernel/tracing tmp init opt/x/sub/a.txt \
		opt/x/sub/l etc/a; do
		check "image has /$p" grep -qx "$p" "$t/list"
	done
	for a in $("$KTBOX" --list); do
		check "image has /bin/$a" grep -qx "bin/$a" "$t/list"
	done
	zcat "$t/1.gz" | cpio -itv --quiet --numeric-uid-gid 2>/dev/null >"$t/long"
	check "every entry is owned by 0:0" bash -c "awk '\$3 != 0 || \$4 != 0' '$t/long' | grep -q . && exit 1 || exit 0"
	check "/dev/console is char 5,1" grep -qE '^crw------- +1 +0 +0 +5, +1 .* dev/console$' "$t/long"
	check "/bin/hostctx -> ktbox" grep -qE ' bin/hostctx -> ktbox$' "$t/long"
	check "file modes normalised (0600 source -> 0644)" grep -qE '^-rw-r--r-- .* opt/x/sub/a.txt$' "$t/long"
	mkdir "$t/x" && (cd "$t/x" && zcat "$t/1.gz" | cpio -id --quiet 2>/dev/null)
	check "extracted /opt/x/sub/a.txt has the content" grep -qx hello "$t/x/opt/x/sub/a.txt"
	check "extracted /bin/kallsyms runs ktbox by its name" \
		bash -c "'$t/x/bin/kallsyms' --help 2>&1 | grep -q kallsyms"
else
	echo "# skip cpio listing checks: cpio not installed"
fi

"$MK" "${args[@]}" --gen-init-cpio >"$t/gen" 2>&1
check "--gen-init-cpio exits 0" test $? -eq 0
check "list: dir /sys/fs/bpf" grep -qx 'dir /sys/fs/bpf 0755 0 0' "$t/gen"
check "list: nod /dev/console" grep -qx 'nod /dev/console 0600 0 0 c 5 1' "$t/gen"
check "list: file /bin/ktbox with its absolute path" \
	grep -qx "file /bin/ktbox $(realpath "$KTBOX") 0755 0 0" "$t/gen"
check "list: slink /bin/kmsgscx ktbox" grep -qx 'slink /bin/kmsgscx ktbox 0777 0 0' "$t/gen"
if [ -f "$t/list" ]; then
	check "list and image hold the same paths" \
		cmp -s <(awk '{ print substr($2, 2) }' "$t/gen") "$t/list"
fi

"$MK" -k "$KTBOX" -a nosuchfile:/x -o "$t/bad.gz" 2>"$t/err"
check "--add of a missing file: exit 1" test $? -eq 1
check "--add of a missing file: says which" grep -q nosuchfile "$t/err"
check "no image left behind on failure" test ! -e "$t/bad.gz"
"$MK" -o "$t/bad.gz" 2>/dev/null
check "no --ktbox: usage error, exit 2" test $? -eq 2
"$MK" -k "$KTBOX" -a nocolon -o "$t/bad.gz" 2>/dev/null
check "--add without DEST: exit 1" test $? -eq 1
"$MK" -k "$KTBOX" -a "$t/init:/../x" -o "$t/bad.gz" 2>/dev/null
check "--add DEST with '..': exit 1" test $? -eq 1
echo "1..$n"
