# The VM suite (included by the Makefile): a sched_ext Debian kernel, the
# ktbox_test scheduler, the guest image, and `make demo`.
#
#   make vm-kernel   fetch the pinned kernel (deps/versions.mk) into build/vm/kernel
#   make vm-image    build/vm/guest.cpio.gz: ktbox + busybox-static + scx_test + guest scripts
#   make vm-shell    boot the guest and run one script (VM_RUN=/tests/smoke.sh)
#   make demo        boot, make a scheduler fail, show what ktbox captured

VM          := $(B)/vm
# ARCH=arm64 (make arm64): the arm64 guest, booted by tests/vm/40-arm64.t
ifeq ($(ARCH),amd64)
VM_ABI      := $(VM_KERNEL_ABI)
VM_APPLETS   =
else
VM_ABI      := $(VM_KERNEL_ABI_ARM64)
_vm_comma   := ,
_vm_empty   :=
_vm_space   := $(_vm_empty) $(_vm_empty)
# the cross binary cannot run here to say its applets
VM_APPLETS   = --applets $(subst $(_vm_space),$(_vm_comma),$(strip $(APPLET_NAMES)))
endif
VM_KERNEL   := $(VM)/kernel/.stamp-$(VM_ABI)-$(VM_KERNEL_VER)-$(subst :,_,$(VM_BUSYBOX_VER))
VM_SCHED    := $(VM)/sched
VM_IMAGE    := $(VM)/guest.cpio.gz
# static busybox for the guest's scripts, fetched with the kernel
BUSYBOX     := $(VM)/kernel/busybox
VM_GUEST    := $(sort $(wildcard tests/vm/guest/*.sh))

VM_DEPS += $(MKINITRAMFS) $(VM_KERNEL) $(VM_IMAGE)

$(VM_KERNEL): tests/vm/fetch-kernel.sh | $(SYSROOT_STAMP)
	@sh tests/vm/fetch-kernel.sh $(BUILD) $(ARCH)

# The test scheduler: tests/vm/scx_test.bpf.c through bpf/bpf.mk's rules
# (vmlinux.h, CO-RE object, build/gen/scx_test.skel.h), and a static musl
# loader against the sysroot libbpf.
$(VM_SCHED)/scx_test: tests/vm/scx_test.c $(GEN)/scx_test.skel.h $(SYSROOT_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) -std=gnu11 -Os -Wall -Wextra -Wno-maybe-uninitialized -static \
		-isystem $(SYSROOT)/include -I$(GEN) -o $@ $< \
		-L$(SYSROOT)/lib -lbpf -lelf -lz

$(VM_IMAGE): $(B)/ktbox $(MKINITRAMFS) $(VM_SCHED)/scx_test tests/vm/init $(VM_GUEST) $(VM_KERNEL)
	@echo "  CPIO    $@"
	@$(MKINITRAMFS) -k $(B)/ktbox $(VM_APPLETS) -i tests/vm/init -a $(BUSYBOX):/bin/busybox \
		-a $(VM_SCHED)/scx_test:/bin/scx_test -a tests/vm/guest:/tests -o $@

.PHONY: vm-kernel vm-image vm-shell
vm-kernel: $(VM_KERNEL)
vm-image: $(VM_IMAGE)
VM_RUN ?= /tests/smoke.sh
vm-shell: $(VM_KERNEL) $(VM_IMAGE)
	@sh tests/vm/qemu-run.sh -k $(VM)/kernel/vmlinuz -i $(VM_IMAGE) -r $(VM_RUN) -s 2 \
		-a "ktbox.smp=2 ktbox.numa=1 ktbox.release=$$(cat $(VM)/kernel/release)"

demo: $(VM_KERNEL) $(VM_IMAGE)
	@bash tests/vm/demo.sh $(B)
