#!/bin/sh
# bpfdump against live maps: tests/host/bpfmaps_helper creates one map of
# every dumpable kind with BTF and known values (tests/unit/btf_fixture.h),
# a program using two of them that wrote two ring buffer records; every dump
# mode is compared exactly, and against bpftool -j map dump.
. "$TOP/tests/tap.sh"
T=$(mktemp -d)
HELPER="$BUILD/tests/host/bpfmaps_helper"
bd() { "$KTBOX" bpfdump "$@"; }

"$KTBOX" bpfdump --help | grep -q 'dump'; ok $? "--help lists the commands"
bd dump >/dev/null 2>&1; is $? 2 "dump without a target: usage error"
bd dump id x >/dev/null 2>&1; is $? 2 "dump id x: usage error"
bd dump frob 1 >/dev/null 2>&1; is $? 2 "unknown target: usage error"
bd list --type nope >/dev/null 2>&1; is $? 2 "list --type nope: usage error"

if [ "$(id -u)" != 0 ]; then
	skip "not root: bpf() needs CAP_SYS_ADMIN"
	done_testing
	exit
fi
if ! command -v jq >/dev/null 2>&1; then
	skip "jq missing (apt-get install jq): JSON comparisons need it"
	done_testing
	exit
fi

mkfifo "$T/hold"
"$HELPER" <"$T/hold" >"$T/ids" 2>"$T/helper.err" &
HPID=$!
exec 9>"$T/hold"	# the helper holds its maps until this closes
trap 'exec 9>&-; wait $HPID 2>/dev/null; rm -rf "$T"' EXIT
for i in $(seq 50); do grep -q '^ready' "$T/ids" && break; sleep 0.1; done
if ! grep -q '^ready' "$T/ids"; then
	ok 1 "helper created the maps: $(cat "$T/helper.err")"
	done_testing
	exit
fi
mid() { awk -v n="$1" '$1 == n { print $2; exit }' "$T/ids"; }
PROG=$(mid prog)

# ---- list, progs ------------------------------------------------------------
bd list -j >"$T/list.json"; ok $? "list -j"
is "$(jq -c --argjson id "$(mid kt_pchash)" '.[] | select(.id == $id) |
	[.type, .name, .bytes_key, .bytes_value, .max_entries, .btf_value_type_id > 0]' "$T/list.json")" \
	'["percpu_hash","kt_pchash",4,12,8,true]' "list: type, name, sizes, BTF ids"
is "$(jq --argjson id "$(mid kt_arr)" '.[] | select(.id == $id) | .prog_ids == ['"$PROG"']' "$T/list.json")" \
	true "list: the program using the map"
is "$(jq --argjson id "$(mid kt_arr)" --argjson p $HPID '.[] | select(.id == $id) | [.pids[].pid] | index($p) != null' "$T/list.json")" \
	true "list: the process holding it (fdinfo)"
is "$(jq --argjson id "$(mid kt.data)" '.[] | select(.id == $id) | .frozen' "$T/list.json")" 1 \
	"list: frozen from fdinfo"
is "$(jq --argjson id "$(mid kt_queue)" '.[] | select(.id == $id) | .not_dumpable | length > 0' "$T/list.json")" \
	true "list: queue says why it is not dumpable"
is "$(bd list --type ringbuf --name 'kt_*' | head -1 | cut -d' ' -f2-)" "ringbuf  name kt_ringbuf  flags 0x0" \
	"list --type --name"
bd progs -j >"$T/progs.json"; ok $? "progs -j"
is "$(jq -c --argjson id "$PROG" '.[] | select(.id == $id) | [.type, .name, (.map_ids | sort), (.tag | length)]' "$T/progs.json")" \
	"[\"socket_filter\",\"kt_rbprog\",$(echo "$(mid kt_ringbuf) $(mid kt_arr)" | tr ' ' '\n' | sort -n | paste -sd, | sed 's/^/[/;s/$/]/'),16]" \
	"progs: type, name, map ids, tag"

