#!/bin/bash
# The arm64 guest of `make arm64`: qemu-system-aarch64 -M virt (TCG) boots
# Debian's arm64 kernel (VM_KERNEL_ABI_ARM64, sched_ext + BTF) with the
# arm64 initramfs (arm64 ktbox, busybox-static:arm64, the test scheduler
# built for arm64) and runs the same guest checks as 10-scheduler.t.
# Slow under TCG: KT_ARM64_VM=0 skips it on a developer machine; CI
# (KT_ARM64=1) runs it and fails when the arm64 guest was not built.
if [ "${KT_ARM64_VM:-1}" = 0 ]; then
	echo "1..0 # skip KT_ARM64_VM=0"
	exit 0
fi
VM_ARCH=arm64
. "$(dirname "$0")/boot.sh"
vm_boot arm64-scheduler /tests/suite.sh 2 1
