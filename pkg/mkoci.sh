#!/bin/sh
# Build an OCI image of ktbox from scratch: one layer holding /bin/ktbox and
# a /bin/APPLET -> ktbox symlink per applet, entrypoint /bin/ktbox.  No base
# image, no daemon, no network; byte-for-byte reproducible (fixed mtimes,
# sorted entries, numeric uid/gid 0, gzip -n, hand-written canonical JSON).
#
#   pkg/mkoci.sh -k KTBOX -o OUTDIR [-a APPLET,...] [-A ARCH] [-V VERSION]
#                [-r REVISION] [-s SOURCE] [-t EPOCH] [-T TAG]
#
#   -k  the static binary          -o  output directory (replaced)
#   -a  applet names (default: `KTBOX --list`, which needs a runnable binary)
#   -A  OCI architecture (amd64, arm64; default amd64)
#   -V  image version label        -r  revision label (commit)
#   -s  source label (URL)         -t  timestamp, seconds since the epoch
#   -T  tag in index.json (default: latest)
#
# Writes OUTDIR/layout/ (an OCI image layout: oci-layout, index.json,
# blobs/sha256/) and OUTDIR/ktbox.oci.tar (the same as an oci-archive, for
# `skopeo copy oci-archive:...`, `podman load -i`).  Prints the manifest
# digest.
set -eu

die() { printf 'mkoci: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '7,14s/^# \{0,1\}//p' "$0" >&2; exit 2; }

ktbox="" out="" applets="" arch=amd64 version=unknown revision="" source="" epoch=0 tag=latest
while getopts k:o:a:A:V:r:s:t:T:h c; do
	case $c in
	k) ktbox=$OPTARG ;; o) out=$OPTARG ;; a) applets=$OPTARG ;; A) arch=$OPTARG ;;
	V) version=$OPTARG ;; r) revision=$OPTARG ;; s) source=$OPTARG ;; t) epoch=$OPTARG ;;
	T) tag=$OPTARG ;; *) usage ;;
	esac
done
[ -n "$ktbox" ] && [ -n "$out" ] || usage
[ -f "$ktbox" ] || die "no binary '$ktbox'"
case $epoch in '' | *[!0-9]*) die "bad timestamp '$epoch'" ;; esac
case $arch in amd64 | arm64) ;; *) die "unsupported architecture '$arch'" ;; esac
if [ -z "$applets" ]; then
	applets=$("$ktbox" --list) || die "cannot run '$ktbox --list' (give -a)"
fi
applets=$(printf '%s\n' "$applets" | tr ',' '\n' | sed '/^$/d' | LC_ALL=C sort -u)
for a in $applets; do
	case $a in *[!a-z0-9_]* | ktbox) die "bad applet name '$a'" ;; esac
done

# JSON string: escape backslash and quote (labels are single-line)
jstr() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

rm -rf "$out"
work=$out/.work
layout=$out/layout
blobs=$layout/blobs/sha256
mkdir -p "$work/root/bin" "$blobs"

# ---- the layer --------------------------------------------------------------
cp "$ktbox" "$work/root/bin/ktbox"
chmod 0755 "$work/root/bin" "$work/root/bin/ktbox"
for a in $applets; do
	ln -s ktbox "$work/root/bin/$a"
done
LC_ALL=C tar --format=ustar --sort=name --mtime="@$epoch" --owner=0 --group=0 \
	--numeric-owner --mode='u+rwX,go+rX,go-w' -C "$work/root" -cf "$work/layer.tar" bin
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -9 -c "$work/layer.tar" >"$work/layer.tar.gz"

# blob FILE: move into blobs/sha256/DIGEST, set $dgst and $size
blob() {
	dgst=$(sha256sum "$1" | cut -d' ' -f1)
	size=$(stat -c %s "$1")
	mv "$1" "$blobs/$dgst"
}
blob "$work/layer.tar.gz"
layer_dgst=$dgst layer_size=$size

# ---- config -------------------------------------------------------------------
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
labels="$(jstr org.opencontainers.image.title):$(jstr ktbox)"
labels="$labels,$(jstr org.opencontainers.image.version):$(jstr "$version")"
[ -n "$revision" ] && labels="$labels,$(jstr org.opencontainers.image.revision):$(jstr "$revision")"
[ -n "$source" ] && labels="$labels,$(jstr org.opencontainers.image.source):$(jstr "$source")"
printf '{"architecture":"%s","config":{"Entrypoint":["/bin/ktbox"],"Env":["PATH=/bin"],"Labels":{%s},"WorkingDir":"/"},"created":"%s","history":[{"created":"%s","created_by":"pkg/mkoci.sh"}],"os":"linux","rootfs":{"diff_ids":["sha256:%s"],"type":"layers"}}' \
	"$arch" "$labels" "$created" "$created" "$diff_id" >"$work/config.json"
blob "$work/config.json"
config_dgst=$dgst config_size=$size

# ---- manifest, index, layout ----------------------------------------------------
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}],"annotations":{"org.opencontainers.image.created":"%s"}}' \
	"$config_dgst" "$config_size" "$layer_dgst" "$layer_size" "$created" >"$work/manifest.json"
blob "$work/manifest.json"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"%s","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":%s}}]}' \
	"$dgst" "$size" "$arch" "$(jstr "$tag")" >"$layout/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"

# the oci-archive: the layout's files, same rules as the layer
find "$layout" -exec touch -h -d "@$epoch" {} +
chmod -R u+rwX,go+rX,go-w "$layout"
LC_ALL=C tar --format=ustar --sort=name --mtime="@$epoch" --owner=0 --group=0 \
	--numeric-owner -C "$layout" -cf "$out/ktbox.oci.tar" oci-layout index.json blobs
rm -rf "$work"
echo "sha256:$dgst"