# ---- exact values -----------------------------------------------------------
V0='{"s32":-5,"s64":-1234567890123,"u32":4000000000,"c":"FX_RED","in":{"x":-7,"y":65535},"arr":[1,2,3],"bf1":5,"bf2":17,"bf3":-3,"f":1.5,"d":-0.25,"name":"alice","un":{"i":1069547520,"f":1.5},"flag":true,"ptr":18446612682375452280,"sc":-128,"ss":-300}'
V1='{"s32":-6,"s64":-1234567890123,"u32":4000000000,"c":"FX_GREEN","in":{"x":-7,"y":65535},"arr":[1,2,4],"bf1":5,"bf2":17,"bf3":-3,"f":1.5,"d":-0.25,"name":"bob","un":{"i":1069547520,"f":1.5},"flag":true,"ptr":18446612682375452280,"sc":-128,"ss":-300}'
# jq holds numbers as doubles: the 64-bit pointer is checked as text
V0=$(echo "$V0" | sed 's/"ptr":[0-9]*,//'); V1=$(echo "$V1" | sed 's/"ptr":[0-9]*,//')
bd dump id "$(mid kt_arr)" -j >"$T/arr.json"; ok $? "dump array -j"
is "$(grep -o '"ptr":[0-9]*' "$T/arr.json" | sort -u)" '"ptr":18446612682375452280' "pointer: unsigned number"
is "$(jq -c '[.[].formatted | del(.value.ptr)]' "$T/arr.json")" "[{\"key\":0,\"value\":$V0},{\"key\":1,\"value\":$V1}]" \
	"array: every BTF kind rendered exactly"
is "$(bd dump name kt_hash -j | jq -c '[.[].formatted | del(.value.ptr)] | sort_by(.key)')" \
	"[{\"key\":10,\"value\":$V0},{\"key\":11,\"value\":$V1}]" "hash by name: exact"
is "$(bd dump id "$(mid kt_lru)" -j | jq -c '[.[].formatted | [.key, .value]] | sort')" \
	'[[1,1000000000000],[2,2000000000000],[3,3000000000000]]' "lru_hash: exact"
NCPU=$(jq -n "$(sed 's/-/ as $a | [range(0; 1 + /; s/$/)] | length/' /sys/devices/system/cpu/possible)" 2>/dev/null)
[ -n "$NCPU" ] || NCPU=$(nproc)
for m in kt_pcarr kt_pchash; do
	bd dump id "$(mid $m)" -j >"$T/$m.json"
	is "$(jq '[.[] | .formatted as $f | $f.values[] | (.value.a == $f.key * 100 + .cpu and .value.b == .cpu and .value.c == 7)] | all' "$T/$m.json")" \
		true "$m: every CPU's value (a = key*100 + cpu) at the 8-byte stride"
	is "$(jq '[.[] | .values | length] | unique' -c "$T/$m.json")" "[$NCPU]" "$m: one value per possible CPU"
done
is "$(bd dump id "$(mid kt_lrupc)" -j | jq -c '[.[].formatted | .key, [.values[].value]]')" \
	"[5,[$(seq 0 $((NCPU - 1)) | sed 's/^/50/' | paste -sd,)]]" "lru_percpu_hash: per CPU"
is "$(bd dump id "$(mid kt.data)" -j | jq -c '.[0].formatted')" '{"value":{".data":[{"counter":42},{"tag":"hi"}]}}' \
	".data map: by DATASEC variable"
is "$(bd dump id "$(mid kt_aom)" -j | jq -c '[.[].inner_map_id]')" "[$(mid kt_inner),$(mid kt_inner2)]" \
	"array_of_maps: inner map ids"
bd dump id "$(mid kt_aom)" -r -j >"$T/rec.json"
is "$(jq -c '[.[].name]' "$T/rec.json")" '["kt_aom","kt_inner","kt_inner2"]' "--recursive: the inner maps follow"
is "$(jq -c '.[1].elements[1].formatted' "$T/rec.json")" '{"key":1,"value":4242}' "--recursive: inner values"
is "$(bd dump prog "$PROG" -j | jq -c '[.[].name] | sort')" '["kt_arr","kt_ringbuf"]' "dump prog ID: the program's maps"

# ---- ring buffer ------------------------------------------------------------
RB=$(mid kt_ringbuf)
bd dump id "$RB" -j >"$T/rb1.json"; bd dump id "$RB" -j >"$T/rb2.json"
is "$(jq -c '[.records[] | [.len, (.data | map(ltrimstr("0x")) | join(""))]]' "$T/rb1.json")" \
	'[[16,"217265636f72642d636f72642d6f6e65"],[5,"217265636f"]]' "ringbuf: both pending records, exact bytes"
is "$(jq -c '[.consumer_pos, .producer_pos, .pending_bytes]' "$T/rb2.json")" '[0,40,40]' \
	"ringbuf: a second dump sees the same positions (consumer not moved)"
cmp -s "$T/rb1.json" "$T/rb2.json"; ok $? "ringbuf: dumps are identical"

# ---- batch vs fallback, raw, text --------------------------------------------
for m in kt_arr kt_hash kt_lru kt_pcarr kt_pchash kt_lrupc kt_aom kt_hom kt.data; do
	bd dump id "$(mid $m)" -j >"$T/b.json"
	KTBOX_BPF_NO_BATCH=1 bd dump id "$(mid $m)" -j >"$T/f.json"
	is "$(jq -S -c 'sort_by(.key)' "$T/b.json")" "$(jq -S -c 'sort_by(.key)' "$T/f.json")" "$m: batch and fallback agree"
