#!/bin/sh
# kallsyms: parse speed, resolutions/s, table memory, and the same lookups
# done by python3 and awk on the same file.  Figures, not pass/fail.
# Environment (from run.sh): KTBOX BUILD TOP BENCH RUSAGE, CC (musl-gcc).
set -u
: "${BENCH:=$BUILD/bench}" "${CC:=musl-gcc}"
mkdir -p "$BENCH"
T=$BENCH/kallsyms.txt
NAMES=$BENCH/ks_names.txt
ADDRS=$BENCH/ks_addrs.txt
N=100000

# ---- the table: this host's /proc/kallsyms, plus modules if it has few -----
if ! [ -r /proc/kallsyms ] || ! grep -qv '^0* ' /proc/kallsyms; then
	echo "skipped: /proc/kallsyms unreadable or hidden (run as root)"
	exit 0
fi
cp /proc/kallsyms "$T"
note="this host's /proc/kallsyms"
nmod=$(grep -c '	\[' "$T")
if [ "$nmod" -lt 10000 ]; then
	# 150 modules x 200 symbols (text listed backwards, then data, and the
	# per-module duplicates init_module / cleanup_module / __this_module)
	# and 64 BPF programs, named after vmlinux functions, in the module area.
	awk '$2 == "t" && $4 == "" { n[c++] = $3 } END {
		for (m = 0; m < 150; m++) {
			base = 16777216 + m * 262144
			for (j = 199; j >= 0; j--)
				printf "ffffffffc%07x t %s\t[synth_mod_%d]\n", base + j * 256, n[(m * 200 + j) % c], m
			printf "ffffffffc%07x t init_module\t[synth_mod_%d]\n", base + 65536, m
			printf "ffffffffc%07x t cleanup_module\t[synth_mod_%d]\n", base + 65536 + 512, m
			printf "ffffffffc%07x d __this_module\t[synth_mod_%d]\n", base + 131072, m
			for (j = 1; j < 40; j++)
				printf "ffffffffc%07x d %s_data\t[synth_mod_%d]\n", base + 131072 + j * 64, n[(m * 40 + j) % c], m
		}
		for (j = 0; j < 64; j++)
			printf "ffffffffc%07x t bpf_prog_%016x_%s\t[bpf]\n", 67108864 + j * 4096, j * 7919, n[j]
	}' "$T" >>"$T"
	note="$note + 150 synthetic modules, 64 BPF programs"
fi
echo "table: $note: $(wc -l <"$T") lines, $(wc -c <"$T") bytes"

# ---- in-process figures (ktbox's compiler and flags: -Os, LTO, jemalloc) ---
drv=$BENCH/kallsyms_bench
$CC -std=gnu11 -Os -flto=auto -static -D_GNU_SOURCE -I"$TOP/lib" \
	-isystem "$BUILD/sysroot/include" -o "$drv" "$TOP/tests/bench/kallsyms_bench.c" \
	"$TOP/lib/kallsyms.c" "$TOP/lib/stacksym.c" "$TOP/lib/file.c" "$TOP/lib/buf.c" \
	-L"$BUILD/sysroot/lib" -ljemalloc -lpthread || { echo "driver build failed"; exit 1; }
"$drv" gen "$T" "$NAMES" "$ADDRS" $N || exit 1
"$drv" run "$T" "$NAMES" "$ADDRS" >"$BENCH/ks_figures.txt" || exit 1
fig() { awk -v k="$1" '$1 == k { print $2 }' "$BENCH/ks_figures.txt"; }

printf '\n%-44s %12s %10s\n' "lib/kallsyms (in process, thread CPU time, best of N)" \
	"measured" "target"
printf '%-44s %9s MB/s %10s\n' "parse ($(fig symbols) symbols, $(fig modules) modules)" \
	"$(fig parse_mb_s)" ">= 300"
printf '%-44s %9s ms\n' "  = time to parse the table" "$(fig parse_ms)"
printf '%-44s %9s M/s %11s\n' "resolve address -> %pS (100k vmlinux addrs)" "$(fig resolve_m_s)" ">= 5"
printf '%-44s %9s M/s\n' "resolve, uniform over the whole table" "$(fig resolve_random_m_s)"
printf '%-44s %9s M/s\n' "lookup name -> first match" "$(fig lookup_m_s)"
printf '%-44s %9s x %12s\n' "table memory / text size" \
	"$(awk -v m="$(fig mem_bytes)" -v t="$(fig text_bytes)" 'BEGIN { printf "%.2f", m / t }')" \
	"<= 1.5"
printf '%-44s %9s ms\n' "live /proc/kallsyms: kernel read" "$(fig live_read_ms)"
printf '%-44s %9s ms\n' "live /proc/kallsyms: parse on top" "$(fig live_parse_ms)"

# ---- side by side: parse + 100k name + 100k address lookups ----------------
cat >"$BENCH/ks_ref.py" <<'PY'
import bisect, sys

