# The one place where third-party versions are pinned.
# Sources come from Debian trixie (deb-src), verified by apt against the
# signed Sources index; binaries for the VM suite come from sid.
ZLIB_SRC      := zlib
ZLIB_VER      := 1:1.3.dfsg+really1.3.1-1
ELFUTILS_SRC  := elfutils
ELFUTILS_VER  := 0.192-4
LIBBPF_SRC    := libbpf
LIBBPF_VER    := 1.5.0-3
JEMALLOC_SRC  := jemalloc
JEMALLOC_VER  := 5.3.0-3
# kernel UAPI headers for the musl sysroot (binary package, trixie)
LINUX_LIBC_DEV_VER := 6.12.107-1
# musl for the arm64 cross build (make ARCH=arm64; binary package, trixie);
# the amd64 build uses the host's musl-tools
MUSL_ARM64_VER := 1.2.5-3.1~deb13u1
DEPS_STAMP_KEY := $(ZLIB_VER)|$(ELFUTILS_VER)|$(LIBBPF_VER)|$(JEMALLOC_VER)|$(LINUX_LIBC_DEV_VER)|cflags-v1
# vmlinux.h for the BPF programs (bpf/bpf.mk): linux-bpf-dev from sid, a
# BTF-generated header with the sched_ext types and kfuncs, for the target's
# Debian architecture.  Normally the same version as the VM kernel below.
# Not part of DEPS_STAMP_KEY: it is cached on its own in build/bpf/include.
LINUX_BPF_DEV_VER := 7.2.13-1
# VM suite guest kernel (sid): linux-binary-ABI (vmlinuz) and linux-base-ABI
# (config, System.map) of the same version.  When the pin leaves the archive,
# tests/vm/fetch-kernel.sh takes the newest linux-binary-*-amd64 whose config has CONFIG_SCHED_CLASS_EXT=y.
VM_KERNEL_ABI := 7.2.13+deb14-amd64
VM_KERNEL_VER := 7.2.13-1
# the arm64 guest (make arm64, tests/vm/40-arm64.t): the same version
VM_KERNEL_ABI_ARM64 := 7.2.13+deb14-arm64
# the guest's shell for the test scripts (static; trixie), not the host's busybox
VM_BUSYBOX_VER := 1:1.37.0-6+b9
