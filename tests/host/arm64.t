#!/bin/sh
# The arm64 cross build (make arm64 = make ARCH=arm64 all check-unit):
# a static, stripped aarch64 binary, the BPF objects for the target, and
# the binary and its unit tests run under qemu-aarch64-static, giving the
# same answers as the amd64 build.
#
# Skips when build/arm64 was not built; KT_ARM64=1 (set by .ci/run) makes
# a missing build or emulator a failure instead.
. "$TOP/tests/tap.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
A=$BUILD/arm64
K=$A/ktbox

absent() {
	if [ "${KT_ARM64:-0}" = 1 ]; then ok 1 "$1 (KT_ARM64=1)"; else skip "$1"; fi
	done_testing; exit
}
[ -x "$K" ] || absent "no $K (make arm64 builds it)"

file -L "$K" >"$T/file"
grep -q 'ARM aarch64' "$T/file"; ok $? "file(1): ARM aarch64"
grep -q 'statically linked' "$T/file"; ok $? "file(1): statically linked"
grep -q ', stripped' "$T/file"; ok $? "file(1): stripped"
if readelf -lW "$K" | grep -q INTERP; then r=1; else r=0; fi
ok $r "no PT_INTERP program header"
readelf -lW "$K" | grep -q GNU_RELRO; ok $? "RELRO segment"
readelf -lW "$K" | grep GNU_STACK | grep -q ' RW '; ok $? "non-executable stack"

# the BPF programs for the target: CO-RE against linux-bpf-dev:arm64
o=$A/bpf/obj/scx_test.bpf.o
file "$o" 2>/dev/null | grep -q 'eBPF'; ok $? "scx_test.bpf.o is an eBPF object"
readelf -SW "$o" 2>/dev/null | grep -q ' \.BTF '; ok $? "scx_test.bpf.o keeps .BTF"
grep -q 'struct sched_ext_ops {' "$A/bpf/include/vmlinux.h" 2>/dev/null; ok $? "arm64 vmlinux.h has the sched_ext types"
[ -s "$A/gen/scx_test.skel.h" ]; ok $? "arm64 skeleton generated"
file -L "$A/vm/sched/scx_test" 2>/dev/null | grep -q 'ARM aarch64.*statically linked'; ok $? "scx_test loader: static aarch64"

q=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
[ -n "$q" ] || absent "no qemu-aarch64-static (make ARCH=arm64 tools installs qemu-user-static)"

"$q" "$K" --version >"$T/ver" 2>&1; ok $? "qemu: ktbox --version"
grep -Eq '^  musl +1\.2\.[0-9]' "$T/ver"; ok $? "qemu: --version names musl"
is "$("$q" "$K" --list)" "$("$KTBOX" --list)" "qemu: --list is the amd64 build's"
"$q" "$K" hostctx -j >"$T/hc" 2>"$T/err"; ok $? "qemu: hostctx -j"
perl -MJSON::PP -0777 -ne '$h = decode_json($_); exit !($h->{total_memory_kib} > 0)' "$T/hc"
ok $? "qemu: hostctx -j is JSON with total_memory_kib"
"$q" "$K" kallsyms stats >"$T/ks" 2>"$T/err"; ok $? "qemu: kallsyms stats"
grep -q '^symbols: *[1-9]' "$T/ks"; ok $? "qemu: kallsyms stats counts live symbols"
# the live table changes as BPF programs come and go: compare saved tables
for f in mixed.txt kallsyms_all.txt; do
	"$q" "$K" kallsyms -f "$TOP/tests/fixtures/kallsyms/$f" stats >"$T/ks.a" 2>&1
	"$KTBOX" kallsyms -f "$TOP/tests/fixtures/kallsyms/$f" stats >"$T/ks.x" 2>&1
	cmp -s "$T/ks.a" "$T/ks.x"; ok $? "qemu: kallsyms stats of $f is byte-identical to amd64's"
done
for f in both_origins.txt console_interleaved.txt dmesg_612.txt; do
	"$q" "$K" kmsgscx -j -f "$TOP/tests/fixtures/kmsg/$f" >"$T/k.a" 2>&1
	"$KTBOX" kmsgscx -j -f "$TOP/tests/fixtures/kmsg/$f" >"$T/k.x" 2>&1
	cmp -s "$T/k.a" "$T/k.x"; ok $? "qemu: kmsgscx -j on $f is byte-identical to amd64's"
done

# the unit tests, built for arm64 by make arm64
n=0
for t in "$A"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	TOP=$TOP "$q" "$t" >"$T/u" 2>&1
	r=$?
	[ $r -eq 0 ] && ! grep -q '^not ok' "$T/u"
	ok $? "qemu: unit $(basename "$t") ($(grep -c '^ok' "$T/u") ok)"
	[ $r -eq 0 ] || sed -n '/^not ok/p' "$T/u" | head -5 | sed 's/^/# /'
done
[ $n -gt 0 ] || absent "no arm64 unit tests (make arm64 builds them)"
done_testing
