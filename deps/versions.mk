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
DEPS_STAMP_KEY := $(ZLIB_VER)|$(ELFUTILS_VER)|$(LIBBPF_VER)|$(JEMALLOC_VER)|$(LINUX_LIBC_DEV_VER)|cflags-v1
