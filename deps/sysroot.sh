#!/bin/sh
# Build the private musl sysroot: zlib, libelf, libbpf, jemalloc and the
# kernel UAPI headers, all from pinned Debian packages.
#
#   deps/sysroot.sh BUILD_DIR [ARCH]
#
# ARCH is a Debian architecture: amd64 (default; BUILD_DIR/sysroot, the
# host's musl-gcc) or arm64 (BUILD_DIR/arm64/sysroot, cross-built with
# gcc-aarch64-linux-gnu and Debian's musl-dev:arm64, MUSL_ARM64_VER, which
# is unpacked into the sysroot with a musl-gcc wrapper in its bin/).
#
# Sources are fetched with a private apt configuration under BUILD_DIR/apt
# (the machine's apt setup is untouched) and every downloaded file is checked
# against the sha256 of the signed Sources/Packages index before use.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
B=$(mkdir -p "$1" && cd "$1" && pwd)
ARCH=${2:-amd64}
SRC=$B/deps-src
eval "$(sed -n 's/^\([A-Z0-9_]*\) *:= *\(.*\)$/\1='"'"'\2'"'"'/p' "$top/deps/versions.mk")"

JOBS=$(nproc 2>/dev/null || echo 2)
case $ARCH in
amd64)
	SYSROOT=$B/sysroot WORK=$B/deps-work
	CC=${MUSL_CC:-musl-gcc} HOST=x86_64-linux-musl GNU=x86_64-linux-gnu
	AR=gcc-ar RANLIB=gcc-ranlib LG_PAGE=12 ;;
arm64)
	SYSROOT=$B/arm64/sysroot WORK=$B/arm64/deps-work
	CC=$SYSROOT/bin/musl-gcc HOST=aarch64-linux-musl GNU=aarch64-linux-gnu
	# arm64 kernels run with 4, 16 or 64 KiB pages: jemalloc must assume
	# the largest (as Debian's arm64 jemalloc does)
	AR=aarch64-linux-gnu-gcc-ar RANLIB=aarch64-linux-gnu-gcc-ranlib LG_PAGE=16 ;;
*)
	echo "deps: unsupported architecture '$ARCH' (amd64, arm64)" >&2; exit 2 ;;
esac
# Size first: every library is built -Os with sections and LTO so the final
# link can garbage-collect what ktbox never calls.
OPT="-Os -g0 -ffunction-sections -fdata-sections -flto=auto -ffat-lto-objects -fno-asynchronous-unwind-tables -fstack-protector-strong"
export AR RANLIB

log() { printf '  DEPS    %s\n' "$*"; }

# ---- private apt ----------------------------------------------------------
APT=$B/apt
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/parts" "$APT/prefs"
cat >"$APT/sources.list.new" <<EOF
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg arch=amd64,arm64] http://deb.debian.org/debian trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg arch=amd64,arm64] http://deb.debian.org/debian sid main
EOF
# a changed list needs a fresh update
cmp -s "$APT/sources.list.new" "$APT/sources.list" || rm -f "$APT/updated"
mv "$APT/sources.list.new" "$APT/sources.list"
APTOPT="-o Dir::Etc::SourceList=$APT/sources.list -o Dir::Etc::SourceParts=$APT/parts
 -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=$APT/prefs
 -o Dir::State=$APT -o Dir::State::Lists=$APT/lists -o Dir::State::status=/dev/null
 -o Dir::Cache=$APT/cache -o Acquire::Check-Valid-Until=false
 -o Debug::NoLocking=1 -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root -q"
export APTOPT
if [ ! -f "$APT/updated" ] || [ -n "$(find "$APT/updated" -mmin +720 2>/dev/null)" ]; then
	log "apt-get update (private config in $APT)"
	# shellcheck disable=SC2086
	apt-get $APTOPT update >"$APT/update.log" 2>&1 || { cat "$APT/update.log"; exit 1; }
	touch "$APT/updated"
fi

