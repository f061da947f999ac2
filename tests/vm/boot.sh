# Sourced by the tests/vm/*.t scripts (bash): boot the guest once and turn
# what its script printed on the serial console into TAP.
#
#   vm_boot NAME SCRIPT SMP NUMA    e.g. vm_boot guest /tests/suite.sh 2 1
#
# The guest's "KT: ok - ..." lines become numbered TAP lines after two host
# checks (the guest booted; its script ran to the end); the plan comes last.
# The console log is kept in $BUILD/vm/logs/NAME.log.
# VM_ARCH=arm64 boots the arm64 guest of `make arm64` (build/arm64/vm) with
# qemu-system-aarch64; with KT_ARM64=1 (CI) a missing guest is a failure.
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${BUILD:=$TOP/build}"
VM_ARCH=${VM_ARCH:-amd64}
# VM_TMO: the guest's whole run in seconds (a hung guest fails at it); the
# defaults leave room for the suite under TCG on a loaded 2-core machine
if [ "$VM_ARCH" = amd64 ]; then
	VMD=$BUILD/vm VM_QEMU=qemu-system-x86_64 VM_TMO=${VM_TMO:-600}
else
	VMD=$BUILD/$VM_ARCH/vm VM_QEMU=qemu-system-aarch64 VM_TMO=${VM_TMO:-1500}
fi
VM_KERNEL_IMG=$VMD/kernel/vmlinuz
VM_IMAGE=$VMD/guest.cpio.gz

vm_absent() {
	if [ "$VM_ARCH" != amd64 ] && [ "${KT_ARM64:-0}" = 1 ]; then
		echo "not ok 1 - $1 (KT_ARM64=1)"
		echo "1..1"
	else
		echo "1..0 # skip $1"
	fi
	exit 0
}

vm_boot() {
	local name=$1 script=$2 smp=$3 numa=$4 log rc n=0 line t0 t1 release
	if [ ! -f "$VM_KERNEL_IMG" ] || [ ! -f "$VM_IMAGE" ]; then
		vm_absent "no $VM_ARCH guest kernel or image (make vm-kernel vm-image; arm64: make arm64)"
	fi
	if ! command -v $VM_QEMU >/dev/null; then
		vm_absent "$VM_QEMU not installed"
	fi
	release=$(cat "$VMD/kernel/release")
	mkdir -p "$VMD/logs"
	log=$VMD/logs/$name.log
	t0=$(date +%s.%N)
	sh "$TOP/tests/vm/qemu-run.sh" -q -X "$VM_ARCH" -k "$VM_KERNEL_IMG" -i "$VM_IMAGE" -r "$script" \
		-s "$smp" -n "$([ "$numa" -gt 1 ] && echo "$numa" || echo 0)" -t "$VM_TMO" -l "$log" \
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
	echo "# $name: init reached at guest uptime $(tr -d '\r' <"$log" | sed -n 's/^KTBOX-BOOTED uptime=//p' | head -n 1)s"
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
