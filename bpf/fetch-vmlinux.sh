#!/bin/sh
# Fetch vmlinux.h for the BPF programs: Debian's linux-bpf-dev package
# (a BTF-generated header with the sched_ext types and kfuncs).
#
#   bpf/fetch-vmlinux.sh APT_DIR DEB_ARCH VERSION OUT_DIR
#
# APT_DIR is a private apt configuration as deps/sysroot.sh sets it up
# (sources.list with the suite that carries VERSION for DEB_ARCH); apt checks
# the .deb against the signed index.  The result, OUT_DIR/vmlinux.h, is cached
# with the stamp OUT_DIR/.stamp-DEB_ARCH-VERSION.  If VERSION has left the
# archive, the candidate version is taken with a warning, and must still have
# the sched_ext types.
set -eu

[ $# -eq 4 ] || { echo "usage: $0 APT_DIR DEB_ARCH VERSION OUT_DIR" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
APT=$(cd "$1" && pwd)
arch=$2 ver=$3
OUT=$(mkdir -p "$4" && cd "$4" && pwd)
# the same apt options as the sysroot build (one definition, in deps/sysroot.sh)
eval "$(sed -n '/^APTOPT="/,/"$/p' "$top/deps/sysroot.sh")"

log() { printf '  BPF     %s\n' "$*"; }
die() { printf 'fetch-vmlinux: %s\n' "$*" >&2; exit 1; }

stamp=$OUT/.stamp-$arch-$ver
[ -f "$stamp" ] && [ -f "$OUT/vmlinux.h" ] && exit 0
[ -f "$APT/sources.list" ] || die "no private apt configuration in $APT (run make deps first)"

WORK=$OUT/.work
rm -rf "$WORK" && mkdir -p "$WORK"
download() {
	# shellcheck disable=SC2086
	(cd "$WORK" && apt-get $APTOPT download "$@" >>"$WORK/download.log" 2>&1)
}

log "fetch linux-bpf-dev:$arch $ver (vmlinux.h)"
if ! download "linux-bpf-dev:$arch=$ver"; then
	log "linux-bpf-dev $ver not found: apt-get update"
	# shellcheck disable=SC2086
	apt-get $APTOPT update >"$APT/update.log" 2>&1 || { cat "$APT/update.log" >&2; exit 1; }
	touch "$APT/updated"
	if ! download "linux-bpf-dev:$arch=$ver"; then
		echo "fetch-vmlinux: WARNING: linux-bpf-dev $ver is gone; using the candidate" \
			"(update LINUX_BPF_DEV_VER in deps/versions.mk)" >&2
		download "linux-bpf-dev:$arch" ||
			{ cat "$WORK/download.log" >&2; die "cannot download linux-bpf-dev:$arch"; }
	fi
fi

deb=$(ls "$WORK"/linux-bpf-dev_*.deb)
dpkg-deb -x "$deb" "$WORK/root"
hdr=$(find "$WORK/root/usr/include" -path '*/linux/bpf/vmlinux.h' | head -n 1)
[ -n "$hdr" ] || die "unexpected package layout (no linux/bpf/vmlinux.h in $(basename "$deb"))"
grep -q 'struct sched_ext_ops {' "$hdr" || die "vmlinux.h of $(basename "$deb") has no sched_ext types"

rm -f "$OUT"/.stamp-*
cp "$hdr" "$OUT/vmlinux.h.tmp" && mv "$OUT/vmlinux.h.tmp" "$OUT/vmlinux.h"
dpkg-deb -f "$deb" Version >"$OUT/version"
rm -rf "$WORK"
touch "$stamp"
log "vmlinux.h from linux-bpf-dev:$arch $(cat "$OUT/version") in $OUT"
