#!/bin/sh
# Fetch the VM suite's guest kernel: a Debian kernel with sched_ext.
#
#   tests/vm/fetch-kernel.sh BUILD_DIR [ARCH]
#
# ARCH amd64 (default) or arm64 (VM_KERNEL_ABI_ARM64, same version; result
# in BUILD_DIR/arm64/vm/kernel).
#
# Downloads, with the private apt configuration that deps/sysroot.sh set up
# under BUILD_DIR/apt (apt checks every .deb against the signed index):
#   linux-binary-ABI   vmlinuz
#   linux-base-ABI     config, System.map
# pinned in deps/versions.mk (VM_KERNEL_ABI, VM_KERNEL_VER).  If the pin has
# left the archive, the newest linux-binary-*-amd64 is taken instead and its
# config must have CONFIG_SCHED_CLASS_EXT=y and CONFIG_DEBUG_INFO_BTF=y.
#
# Also the guest's shell: busybox-static (VM_BUSYBOX_VER; newest if the pin is
# gone), so the host's busybox (often the dynamic one) does not matter.
#
# Result, cached until a pin changes: BUILD_DIR/vm/kernel/{vmlinuz,config,
# System.map,release,version,busybox}.  vmlinux.h for the BPF programs is not
# taken from here: bpf/fetch-vmlinux.sh fetches linux-bpf-dev on its own.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
B=$(mkdir -p "$1" && cd "$1" && pwd)
ARCH=${2:-amd64}
APT=$B/apt
eval "$(sed -n 's/^\(VM_[A-Z0-9_]*\) *:= *\(.*\)$/\1='"'"'\2'"'"'/p' "$top/deps/versions.mk")"
case $ARCH in
amd64) OUT=$B/vm/kernel WORK=$B/vm/kernel-work Q= console=CONFIG_SERIAL_8250_CONSOLE=y ;;
arm64)
	OUT=$B/arm64/vm/kernel WORK=$B/arm64/vm/kernel-work Q=:arm64
	console=CONFIG_SERIAL_AMBA_PL011_CONSOLE=y VM_KERNEL_ABI=$VM_KERNEL_ABI_ARM64 ;;
*) echo "fetch-kernel: unsupported architecture '$ARCH'" >&2; exit 2 ;;
esac
# the same apt options as the sysroot build (one definition, in deps/sysroot.sh)
eval "$(sed -n '/^APTOPT="/,/"$/p' "$top/deps/sysroot.sh")"

log() { printf '  VM      %s\n' "$*"; }
die() { printf 'fetch-kernel: %s\n' "$*" >&2; exit 1; }

stamp=$OUT/.stamp-$VM_KERNEL_ABI-$VM_KERNEL_VER-$(echo "$VM_BUSYBOX_VER" | tr : _)
[ -f "$stamp" ] && exit 0
[ -f "$APT/sources.list" ] || die "no private apt configuration in $APT (run make deps first)"

rm -rf "$WORK" && mkdir -p "$WORK"

# apt-get download PKG=VER... into $WORK; false if any is missing
download() {
	# shellcheck disable=SC2086
	(cd "$WORK" && apt-get $APTOPT download "$@" >>"$WORK/download.log" 2>&1)
}

abi=$VM_KERNEL_ABI ver=$VM_KERNEL_VER
pinned="linux-binary-$abi$Q=$ver linux-base-$abi$Q=$ver"
log "fetch linux-binary-$abi $ver (+ linux-base)"
# shellcheck disable=SC2086
if ! download $pinned; then
	log "pinned kernel not found: apt-get update"
	# shellcheck disable=SC2086
	apt-get $APTOPT update >"$APT/update.log" 2>&1 || { cat "$APT/update.log"; exit 1; }
	touch "$APT/updated"
	# shellcheck disable=SC2086
	if ! download $pinned; then
		# newest plain flavour (not cloud/rt/unsigned/dbg)
		pkg=$(apt-cache $APTOPT search --names-only "^linux-binary-[0-9].*-$ARCH\$" |
			cut -d' ' -f1 | grep -E "^linux-binary-[0-9][^ ]*\+[a-z0-9]+-$ARCH\$" |
			sed 's/^linux-binary-//' | sort -V | tail -n 1)
		[ -n "$pkg" ] || die "no linux-binary-*-$ARCH package in the archive"
		abi=$pkg
		ver=$(apt-cache $APTOPT policy "linux-binary-$abi$Q" | sed -n 's/^ *Candidate: //p')
		echo "fetch-kernel: WARNING: pinned kernel $VM_KERNEL_ABI $VM_KERNEL_VER is gone;" \
			"using linux-binary-$abi $ver (update deps/versions.mk)" >&2
		download "linux-binary-$abi$Q=$ver" "linux-base-$abi$Q=$ver" ||
			{ cat "$WORK/download.log" >&2; die "cannot download kernel $abi $ver"; }
	fi
fi

log "fetch busybox-static $VM_BUSYBOX_VER"
if ! download "busybox-static$Q=$VM_BUSYBOX_VER"; then
	echo "fetch-kernel: WARNING: busybox-static $VM_BUSYBOX_VER is gone; using the newest" >&2
	download "busybox-static$Q" || { cat "$WORK/download.log" >&2; die "cannot download busybox-static"; }
fi

for deb in "$WORK"/*.deb; do
	dpkg-deb -x "$deb" "$WORK/root"
done
mod=$WORK/root/usr/lib/modules/$abi
[ -f "$mod/vmlinuz" ] && [ -f "$mod/config" ] ||
	die "unexpected package layout (no vmlinuz or config for $abi)"
for opt in CONFIG_SCHED_CLASS_EXT=y CONFIG_DEBUG_INFO_BTF=y CONFIG_BPF_SYSCALL=y \
	$console CONFIG_DEVTMPFS=y CONFIG_RD_GZIP=y; do
	grep -qx "$opt" "$mod/config" || die "kernel $abi lacks $opt"
done
bb=$WORK/root/bin/busybox
[ -x "$bb" ] || bb=$WORK/root/usr/bin/busybox
[ -x "$bb" ] || die "no busybox in busybox-static"
LC_ALL=C readelf -l "$bb" | grep -q INTERP && die "busybox-static is not static"

rm -rf "$OUT" && mkdir -p "$OUT"
cp "$mod/vmlinuz" "$mod/config" "$OUT/"
cp "$mod/System.map" "$OUT/" 2>/dev/null || true
cp "$bb" "$OUT/busybox"
echo "$abi" >"$OUT/release"
echo "$ver" >"$OUT/version"
rm -rf "$WORK"
touch "$stamp"
log "kernel $abi ($ver) in $OUT"
