#!/bin/sh
# Size of ktbox and what dominates it; start-up cost and footprint.
set -u
kb() { awk -v b="$1" 'BEGIN { printf "%8.1f KiB", b / 1024 }'; }
sz() { stat -L -c %s "$1"; }
gz() { gzip -9 -c "$1" | wc -c; }

printf '%-34s %14s %14s\n' "binary" "stripped" "gzip -9"
printf '%-34s %s %s\n' "ktbox (all applets, 4 libraries)" "$(kb "$(sz "$KTBOX")")" "$(kb "$(gz "$KTBOX")")"
if [ -x "$BUILD/arm64/ktbox" ]; then
	printf '%-34s %s %s\n' "ktbox arm64 (make arm64)" "$(kb "$(sz "$BUILD/arm64/ktbox")")" "$(kb "$(gz "$BUILD/arm64/ktbox")")"
else
	printf '%-34s %s\n' "ktbox arm64" "(not built: make arm64)"
fi
for alt in /bin/busybox /usr/sbin/bpftool; do
	[ -e "$alt" ] || continue
	t=$(mktemp)
	strip -o "$t" "$alt" 2>/dev/null || cp "$alt" "$t"
	note=""
	readelf -lW "$alt" | grep -q INTERP && note=" + shared libs"
	printf '%-34s %s %s\n' "$(basename "$alt") (Debian)$note" "$(kb "$(sz "$t")")" "$(kb "$(gz "$t")")"
	rm -f "$t"
done
echo "goal: ktbox <= 1024.0 KiB stripped"

# Which library the bytes come from: LTO merges everything, so relink the
# same (fat) objects without LTO and sum the linker map's input sections per
# archive.  Figures are pre-LTO; the LTO binary is smaller overall.
echo
echo "size by origin (non-LTO relink, linker map, alloc sections):"
objs=$(find "$BUILD/obj" -name '*.o' | sort)
${CC:-musl-gcc} -static -Os -fno-lto -Wl,--gc-sections -Wl,-u,malloc -Wl,-u,mallctl \
	-Wl,-Map="$BENCH/ktbox.map" -o "$BENCH/ktbox.nolto" $objs \
	-L"$BUILD/sysroot/lib" -lbpf -lelf -lz -ljemalloc 2>"$BENCH/nolto.log" ||
	{ echo "  (relink failed: $(head -3 "$BENCH/nolto.log"))"; }
[ -f "$BENCH/ktbox.map" ] && awk '
	/^Discarded input sections/ { skip = 1 } /^Linker script and memory map/ { skip = 0 }
	skip { next }
	function add(sz, file,   o) {
		if (file ~ /libbpf\.a/) o = "libbpf"; else if (file ~ /libelf\.a/) o = "libelf"
		else if (file ~ /libz\.a/) o = "zlib"; else if (file ~ /libjemalloc\.a/) o = "jemalloc"
		else if (file ~ /musl|libc\.a|crt|libgcc/) o = "musl+libgcc"
		else if (file ~ /\/obj\//) o = "ktbox code"; else return
		tot[o] += sz; all += sz
	}
	/^ \.(text|rodata|data|init_array|fini_array|tdata|eh_frame)/ {
		if (NF >= 4 && $2 ~ /^0x/) add(strtonum_($3), $4)
		else pending = 1
		next
	}
	pending && NF >= 3 && $1 ~ /^0x/ { add(strtonum_($2), $3); pending = 0; next }
	{ pending = 0 }
	function strtonum_(h,   i, c, v) {
		h = tolower(substr(h, 3)); v = 0
		for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
		return v
	}
	END { for (o in tot) printf "  %-12s %9.1f KiB  %5.1f%%\n", o, tot[o] / 1024, 100 * tot[o] / all }
' "$BENCH/ktbox.map" | sort -k2 -n -r
[ -f "$BENCH/ktbox.nolto" ] && printf '  (non-LTO stripped: %s vs LTO %s)\n' \
	"$(strip -o "$BENCH/s" "$BENCH/ktbox.nolto" && kb "$(sz "$BENCH/s")")" "$(kb "$(sz "$KTBOX")")"

# Start-up: ktbox --version vs a static musl hello world, same run.
echo
cat >"$BENCH/hello.c" <<'C'
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
C
${CC:-musl-gcc} -static -Os -o "$BENCH/hello" "$BENCH/hello.c" && strip "$BENCH/hello"
N=2000
set -- $($RUSAGE $N "$BENCH/hello")
h_us=$1 h_rss=$2
set -- $($RUSAGE $N "$KTBOX" --version)
k_us=$1 k_rss=$2
printf 'start-up (%d execs each)        %10s %10s\n' $N "us/exec" "peak RSS"
printf '  static musl hello world         %10s %7s KiB\n' "$h_us" "$h_rss"
printf '  ktbox --version                 %10s %7s KiB\n' "$k_us" "$k_rss"
if [ -x /bin/busybox ]; then
	set -- $($RUSAGE $N /bin/busybox true)
	printf '  busybox true (Debian static)    %10s %7s KiB\n' "$1" "$2"
fi
awk -v a="$k_us" -v b="$h_us" 'BEGIN { printf "  ktbox / hello ratio: %.2fx\n", a / b }'
