#!/bin/sh
# Why the shipped flags: relink ktbox's sources with each step of the size
# recipe (the sysroot libraries stay as built: -Os, fat LTO objects).
set -u
S=$BUILD/sysroot
cd "$TOP" || exit 1
SRCS="main.c $(ls lib/*.c applets/*.c)"
BASE="-std=gnu11 -I. -Ilib -Iapplets -Ibpf -isystem $S/include -D_GNU_SOURCE
 -DKTBOX_VERSION=\"bench\" -DKT_LIBBPF_DEBVER=\"bench\" -fstack-protector-strong -g0"
LD="-static -Wl,-z,relro,-z,now -Wl,-u,malloc -Wl,-u,mallctl -L$S/lib -lbpf -lelf -lz -ljemalloc"
out=$BENCH/flags.bin
try() {
	name=$1
	shift
	# shellcheck disable=SC2086
	if ${CC:-musl-gcc} $BASE "$@" -o "$out" $SRCS $LD 2>"$BENCH/flags.log" &&
		strip -R .comment "$out"; then
		printf '  %-44s %8.1f KiB\n' "$name" "$(awk -v b="$(stat -c %s "$out")" 'BEGIN { print b / 1024 }')"
	else
		printf '  %-44s failed: %s\n' "$name" "$(head -1 "$BENCH/flags.log")"
	fi
}
echo "stripped size by compiler/linker flags:"
try "-O2" -O2 -fno-lto
try "-Os" -Os -fno-lto
try "-Os, sections + --gc-sections" -Os -fno-lto -ffunction-sections -fdata-sections -Wl,--gc-sections
try "  + LTO" -Os -flto=auto -ffunction-sections -fdata-sections -Wl,--gc-sections
try "  + no unwind tables, no build-id (shipped)" -Os -flto=auto -ffunction-sections \
	-fdata-sections -Wl,--gc-sections -fno-asynchronous-unwind-tables -Wl,--build-id=none
rm -f "$out"
