# BPF programs (included by the Makefile): NAME.bpf.c -> stripped
# NAME.bpf.o -> build/gen/NAME.skel.h (bpftool gen skeleton), for any
# source directory in BPF_DIRS.
#
#   make bpf        every skeleton of bpf/*.bpf.c
#   make vmlinux-h  fetch the pinned vmlinux.h (deps/versions.mk)
#
# Conventions (HACKING.md, "BPF programs"): a program is bpf/NAME.bpf.c, the
# wire header both sides include is bpf/NAME.h, and the user-space code that
# includes NAME.skel.h is lib/*_skel.c (only those files need the skeletons,
# the BPF toolchain and libbpf's loader). Program names are unique across
# BPF_DIRS: objects and skeletons are named by the file's base name.

# Debian architecture of the target (the Makefile's ARCH); __TARGET_ARCH_x
# for bpf_tracing.h
BPF_DEB_ARCH  := $(ARCH)
BPF_ARCH_amd64 := x86
BPF_ARCH_arm64 := arm64
BPF_ARCH      := $(BPF_ARCH_$(BPF_DEB_ARCH))

BPF_DIRS    := bpf tests/vm
BPF_OBJDIR  := $(B)/bpf/obj
BPF_INC     := $(B)/bpf/include
GEN         := $(B)/gen
# vmlinux.h, its own cached download (not the sysroot's, not the VM kernel's)
VMLINUX_H   := $(BPF_INC)/.stamp-$(BPF_DEB_ARCH)-$(LINUX_BPF_DEV_VER)

BPF_CFLAGS  := -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_$(BPF_ARCH) \
	       -Wall -Wno-missing-declarations -Wno-unused-function \
	       -Ibpf -I$(BPF_INC) -isystem $(SYSROOT)/include

# bpf/'s programs and the skeletons ktbox embeds
BPF_SRCS    := $(sort $(wildcard bpf/*.bpf.c))
BPF_SKELS   := $(patsubst bpf/%.bpf.c,$(GEN)/%.skel.h,$(BPF_SRCS))
# user-space code that includes a skeleton: it waits for all of bpf/'s
SKEL_SRCS   := $(sort $(wildcard lib/*_skel.c))

vpath %.bpf.c $(BPF_DIRS)

# (the stamp's name holds arch and version: a new pin fetches again)
$(VMLINUX_H): | $(SYSROOT_STAMP)
	@sh bpf/fetch-vmlinux.sh $(APT_DIR) $(BPF_DEB_ARCH) $(LINUX_BPF_DEV_VER) $(BPF_INC)

# CO-RE object; llvm-strip -g drops DWARF and keeps .BTF/.BTF.ext
$(BPF_OBJDIR)/%.bpf.o: %.bpf.c $(VMLINUX_H) $(SYSROOT_STAMP) bpf/bpf.mk
	@mkdir -p $(dir $@)
	@echo "  BPF     $<"
	@$(CLANG) $(BPF_CFLAGS) -MMD -MP -MT $@ -MF $@.d -c -o $@.tmp $<
	@llvm-strip -g $@.tmp && mv $@.tmp $@

# Debian bookworm's bpftool 7.1 (libbpf 1.1) skips .struct_ops.link while
# generating (its warning stays in NAME.skel.h.log): a loader finds those
# maps by name through the sysroot libbpf at run time (tests/vm/scx_test.c).
$(GEN)/%.skel.h: $(BPF_OBJDIR)/%.bpf.o
	@mkdir -p $(dir $@)
	@echo "  SKEL    $@"
	@bpftool gen skeleton $< name $* >$@.tmp 2>$@.log || { cat $@.log >&2; rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@

$(SKEL_SRCS:%.c=$(B)/obj/%.o) $(SKEL_SRCS:%.c=$(B)/asan/obj/%.o): $(BPF_SKELS)

# keep the objects between the chained rules (and for bpftool/readelf by hand)
.PRECIOUS: $(BPF_OBJDIR)/%.bpf.o
-include $(wildcard $(BPF_OBJDIR)/*.bpf.o.d)

.PHONY: bpf vmlinux-h
bpf: $(BPF_SKELS)
vmlinux-h: $(VMLINUX_H)
