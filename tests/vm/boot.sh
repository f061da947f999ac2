# Sourced by the tests/vm/*.t scripts (bash): boot the guest once and turn
# what its script printed on the serial console into TAP.
#
#   vm_boot NAME SCRIPT SMP NUMA    e.g. vm_boot guest /tests/suite.sh 2 1
#
# The guest's "KT: ok - ..." lines become numbered TAP lines after two host
# checks (the guest booted; its script ran to the end); the plan comes last.
# The console log is kept in $BUILD/vm/logs/NAME.log.
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${BUILD:=$TOP/build}"
VM_KERNEL_IMG=$BUILD/vm/kernel/vmlinuz
VM_IMAGE=$BUILD/vm/guest.cpio.gz

vm_boot() {
	local name=$1 script=$2 smp=$3 numa=$4 log rc n=0 line t0 t1 release
	if [ ! -f "$VM_KERNEL_IMG" ] || [ ! -f "$VM_IMAGE" ]; then
		echo "1..0 # skip no guest kernel or image (make vm-kernel vm-image)"
		exit 0
	fi
	if ! command -v qemu-system-x86_64 >/dev/null; then
		echo "1..0 # skip qemu-system-x86_64 not installed"
		exit 0
	fi
	release=$(cat "$BUILD/vm/kernel/release")
	mkdir -p "$BUILD/vm/logs"
	log=$BUILD/vm/logs/$name.log
	t0=$(date +%s.%N)
	sh "$TOP/tests/vm/qemu-run.sh" -q -k "$VM_KERNEL_IMG" -i "$VM_IMAGE" -r "$script" \
		-s "$smp" -n "$([ "$numa" -gt 1 ] && echo "$numa" || echo 0)" -t 300 -l "$log" \
		-a "ktbox.smp=$smp ktbox.numa=$numa ktbox.release=$release" 2>"$log.runner"
	rc=$?
	t1=$(date +%s.%N)
	local accel
	accel=$(sed -n 's/^qemu-run: accel=\([a-z]*\).*/\1/p' "$log.runner")
	if grep -q KTBOX-BOOTED "$log"; then
		echo "ok $((n += 1)) - $name: guest booted ($accel, -smp $smp, $numa NUMA node(s))"
	else
		echo "not ok $((n += 1)) - $name: guest booted ($accel)"
	fi
	if [ $rc -eq 0 ]; then
		echo "ok $((n += 1)) - $name: guest script $script ran to the end"
	else
		echo "not ok $((n += 1)) - $name: guest script $script ran to the end (runner exit $rc)"
		sed 's/^/# /' "$log.runner"
		tr -d '\r' <"$log" | tail -n 30 | sed 's/^/# console: /'
	fi
	echo "# $name: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s in qemu, log in $log"
	while IFS= read -r line; do
		case $line in
		"KT: ok - "* | "KT: not ok - "*)
			line=${line#KT: }
			echo "${line%% - *} $((n += 1)) - ${line#* - }"
			;;
		"KT: #"*) echo "${line#KT: }" ;;
		esac
	done < <(tr -d '\r' <"$log")
	echo "1..$n"
}
