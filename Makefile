# ktbox — the one entry point: build, deps, check, demo, bench, fuzz.
#
#   make            build/ktbox (fetches and builds the sysroot the first time)
#   make check      every test suite this machine can run (TAP, prove)
#   make demo       boot a sched_ext guest, make a scheduler fail, show captures
#   make bench      size / speed figures next to the tools users would pick
#   make fuzz       libFuzzer targets for every parser (FUZZ_SECONDS=N each)
#   make check-asan lib/ and unit tests under ASan+UBSan (host compiler)
#   make bpf        BPF objects and skeletons (bpf/bpf.mk)
#   make oci        OCI image of ktbox (pkg/pkg.mk)
#   make ARCH=arm64 the same static binary for aarch64 in build/arm64/ (its own
#                   sysroot; `make arm64` also builds its unit tests)
#   make clean      remove build outputs, keep the sysroot; distclean: all

include deps/versions.mk

# Target architecture (Debian names; x86_64/aarch64 accepted). amd64 builds
# in build/, any other in build/ARCH/ with its own sysroot, cross compiler
# and vmlinux.h; the private apt setup and the fetched sources are shared.
ARCH     ?= amd64
override ARCH := $(patsubst x86_64,amd64,$(patsubst aarch64,arm64,$(ARCH)))
ifeq ($(filter $(ARCH),amd64 arm64),)
$(error ARCH=$(ARCH): only amd64 and arm64 are supported)
endif
BUILD    := build
ifeq ($(ARCH),amd64)
B        := $(BUILD)
CC       := musl-gcc
STRIP    := strip
GCC_AR   ?= gcc-ar
DEPS_KEY := $(DEPS_STAMP_KEY)
else
B        := $(BUILD)/$(ARCH)
CROSS    := aarch64-linux-gnu-
CC       := $(B)/sysroot/bin/musl-gcc
STRIP    := $(CROSS)strip
GCC_AR   ?= $(CROSS)gcc-ar
DEPS_KEY := $(DEPS_STAMP_KEY)|$(ARCH)|$(MUSL_ARM64_VER)
endif
APT_DIR  := $(BUILD)/apt
SYSROOT  := $(B)/sysroot
HOSTCC   ?= gcc
CLANG    ?= clang
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

DEPS_HASH := $(shell printf '%s' '$(DEPS_KEY)' | cat - deps/sysroot.sh | md5sum | cut -c1-12)
SYSROOT_STAMP := $(SYSROOT)/.stamp-$(DEPS_HASH)
# deps/sysroot.sh learned ARCH=arm64 without changing what it builds for
# amd64: a sysroot stamped by the previous recipe with these same pins stays
# valid (so shared sysroots are not rebuilt). Drop once all are rebuilt.
ifeq ($(ARCH)|$(DEPS_STAMP_KEY),amd64|1:1.3.dfsg+really1.3.1-1|0.192-4|1.5.0-3|5.3.0-3|6.12.107-1|cflags-v1)
ifneq ($(wildcard $(SYSROOT)/.stamp-37f26f92c18b),)
SYSROOT_STAMP := $(SYSROOT)/.stamp-37f26f92c18b
endif
endif

WARN     := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 -Wno-format-nonliteral
INCS     := -I. -Ilib -Iapplets -Ibpf -I$(B)/gen
# musl-gcc does not search /usr/include: the sysroot holds the UAPI headers
SYSINC   := -isystem $(SYSROOT)/include
# Size first (see bench): -Os, sections + gc, LTO, no unwind tables.
# musl has no _FORTIFY_SOURCE support, so it is not claimed here.
OPTFLAGS := -Os -g0 -ffunction-sections -fdata-sections -flto=auto -ffat-lto-objects \
	    -fno-asynchronous-unwind-tables -fstack-protector-strong
CFLAGS   := -std=gnu11 $(WARN) $(OPTFLAGS) $(INCS) $(SYSINC) -D_GNU_SOURCE \
	    -DKTBOX_VERSION='"$(VERSION)"' -DKT_LIBBPF_DEBVER='"$(LIBBPF_VER)"'
# With LTO the linker never sees the builtin malloc() references while it
# scans archives, so musl's malloc would win silently: force jemalloc's in.
LDFLAGS  := -static -Wl,--gc-sections -Wl,-z,relro,-z,now -Wl,--build-id=none \
	    -Wl,-z,noexecstack -Wl,-u,malloc -Wl,-u,mallctl
