#!/bin/sh
# A Debian package of ktbox with dpkg-deb (no debhelper): the tree that
# `make install DESTDIR=STAGE PREFIX=/usr` wrote, plus the copyright file,
# a changelog, lintian overrides for what a static binary is, and
# DEBIAN/{control,md5sums}.
#
#   pkg/mkdeb.sh STAGE OUT.deb VERSION ARCH MAINTAINER
#
# SOURCE_DATE_EPOCH sets every time stamp (the same inputs give the same
# .deb).
set -eu

[ $# -eq 5 ] || { echo "usage: $0 STAGE OUT.deb VERSION ARCH MAINTAINER" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
stage=$1 deb=$2 version=$3 arch=$4 maint=$5
epoch=${SOURCE_DATE_EPOCH:-0}
[ -x "$stage/usr/bin/ktbox" ] || { echo "mkdeb: no $stage/usr/bin/ktbox (make install first)" >&2; exit 1; }

doc=$stage/usr/share/doc/ktbox
mkdir -p "$doc" "$stage/usr/share/lintian/overrides" "$stage/DEBIAN"
cp "$top/pkg/debian/copyright" "$doc/copyright"
{
	printf 'ktbox (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * Built from %s.\n\n' "$(cd "$top" && git describe --always --dirty 2>/dev/null || echo 'a source tree')"
	printf ' -- %s  %s\n' "$maint" "$(LC_ALL=C date -u -R -d "@$epoch")"
} | gzip -n -9 >"$doc/changelog.gz"
# one static binary with its libraries built in, on purpose (README)
cat >"$stage/usr/share/lintian/overrides/ktbox" <<'EOF'
ktbox: statically-linked-binary [usr/bin/ktbox]
EOF

size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: ktbox
Version: $version
Architecture: $arch
Maintainer: $maint
Installed-Size: $size
Section: utils
Priority: optional
Description: capture tools for sched_ext scheduler tests
 One fully static binary (busybox style: ktbox APPLET, or a link named
 APPLET) that captures what is needed to understand why a sched_ext
 scheduler died: host context (hostctx), the kernel symbol table
 (kallsyms) and sched_ext exit events from the kernel log (kmsgscx).
EOF
(cd "$stage" && find usr -type f | LC_ALL=C sort | xargs md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -exec touch -h -d "@$epoch" {} +
mkdir -p "$(dirname "$deb")"
SOURCE_DATE_EPOCH=$epoch dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