done
bd dump id "$(mid kt_hash)" | tail -1 | grep -q 'batch lookup'; ok $? "text: says batch lookup"
bd dump id "$(mid kt_hash)" --no-batch | tail -1 | grep -q 'get_next_key'; ok $? "--no-batch: the fallback"
is "$(bd dump id "$(mid kt_arr)" --raw -j | jq '[.[] | has("formatted")] | any')" false "--raw: no formatted"
bd dump id "$(mid kt_arr)" | grep -q '^  name: "alice"$'; ok $? "text: BTF members by name"
bd dump id "$(mid kt_queue)" >"$T/q.txt"; ok $? "not dumpable: exit 0"
grep -q '^not dumpable: queue (' "$T/q.txt"; ok $? "not dumpable: says so, with the type and why"
bd dump name kt_dup >/dev/null 2>"$T/dup.err"; is $? 1 "a name matching two maps: exit 1"
is "$(grep -c '^  id ' "$T/dup.err")" 2 "... listing both"
bd dump id 4000000000 >/dev/null 2>&1; is $? 1 "no such map: exit 1"
bd dump scx >/dev/null 2>"$T/scx.err"
if [ -e /sys/kernel/sched_ext/root/ops ]; then
	skip "a sched_ext scheduler is loaded here: dump scx checked in the VM suite"
else
	grep -q 'no sched_ext scheduler is loaded' "$T/scx.err"; ok $? "dump scx without a scheduler: says so"
fi

# ---- cross-check with bpftool -----------------------------------------------
if command -v bpftool >/dev/null 2>&1 || [ -x /usr/sbin/bpftool ]; then
	BT=$(command -v bpftool || echo /usr/sbin/bpftool)
	for m in kt_arr kt_hash kt_lru kt_pcarr kt_pchash kt_lrupc kt_aom kt_hom kt.data kt_inner; do
		id=$(mid $m)
		"$BT" -j map dump id "$id" >"$T/bt.json" 2>/dev/null
		bd dump id "$id" -j >"$T/kb.json"
		if jq -e . "$T/bt.json" >/dev/null 2>&1; then
			is "$(jq -S -c 'map({key, value, values, formatted}) | sort_by(.key)' "$T/bt.json")" \
			   "$(jq -S -c 'map({key, value, values, formatted}) | sort_by(.key)' "$T/kb.json")" \
			   "$m: every key, value and formatted agree with bpftool -j"
		else	# bpftool 7.1 prints invalid JSON here (floats): compare the bytes
			is "$(grep -o '"key":\[[^]]*\],"value":\[[^]]*\]' "$T/bt.json" | sort)" \
			   "$(grep -o '"key":\[[^]]*\],"value":\[[^]]*\]' "$T/kb.json" | sort)" \
			   "$m: every key and value agree with bpftool -j (its formatted is invalid JSON)"
		fi
	done
else
	skip "bpftool missing: no cross-check"
fi

# ---- pinned (private mount namespace with its own bpffs) ----------------------
if unshare -m true 2>/dev/null; then
	unshare -m sh -c '
		mount -t bpf bpf /sys/fs/bpf || exit 3
		mkdir -p /sys/fs/bpf/kt
		mkfifo "$1/hold2"
		"$2" /sys/fs/bpf/kt <"$1/hold2" >"$1/ids2" 2>/dev/null &
		exec 8>"$1/hold2"
		for i in $(seq 50); do grep -q "^ready" "$1/ids2" && break; sleep 0.1; done
		id=$(awk "\$1 == \"kt_hash\" { print \$2 }" "$1/ids2")
		"$3" bpfdump list -j >"$1/plist.json"
		"$3" bpfdump dump pinned /sys/fs/bpf/kt/kt_hash -j >"$1/pdump.json"
		echo "$id" >"$1/pid2"
		exec 8>&-
		wait' sh "$T" "$HELPER" "$KTBOX"
	is "$(jq -c --argjson id "$(cat "$T/pid2")" '.[] | select(.id == $id) | .pinned' "$T/plist.json")" \
		'["/sys/fs/bpf/kt/kt_hash"]' "list: the pinned path under /sys/fs/bpf"
	is "$(jq -c '[.[].formatted.key] | sort' "$T/pdump.json")" '[10,11]' "dump pinned PATH"
else
	skip "unshare -m not permitted: pinned paths not checked"
fi

