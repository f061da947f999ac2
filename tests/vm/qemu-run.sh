#!/bin/sh
# Boot the ktbox guest under qemu and carry its result back.
#
#   tests/vm/qemu-run.sh -k VMLINUZ -i INITRD [options]
#
#   -k FILE     kernel image                 -i FILE   initramfs
#   -r PATH     guest script to run (ktbox.run=PATH; default /tests/smoke.sh)
#   -s N        vCPUs (-smp, default 2)      -m MB     memory (default 512)
#   -n N        NUMA nodes (default: none); CPUs and memory split evenly
#   -t SECONDS  hard timeout (default 120)   -a ARGS   extra kernel arguments
#   -l FILE     serial console log (default: a temporary file, removed)
#   -A MODE     accelerator: auto (default; KVM if it works, else TCG), kvm, tcg
#   -X ARCH     guest architecture: amd64 (default) or arm64 (qemu-system-aarch64
#               -M virt, TCG unless the host is arm64 with KVM; console ttyAMA0)
#   -o FILE     a second serial port (ttyS1; ttyAMA1 has no second PL011 on
#               virt, so amd64 only) written to FILE byte for byte: the guest
#               streams files out through it (see tests/vm/demo.sh)
#   -q          do not copy the console to stdout
#
# The guest init (tests/vm/init) ends with "KTBOX-EXIT rc=N" and powers off.
# Exit status: N from that line; 124 hard timeout (hang), 125 kernel panic or
# oops, 126 qemu ended without a result line, 127 qemu failed to start.
# The accelerator chosen is printed on stderr ("qemu-run: accel=tcg ...").
set -u

kernel= initrd= run=/tests/smoke.sh smp=2 mem=512 numa=0 tmo=120 extra= log= accel=auto quiet=0 arch=amd64 ser2=
while getopts k:i:r:s:m:n:t:a:l:A:X:o:q c; do
	case $c in
	k) kernel=$OPTARG ;; i) initrd=$OPTARG ;; r) run=$OPTARG ;;
	s) smp=$OPTARG ;; m) mem=$OPTARG ;; n) numa=$OPTARG ;; t) tmo=$OPTARG ;;
	a) extra=$OPTARG ;; l) log=$OPTARG ;; A) accel=$OPTARG ;; X) arch=$OPTARG ;; o) ser2=$OPTARG ;; q) quiet=1 ;;
	*) sed -n '2,/^set/p' "$0" | sed -e '/^set/d' -e 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
die() { echo "qemu-run: $*" >&2; exit 127; }
[ -f "$kernel" ] || die "no kernel image '$kernel' (-k)"
[ -f "$initrd" ] || die "no initramfs '$initrd' (-i)"
case $arch in
amd64) qemu=qemu-system-x86_64 machine= console=ttyS0 native=x86_64 ;;
arm64) qemu=qemu-system-aarch64 machine="-M virt" console=ttyAMA0 native=aarch64 ;;
*) die "-X takes amd64 or arm64" ;;
esac
command -v $qemu >/dev/null || die "$qemu not installed"
case $smp$mem$numa$tmo in *[!0-9]*) die "-s, -m, -n and -t take numbers" ;; esac
[ "$numa" -le "$smp" ] || die "more NUMA nodes ($numa) than CPUs ($smp)"

# KVM works when qemu can bring a vCPU up: try it (a broken KVM, e.g. nested
# without MSR support, aborts at once; a working one is still paused at 2 s).
kvm_works() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] && [ "$(uname -m)" = "$native" ] || return 1
	# shellcheck disable=SC2086
	timeout 2 $qemu $machine -accel kvm -cpu host -m 64 -display none \
		-nodefaults -no-reboot -S >/dev/null 2>&1
	[ $? -eq 124 ]
}
case $accel in
auto) if kvm_works; then accel=kvm; else accel=tcg; fi ;;
kvm | tcg) ;;
*) die "-A takes auto, kvm or tcg" ;;
esac
if [ "$accel" = kvm ]; then
	set -- -accel kvm -cpu host
else
	# single-threaded TCG: multi-threaded TCG in qemu 7.2 occasionally
	# corrupts the guest (int3 oopses while sched_ext enables)
	set -- -accel tcg,thread=single -cpu max
fi

if [ "$numa" -gt 0 ]; then
	per=$((mem / numa)) mem=$((mem / numa * numa)) i=0
	while [ $i -lt "$numa" ]; do
		lo=$((i * smp / numa)) hi=$(((i + 1) * smp / numa - 1))
		set -- "$@" -object memory-backend-ram,id=m$i,size=${per}M \
			-numa node,nodeid=$i,cpus=$lo-$hi,memdev=m$i
		i=$((i + 1))
	done
fi

if [ -n "$ser2" ]; then
	[ "$arch" = amd64 ] || die "-o needs the amd64 guest (a second UART)"
	: >"$ser2" || die "cannot write '$ser2' (-o)"
	# index=1: COM2 (ttyS1) whatever the order of the -serial options
	set -- "$@" -chardev file,id=out,path="$ser2" -device isa-serial,chardev=out,index=1
fi

tmp=
if [ -z "$log" ]; then
	tmp=$(mktemp) && log=$tmp
fi
: >"$log"
echo "qemu-run: accel=$accel smp=$smp numa=$numa mem=${mem}M run=$run" >&2
cmdline="console=$console loglevel=2 panic=-1 mitigations=off ktbox.run=$run $extra"
if [ "$quiet" = 1 ]; then out=/dev/null; else out=/dev/stdout; fi
# shellcheck disable=SC2086
timeout -k 5 "$tmo" $qemu $machine "$@" -m "$mem" -smp "$smp" \
	-nographic -nodefaults -no-reboot -no-user-config \
	-chardev stdio,id=con,signal=off,logfile="$log" -serial chardev:con \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" </dev/null >"$out" 2>>"$log.err"
qrc=$?

# the serial console has CR LF line ends
res=$(tr -d '\r' <"$log" | sed -n 's/^KTBOX-EXIT rc=\([0-9]*\)$/\1/p' | tail -n 1)
if grep -qE 'Kernel panic|Oops:|BUG: |general protection fault' "$log"; then
	echo "qemu-run: kernel panic or oops in the guest:" >&2
	grep -E -A3 'Kernel panic|Oops:|BUG: |general protection fault' "$log" | head -20 >&2
	rc=125
elif [ -n "$res" ]; then
	rc=$res
elif [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	echo "qemu-run: guest hung: no result after ${tmo}s" >&2
	rc=124
elif [ -s "$log.err" ] && ! grep -q 'KTBOX-BOOTED' "$log"; then
	echo "qemu-run: qemu failed (rc $qrc):" >&2
	head -5 "$log.err" >&2
	rc=127
else
	echo "qemu-run: qemu ended (rc $qrc) without a result line" >&2
	rc=126
fi
rm -f "$log.err" ${tmp:+"$tmp"}
exit $rc