def main():
    tab, names, addrs = sys.argv[1:4]
    rows, first = [], {}
    with open(tab) as f:
        for line in f:
            p = line.split()
            if len(p) < 3:
                continue
            try:
                a = int(p[0], 16)
            except ValueError:
                continue
            rows.append((a, p[2]))
            first.setdefault(p[2], a)
    rows.sort(key=lambda r: r[0])
    keys = [r[0] for r in rows]
    out = []
    for n in open(names).read().split():
        a = first.get(n)
        out.append("none" if a is None else "%016x" % a)
    for line in open(addrs):
        a = int(line, 16)
        k = keys[bisect.bisect_right(keys, a) - 1]
        j, nxt = bisect.bisect_left(keys, k), bisect.bisect_right(keys, k)
        size = keys[nxt] - k if nxt < len(keys) else 0
        out.append("%016x %s+0x%x/0x%x" % (a, rows[j][1], a - k, size))
    sys.stdout.write("\n".join(out) + "\n")

main()
PY
cat >"$BENCH/ks_ref.awk" <<'AWK'
# sorted table on stdin (sort -s -k1,1), then NAMES, then ADDRS
function hex(s,   i, v) {
	v = 0
	for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}
FNR == 1 { f++ }
f == 1 {
	if (NF < 3) next
	if (!($3 in first)) first[$3] = $1
	if ($1 != last) { n++; key[n] = $1; nm[n] = $3; lo[n] = hex(substr($1, 5)); last = $1 }
	next
}
f == 2 { print (($1 in first) ? first[$1] : "none"); next }
{
	a = $1; l = 1; h = n
	while (l < h) { m = int((l + h + 1) / 2); if (key[m] <= a) l = m; else h = m - 1 }
	printf "%s %s+0x%x/0x%x\n", a, nm[l], hex(substr(a, 5)) - lo[l], (l < n ? lo[l + 1] - lo[l] : 0)
}
AWK
py() { python3 "$BENCH/ks_ref.py" "$T" "$NAMES" "$ADDRS"; }
ak() { LC_ALL=C sort -s -k1,1 "$T" | awk -f "$BENCH/ks_ref.awk" - "$NAMES" "$ADDRS"; }
cat >"$BENCH/ks_kt.sh" <<'SH'
"$KTBOX" kallsyms -f "$T" lookup - <"$NAMES" && "$KTBOX" kallsyms -f "$T" addr - <"$ADDRS"
SH
kt() { sh "$BENCH/ks_kt.sh"; }
export T NAMES ADDRS KTBOX BENCH
# answers first: the address halves must agree line for line
kt 2>/dev/null | tail -n $N >"$BENCH/ks_out_ktbox.txt"
same() { if cmp -s "$1" "$BENCH/ks_out_ktbox.txt"; then echo "same"; else echo "DIFFERENT"; fi; }
row() { # label, rusage output "us rss", answers
	printf '%-40s %9.1f ms %9.1f MiB   %s\n' "$1" "$(echo "$2" | awk '{ print $1 / 1000 }')" \
		"$(echo "$2" | awk '{ print $2 / 1024 }')" "$3"
}
printf '\n%-40s %12s %13s   %s\n' "parse + 100k names + 100k addresses" "wall" "peak RSS" \
	"address answers vs ktbox"
echo "(wall clock, mean of 3-5 runs: sensitive to other load on the machine)"
r=$("$RUSAGE" 5 sh "$BENCH/ks_kt.sh")
row "ktbox kallsyms (lookup -, then addr -)" "$r" \
	"(2 parses; prints all $("$KTBOX" kallsyms -f "$T" lookup - <"$NAMES" | wc -l) matches)"
printf '%-40s %9.1f ms %13s   %s\n' "lib/kallsyms in process (1 parse)" "$(fig workload_ms)" "" \
	"(%pS formatted, not printed)"
if command -v python3 >/dev/null; then
	py | tail -n $N >"$BENCH/ks_out_py.txt"
	r=$("$RUSAGE" 3 python3 "$BENCH/ks_ref.py" "$T" "$NAMES" "$ADDRS")
	row "python3 $(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])') (dict + bisect)" \
		"$r" "$(same "$BENCH/ks_out_py.txt")"
fi
ak | tail -n $N >"$BENCH/ks_out_awk.txt"
r=$("$RUSAGE" 3 sh -c "LC_ALL=C sort -s -k1,1 \"\$T\" | awk -f \"\$BENCH/ks_ref.awk\" - \"\$NAMES\" \"\$ADDRS\"")
row "sort | $(basename "$(readlink -f "$(command -v awk)")") (array + binary search)" "$r" \
	"$(same "$BENCH/ks_out_awk.txt")"
r=$("$RUSAGE" 5 "$KTBOX" kallsyms stats)
row "ktbox kallsyms stats on live /proc/kallsyms" "$r" "(kernel read + parse)"