# ---- watch, show --------------------------------------------------------------
BTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)
if [ -x "$BTOOL" ]; then
	L=$(mid kt_lru)
	"$KTBOX" bpfdump watch id "$L" -i 0.1 --trigger signal -o "$T/ring" 2>"$T/watch.err" 9>&- &
	W=$!
	sleep 0.4
	"$BTOOL" map update id "$L" key 2 0 0 0 value 9 0 0 0 0 0 0 0
	sleep 0.3
	"$BTOOL" map delete id "$L" key 3 0 0 0
	"$BTOOL" map update id "$L" key 7 0 0 0 value 1 0 0 0 0 0 0 0
	sleep 0.3
	kill -USR1 $W; wait $W; is $? 0 "watch: SIGUSR1 writes the ring, exit 0"
	is "$(jq -r '.schema + " " + .trigger' "$T/ring/manifest.json")" "ktbox-bpfdump-ring/1 signal" "watch: manifest"
	is "$(jq '[.snapshots[] | select(.final)] | length' "$T/ring/manifest.json")" 1 "watch: one final snapshot"
	is "$(jq '[.snapshots[] | (.real_ns > 0 and .mono_ns > 0)] | all' "$T/ring/manifest.json")" true \
		"watch: both capture times per snapshot"
	bd show "$T/ring" -j >"$T/show.json"; ok $? "show -j"
	# (keys sorted: the order of changes inside one snapshot is the hash's)
	is "$(jq -S -c '.maps[0] | [.final_entries, ([.changed[] | {(.key | tostring): [.history[] | (.value // "deleted")]}] | add)]' "$T/show.json")" \
		'[3,{"2":[2000000000000,9],"3":[3000000000000,"deleted"],"7":[1]}]' "show: each changed key over the ring, by BTF"
	is "$(jq '[.snapshots[] | select(.base | not) | .changes] | add' "$T/ring/manifest.json")" 3 \
		"watch: deltas hold only the changes (3)"
	bd show "$T/ring" | grep -q '^    snap [0-9]* (-[0-9]* ms): deleted$'; ok $? "show: text"
	# a short ring: the oldest go, the base rolls forward
	"$KTBOX" bpfdump watch id "$L" -i 0.05 --ring 3 --trigger signal -o "$T/ring3" 2>/dev/null 9>&- &
	W=$!
	sleep 0.2
	"$BTOOL" map update id "$L" key 2 0 0 0 value 10 0 0 0 0 0 0 0
	sleep 0.5
	kill -TERM $W; wait $W; is $? 0 "watch: SIGTERM writes what is held"
	is "$(jq -r '.trigger' "$T/ring3/manifest.json")" sigterm "watch: the trigger is named"
	is "$(jq '.snapshots | length' "$T/ring3/manifest.json")" 4 "--ring 3: three snapshots and the final one"
	is "$(jq '.dropped > 0' "$T/ring3/manifest.json")" true "--ring 3: the oldest were dropped"
	is "$(head -1 "$T/ring3/map-$L.jsonl" | jq -c '.base | map(select(.[0] == "02000000")) | .[0][1]')" \
		'"0a00000000000000"' "--ring 3: the base rolled forward through the dropped deltas"
	"$KTBOX" bpfdump watch id "$L" -i 0.05 --trigger signal -o "$T/ring3" 2>"$T/exists.err" 9>&- &
	W=$!; sleep 0.2; kill -USR1 $W; wait $W; is $? 1 "watch: an existing DIR is an error"
	is "$(ls -d "$T"/ring3.tmp-* 2>/dev/null | wc -l)" 0 "watch: no temporary left behind"
	"$KTBOX" bpfdump watch id "$(mid kt_hash)" --budget 1K -i 0.05 --trigger signal -o "$T/ringb" 2>"$T/budget.err" 9>&- &
	W=$!; sleep 0.3; kill -USR1 $W; wait $W
	grep -q 'byte budget reached' "$T/budget.err"; ok $? "--budget: reaching it is said"
	is "$(jq -r '.partial' "$T/ringb/manifest.json")" \
		"the byte budget was reached: later snapshots were not taken" "--budget: the ring says so"
else
	skip "bpftool missing: watch not checked (changes are made with it)"
fi

# ---- not root -----------------------------------------------------------------
if command -v setpriv >/dev/null 2>&1; then
	NR="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"
	$NR "$KTBOX" bpfdump list >/dev/null 2>"$T/eperm"; is $? 1 "not root: list exits 1"
	is "$(wc -l <"$T/eperm")" 1 "not root: one message"
	grep -q 'bpfdump: cannot enumerate BPF maps: Operation not permitted (needs CAP_SYS_ADMIN: run as root)' "$T/eperm"
	ok $? "not root: says what is needed ($(cat "$T/eperm"))"
	$NR "$KTBOX" bpfdump dump id "$(mid kt_arr)" >/dev/null 2>"$T/eperm2"; is $? 1 "not root: dump id exits 1"
	grep -q 'CAP_SYS_ADMIN' "$T/eperm2"; ok $? "not root: dump says what is needed"
else
	skip "setpriv missing: non-root not checked"
fi

done_testing
