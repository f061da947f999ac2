# Guest images around ktbox (included by the Makefile).
#
#   make initramfs        build/initramfs.cpio.gz: /bin/ktbox + applet links
#   make initramfs-list   print the same tree as a gen_init_cpio list
#
# build/mkinitramfs --help for --add SRC:DEST, --init and the rest.

MKINITRAMFS := $(B)/mkinitramfs

$(MKINITRAMFS): initramfs/mkinitramfs.c | $(TOOLS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOSTCC) -std=gnu11 -O2 $(WARN) -o $@ $< -lz

$(B)/initramfs.cpio.gz: $(B)/ktbox $(MKINITRAMFS)
	@echo "  CPIO    $@"
	@$(MKINITRAMFS) -k $(B)/ktbox -o $@

.PHONY: initramfs initramfs-list
initramfs: $(B)/initramfs.cpio.gz
initramfs-list: $(B)/ktbox $(MKINITRAMFS)
	@$(MKINITRAMFS) -k $(B)/ktbox --gen-init-cpio