# sha256 of FILE as listed in the Sources index for PKG=VER
sources_sha256() {
	pkg=$1 ver=$2 file=$3
	for idx in "$APT"/lists/*trixie_main_source_Sources*; do
		case $idx in *.lz4) cat_=lz4cat ;; *.xz) cat_=xzcat ;; *.gz) cat_=zcat ;; *) cat_=cat ;; esac
		$cat_ "$idx" | awk -v p="$pkg" -v v="$ver" -v f="$file" '
			/^Package: / { inpkg = ($2 == p) }
			/^Version: / { inver = ($2 == v) }
			/^$/ { inpkg = inver = 0; insha = 0 }
			/^Checksums-Sha256:/ { insha = 1; next }
			/^[A-Z]/ { insha = 0 }
			insha && inpkg && inver && $3 == f { print $1; exit }'
	done | head -n 1
}

fetch_source() {
	pkg=$1 ver=$2
	mkdir -p "$SRC"
	log "fetch source $pkg $ver"
	# jemalloc's .dsc 404s on the mirror while its tarballs are fine:
	# ignore apt's verdict and check every file we need ourselves.
	# shellcheck disable=SC2086
	(cd "$SRC" && apt-get $APTOPT source --download-only "$pkg=$ver" >"$SRC/$pkg.log" 2>&1) || true
	uver=${ver#*:}
	found=0
	for f in "$SRC/${pkg}_${uver%-*}".orig.tar.* "$SRC/${pkg}_${uver}".debian.tar.*; do
		[ -f "$f" ] || continue
		want=$(sources_sha256 "$pkg" "$ver" "$(basename "$f")")
		have=$(sha256sum "$f" | cut -d' ' -f1)
		if [ -z "$want" ] || [ "$want" != "$have" ]; then
			echo "deps: $(basename "$f"): sha256 $have does not match the Sources index (${want:-missing})" >&2
			exit 1
		fi
		found=$((found + 1))
	done
	if [ "$found" -lt 2 ]; then
		cat "$SRC/$pkg.log" >&2
		echo "deps: could not fetch $pkg $ver" >&2
		exit 1
	fi
}

# unpack orig + debian tarballs and apply debian/patches/series (3.0 quilt)
unpack() {
	pkg=$1 ver=$2
	uver=${ver#*:}
	d=$WORK/$pkg
	rm -rf "$d" && mkdir -p "$d"
	tar -xf "$SRC/${pkg}_${uver%-*}".orig.tar.* -C "$d" --strip-components=1
	tar -xf "$SRC/${pkg}_${uver}".debian.tar.* -C "$d"
	if [ -f "$d/debian/patches/series" ]; then
		sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$d/debian/patches/series" |
		while read -r p opt; do
			patch -d "$d" -s ${opt:--p1} <"$d/debian/patches/$p"
		done
	fi
	echo "$d"
}

rm -rf "$SYSROOT" "$WORK"
mkdir -p "$SYSROOT/include" "$SYSROOT/lib" "$WORK"

# ---- kernel UAPI headers (linux-libc-dev, trixie) -------------------------
log "linux-libc-dev $LINUX_LIBC_DEV_VER"
# shellcheck disable=SC2086
(cd "$WORK" && apt-get $APTOPT download "linux-libc-dev=$LINUX_LIBC_DEV_VER" >"$WORK/lld.log" 2>&1) ||
	{ cat "$WORK/lld.log"; exit 1; }
dpkg-deb -x "$WORK"/linux-libc-dev_*.deb "$WORK/lld"
cp -a "$WORK/lld/usr/include/linux" "$WORK/lld/usr/include/asm-generic" "$SYSROOT/include/"
# asm/ in the package is relative symlinks: copy the real files
cp -rL "$WORK/lld/usr/include/$GNU/asm" "$SYSROOT/include/asm"

# ---- musl for a cross target (musl-dev:ARCH, trixie) ------------------------
musl_ver=$(dpkg-query -W -f '${Version}' musl-dev 2>/dev/null | sed 's/-.*//')
if [ "$ARCH" != amd64 ]; then
	log "musl-dev:$ARCH $MUSL_ARM64_VER"
	# shellcheck disable=SC2086
	(cd "$WORK" && apt-get $APTOPT download "musl-dev:$ARCH=$MUSL_ARM64_VER" >"$WORK/musl.log" 2>&1) ||
		{ cat "$WORK/musl.log"; exit 1; }
	dpkg-deb -x "$WORK"/musl-dev_*_"$ARCH".deb "$SYSROOT/musl"
	m=$SYSROOT/musl/usr
	sed -e "s,/usr/include/$HOST,$m/include/$HOST,g" -e "s,/usr/lib/$HOST,$m/lib/$HOST,g" \
		"$m/lib/$HOST/musl-gcc.specs" >"$SYSROOT/musl-gcc.specs"
	mkdir -p "$SYSROOT/bin"
	printf '#!/bin/sh\nexec %s-gcc "$@" -specs "%s"\n' "$GNU" "$SYSROOT/musl-gcc.specs" >"$CC"
	chmod +x "$CC"
	musl_ver=${MUSL_ARM64_VER%%-*}
fi

CPPFLAGS="-isystem $SYSROOT/include"
LDFLAGS="-L$SYSROOT/lib"

# ---- zlib ------------------------------------------------------------------
fetch_source "$ZLIB_SRC" "$ZLIB_VER"
d=$(unpack "$ZLIB_SRC" "$ZLIB_VER")
log "build zlib"
(cd "$d" && CC=$CC CFLAGS="$OPT" ./configure --static --prefix="$SYSROOT" >build.log 2>&1 &&
	make -j"$JOBS" libz.a >>build.log 2>&1 && make install >>build.log 2>&1) ||
	{ tail -30 "$d/build.log"; exit 1; }

# ---- libelf (elfutils) ----------------------------------------------------
fetch_source "$ELFUTILS_SRC" "$ELFUTILS_VER"
d=$(unpack "$ELFUTILS_SRC" "$ELFUTILS_VER")
log "build libelf"
# musl has no argp, fts or obstack; libelf uses none of them, so answer
# configure's searches for it.
(cd "$d" && CC=$CC CFLAGS="$OPT -Wno-error" CPPFLAGS="$CPPFLAGS" LDFLAGS="$LDFLAGS" \
	ac_cv_search_argp_parse="none required" ac_cv_search_fts_close="none required" \
	ac_cv_search__obstack_free="none required" ac_cv_bad_fts=no \
	./configure --host="$HOST" --prefix="$SYSROOT" --disable-shared \
	--disable-debuginfod --disable-libdebuginfod --disable-demangler \
	--without-bzlib --without-lzma --without-zstd --disable-nls >build.log 2>&1 &&
	make -C lib eu-search.o >>build.log 2>&1 &&
	make -j"$JOBS" -C libelf libelf.a >>build.log 2>&1) ||
	{ tail -30 "$d/build.log"; exit 1; }
$AR rcs "$d/libelf/libelf.a" "$d/lib/eu-search.o"
cp "$d/libelf/libelf.a" "$SYSROOT/lib/"
cp "$d/libelf/libelf.h" "$d/libelf/gelf.h" "$d/libelf/nlist.h" "$SYSROOT/include/"
mkdir -p "$SYSROOT/include/elfutils"
cp "$d/libelf/elf-knowledge.h" "$SYSROOT/include/elfutils/" 2>/dev/null || true
cp "$d/version.h" "$SYSROOT/include/elfutils/version.h" 2>/dev/null || true

# ---- libbpf ---------------------------------------------------------------
fetch_source "$LIBBPF_SRC" "$LIBBPF_VER"
d=$(unpack "$LIBBPF_SRC" "$LIBBPF_VER")
log "build libbpf"
(cd "$d/src" && make -j"$JOBS" CC="$CC" AR="$AR" BUILD_STATIC_ONLY=1 \
	CFLAGS="$OPT $CPPFLAGS -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64" \
	PREFIX="$SYSROOT" LIBDIR="$SYSROOT/lib" OBJDIR="$d/obj" \
	install install_uapi_headers >"$d/build.log" 2>&1) ||
	{ tail -30 "$d/build.log"; exit 1; }
# libbpf's uapi headers are newer than linux-libc-dev's for bpf: they win
rm -f "$SYSROOT"/lib/pkgconfig/libbpf.pc

# ---- jemalloc -------------------------------------------------------------
fetch_source "$JEMALLOC_SRC" "$JEMALLOC_VER"
d=$(unpack "$JEMALLOC_SRC" "$JEMALLOC_VER")
log "build jemalloc"
(cd "$d" && CC=$CC CFLAGS="$OPT" EXTRA_CFLAGS="-g0" CPPFLAGS="$CPPFLAGS" \
	./configure --host="$HOST" --prefix="$SYSROOT" \
	--enable-stats --disable-shared --disable-cxx --disable-libdl \
	--with-lg-page="$LG_PAGE" --with-lg-hugepage=21 --disable-initial-exec-tls \
	>build.log 2>&1 &&
	make -j"$JOBS" build_lib_static >>build.log 2>&1) ||
	{ tail -30 "$d/build.log"; exit 1; }
cp "$d/lib/libjemalloc.a" "$SYSROOT/lib/"
mkdir -p "$SYSROOT/include/jemalloc"
cp "$d/include/jemalloc/jemalloc.h" "$SYSROOT/include/jemalloc/"

# versions for `ktbox --version`
{
	echo "#define KT_ZLIB_VERSION \"$(sed -n 's/^#define ZLIB_VERSION "\(.*\)"/\1/p' "$SYSROOT/include/zlib.h")\""
	echo "#define KT_LIBELF_VERSION \"${ELFUTILS_VER%-*}\""
	echo "#define KT_JEMALLOC_VERSION \"$(sed -n 's/^#define JEMALLOC_VERSION "\([0-9.]*\)-.*/\1/p' "$SYSROOT/include/jemalloc/jemalloc.h")\""
	echo "#define KT_MUSL_VERSION \"$musl_ver\""
	echo "#define KT_DEPS_DEBIAN \"zlib $ZLIB_VER, elfutils $ELFUTILS_VER, libbpf $LIBBPF_VER, jemalloc $JEMALLOC_VER\""
} >"$SYSROOT/include/kt_deps_versions.h"
log "sysroot ready in $SYSROOT"