LDLIBS   := -L$(SYSROOT)/lib -lbpf -lelf -lz -ljemalloc

LIB_SRCS    := $(sort $(wildcard lib/*.c))
APPLET_SRCS := $(sort $(wildcard applets/*.c))
SRCS        := main.c $(LIB_SRCS) $(APPLET_SRCS)
OBJS        := $(SRCS:%.c=$(B)/obj/%.o)
LIB_OBJS    := $(LIB_SRCS:%.c=$(B)/obj/%.o)
# lib/ as an archive: tests and fuzzers link only the members they use.
# lib/*_skel.c include BPF skeletons (bpf/bpf.mk); the rest of lib/ is pure
# code or plain syscalls, so the fuzzers' archive leaves those out.
LIB_A       := $(B)/libkt.a

.PHONY: all tools deps check check-unit check-asan fuzz bench demo clean distclean \
	format lint lib arm64
all: $(B)/ktbox

# ---- build tools ----------------------------------------------------------
# command:package pairs the build needs
TOOLS := musl-gcc:musl-tools clang:clang llvm-strip:llvm bpftool:bpftool \
	 dpkg-source:dpkg-dev gzip:gzip patch:patch prove:perl \
	 qemu-system-x86_64:qemu-system-x86 busybox:busybox-static \
	 strace:strace file:file cpio:cpio \
	 skopeo:skopeo umoci:umoci runc:runc help2man:help2man lintian:lintian \
	 dpkg-deb:dpkg perf:linux-perf node:nodejs npm:npm chromium:chromium
ifneq ($(ARCH),amd64)
TOOLS += $(CROSS)gcc:gcc-$(CROSS:-=) qemu-aarch64-static:qemu-user-static \
	 qemu-system-aarch64:qemu-system-arm
endif
HOST_PKGS := zlib1g-dev libbpf-dev libelf-dev libclang-rt-14-dev hyperfine
# keyed on the lists: a new tool is installed on the next make
TOOLS_STAMP := $(B)/.tools-ok-$(shell printf '%s' '$(TOOLS) $(HOST_PKGS)' | md5sum | cut -c1-8)
tools: $(TOOLS_STAMP)
$(TOOLS_STAMP): deps/versions.mk
	@missing=""; for t in $(TOOLS); do \
		command -v $${t%%:*} >/dev/null 2>&1 || PATH=$$PATH:/usr/sbin command -v $${t%%:*} >/dev/null 2>&1 || missing="$$missing $${t#*:}"; done; \
	for p in $(HOST_PKGS); do dpkg-query -W -f '$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "  TOOLS   apt-get install$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
		else \
			echo "Missing build tools. Run as root:"; \
			echo "  apt-get update && apt-get install -y$$missing"; exit 1; \
		fi; \
	fi
	@mkdir -p $(B) && touch $@

# ---- third-party sysroot (cached; keyed on the pinned versions) -----------
deps: $(SYSROOT_STAMP)
$(SYSROOT_STAMP): | $(TOOLS_STAMP)
	@sh deps/sysroot.sh $(BUILD) $(ARCH)
	@touch $@

# ---- BPF programs and skeletons (bpf/bpf.mk) -------------------------------
include bpf/bpf.mk

# ---- ktbox ----------------------------------------------------------------
$(B)/obj/%.o: %.c $(SYSROOT_STAMP) Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# the kernel-log hot path (hundreds of MB per run): speed over size here
HOT_SRCS := lib/scxexit.c lib/kmsg.c lib/json.c lib/buf.c lib/scxexit_fmt.c lib/kmsg_read.c \
	    lib/stacksym.c lib/text.c
$(HOT_SRCS:%.c=$(B)/obj/%.o): CFLAGS := $(subst -Os,-O2,$(CFLAGS))

# gcc-ar: the members are LTO objects
$(LIB_A): $(LIB_OBJS)
	@echo "  AR      $@"
	@rm -f $@ && $(GCC_AR) rcs $@ $(LIB_OBJS)
lib: $(LIB_A)

$(B)/ktbox.unstripped: $(OBJS) Makefile
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(B)/ktbox: $(B)/ktbox.unstripped
	@$(STRIP) --strip-all -R .comment -o $@ $<
	@echo "  STRIP   $@ ($$(stat -c %s $@) bytes)"

-include $(OBJS:.o=.d)

ifneq ($(ARCH),amd64)
# a cross build also builds the BPF programs (and the test scheduler) for the
# target: vmlinux.h of linux-bpf-dev:ARCH, -D__TARGET_ARCH_$(BPF_ARCH)
all: $(BPF_SKELS) $(GEN)/scx_test.skel.h $(B)/vm/sched/scx_test
else
# the cross build, its unit tests (tests/host/arm64.t runs them) and its
# guest image (tests/vm/40-arm64.t boots it)
arm64:
	@$(MAKE) --no-print-directory ARCH=arm64 all check-unit vm-image
endif

# ---- tests ----------------------------------------------------------------
# fragments owned by the VM suite and the initramfs builder (they add to
# VM_DEPS, which the check rule below needs expanded already)
include initramfs/initramfs.mk
include tests/vm/vm.mk
include pkg/pkg.mk
include tests/host/timeline.mk

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/unit/%)
# unit tests: built with musl against the same objects as ktbox (their fat LTO
# objects linked without LTO: a link takes a second instead of half a minute)
$(B)/tests/unit/%: tests/unit/%.c tests/unit/tap.h $(LIB_A)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -fno-lto -Itests/unit $(LDFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

check-unit: $(UNIT_BINS)

# capture report: rebuild the fixture bundles and rewrite their goldens
report-golden: $(B)/ktbox $(B)/tests/unit/test_report
	sh tests/fixtures/mkbundles.sh $(B)/ktbox $(B)/tests/unit/test_report
	for b in error stall; do \
		$(B)/tests/unit/test_report render text tests/fixtures/bundle-$$b 100 > tests/fixtures/bundle-$$b/report.txt; \
		$(B)/tests/unit/test_report render markdown tests/fixtures/bundle-$$b > tests/fixtures/bundle-$$b/report.md; \
	done
	for d in tests/fixtures/vm/bundle-*; do \
		$(B)/tests/unit/test_report render text $$d 100 > $$d/report.txt; \
		$(B)/tests/unit/test_report render markdown $$d > $$d/report.md; \
	done
.PHONY: report-golden
# the same goldens over bundles a real guest wrote: boots the demo guest
# with every failure mode of the test scheduler (needs the VM kernel)
report-golden-vm: $(B)/ktbox $(B)/tests/unit/test_report $(VM_KERNEL) $(VM_IMAGE)
	KTBOX_DEMO_MODES=error,stall,exit,normal bash tests/vm/demo.sh $(B)
	sh tests/fixtures/vmbundles.sh $(B)/vm/demo $(B)/tests/unit/test_report
.PHONY: report-golden-vm

# host-suite helpers (tests/host/*_helper.c): musl, static, against libbpf
HOST_HELPER_SRCS := $(sort $(wildcard tests/host/*_helper.c))
HOST_HELPERS := $(HOST_HELPER_SRCS:tests/host/%.c=$(B)/tests/host/%)
$(B)/tests/host/%: tests/host/%.c tests/unit/btf_fixture.h $(SYSROOT_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LDLIBS)

# Every suite: unit binaries, host scripts, VM scripts; one summary line.
# (A cross build is checked from the amd64 one: tests/host/arm64.t runs
# build/arm64/ktbox and its unit tests under qemu-aarch64-static.)
ifneq ($(ARCH),amd64)
check:
	@echo "make check runs the amd64 build; it covers build/$(ARCH) in tests/host/$(ARCH).t" >&2; exit 2
else
check: $(B)/ktbox $(UNIT_BINS) $(HOST_HELPERS) $(VM_DEPS) $(CHECK_DEPS)
	@KTBOX=$(CURDIR)/$(B)/ktbox BUILD=$(CURDIR)/$(B) TOP=$(CURDIR) \
		perl tests/run-tap $(UNIT_BINS) $(sort $(wildcard tests/host/*.t)) \
		$(sort $(wildcard tests/vm/*.t))
endif

# ASan+UBSan: lib/ and unit tests with the host compiler (glibc).
ASAN_FLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=all $(WARN) $(INCS) -Itests/unit -D_GNU_SOURCE
ASAN_LIBS  := -lbpf -lelf -lz -lm
ASAN_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(B)/asan/%)
ASAN_OBJS  := $(LIB_SRCS:%.c=$(B)/asan/obj/%.o)
$(B)/asan/obj/%.o: %.c Makefile | $(TOOLS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  ASAN    $<"
	@$(HOSTCC) $(ASAN_FLAGS) -MMD -MP -c -o $@ $<
# every member of lib/, skeleton users too (host libbpf)
$(B)/asan/libkt.a: $(ASAN_OBJS)
	@rm -f $@ && $(AR) rcs $@ $(ASAN_OBJS)
$(B)/asan/%: tests/unit/%.c tests/unit/tap.h $(B)/asan/libkt.a
	@echo "  ASAN    $<"
	@$(HOSTCC) $(ASAN_FLAGS) -MMD -MP -o $@ $< $(B)/asan/libkt.a $(ASAN_LIBS)
check-asan: $(ASAN_BINS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		TOP=$(CURDIR) perl tests/run-tap $(ASAN_BINS)

# libFuzzer: one target per parser in tests/fuzz/fuzz_*.c, linked against an
# archive of lib/ without the skeleton users (no BPF toolchain needed).
# Every target runs even when one fails; crash/leak/timeout inputs go to
# FUZZ_ARTIFACTS/NAME/, the summary lists them and the exit is non-zero.
FUZZ_SECONDS   ?= 10
FUZZ_ARTIFACTS ?= $(B)/fuzz/artifacts
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)
FUZZ_CFLAGS := -std=gnu11 -g -O1 $(INCS) -D_GNU_SOURCE
FUZZ_OBJS := $(patsubst %.c,$(B)/fuzz/obj/%.o,$(filter-out $(SKEL_SRCS),$(LIB_SRCS)))
$(B)/fuzz/obj/%.o: %.c Makefile | $(TOOLS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<
$(B)/fuzz/libkt.a: $(FUZZ_OBJS)
	@rm -f $@ && $(AR) rcs $@ $(FUZZ_OBJS)
$(B)/fuzz/%: tests/fuzz/%.c $(B)/fuzz/libkt.a
	@echo "  FUZZ    $<"
	@$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -MMD -MP \
		-o $@ $< $(B)/fuzz/libkt.a $(ASAN_LIBS)
fuzz: $(FUZZ_BINS)
	@failed=""; for f in $(FUZZ_BINS); do \
		n=$$(basename $$f); a=$(FUZZ_ARTIFACTS)/$$n; \
		rm -rf $$a; mkdir -p $(B)/fuzz/corpus/$$n $$a; \
		echo "  RUN     $$n ($(FUZZ_SECONDS)s)"; \
		if $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 -artifact_prefix=$$a/ \
			$(B)/fuzz/corpus/$$n $$( [ -d tests/fuzz/seeds/$$n ] && echo tests/fuzz/seeds/$$n ) \
			2>$(B)/fuzz/$$n.log; then \
			grep -E '^#[0-9]+.*DONE' $(B)/fuzz/$$n.log | tail -1; \
		else \
			tail -40 $(B)/fuzz/$$n.log; failed="$$failed $$n"; \
		fi; \
	done; \
	if [ -n "$$failed" ]; then \
		echo "fuzz: failed:$$failed (logs in $(B)/fuzz/NAME.log)"; \
		for n in $$failed; do ls -d $(FUZZ_ARTIFACTS)/$$n/* 2>/dev/null | sed 's/^/  artefact /'; done; \
		exit 1; \
	fi

bench: $(B)/ktbox $(HOST_HELPERS)
	@KTBOX=$(CURDIR)/$(B)/ktbox BUILD=$(CURDIR)/$(B) TOP=$(CURDIR) CC=$(CC) \
		sh tests/bench/run.sh

format:
	@clang-format -i main.c lib/*.[ch] applets/*.[ch] tests/unit/*.[ch]

lint:
	@cppcheck -q --std=c11 --enable=warning,portability --inline-suppr \
		'-DLIBBPF_OPTS(TYPE, NAME, ...)=struct TYPE NAME = { __VA_ARGS__ }' \
		-Ilib -Iapplets main.c lib applets

-include $(ASAN_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d) $(ASAN_BINS:=.d) $(FUZZ_BINS:=.d)

# keeps the sysroot, the VM kernel and vmlinux.h (build/bpf/include)
clean:
	rm -rf $(B)/obj $(B)/tests $(B)/asan $(B)/fuzz $(B)/ktbox $(B)/ktbox.unstripped $(B)/gen \
		$(B)/libkt.a $(BPF_OBJDIR)

distclean:
	rm -rf $(B)
