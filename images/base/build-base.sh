#!/usr/bin/env bash
# Builds the PatchOps base image from Debian's own packages: no registry, no Docker.
#
# The packages are fetched with apt (signed Debian indexes, hash-checked .debs), unpacked with
# dpkg-deb into a root filesystem, and packed as a `docker save` tarball that Jib reads as
# `tar://...`. Every byte is a function of this script and the package versions, which is also
# the cache key: the tarball is built once per machine into $PATCHOPS_CACHE/base-image/<key>/.
#
# Usage: build-base.sh [cache-dir]    prints the tarball's path on its last line of stdout.
set -euo pipefail
export LC_ALL=C

CACHE_ROOT="${1:-${PATCHOPS_CACHE:-$HOME/.cache/patchops}}"
BASE_DIR="$CACHE_ROOT/base-image"
JAVA_HOME_IN_IMAGE=/usr/lib/jvm/java-17-openjdk-amd64
APP_UID=10001

# What a headless JVM links against (readelf NEEDED of libjvm/libjava/libnet/libnio/libzip), and no
# more. The JRE's other Depends serve AWT, sound, smart cards and fonts, which the services do not
# load. ca-certificates-java is left out on purpose: its keystore is made by a Java program at
# install time and carries timestamps and a random salt, so it would make the image
# unreproducible; the services trust in-cluster endpoints through mounted PEM files.
PACKAGES=(base-files netbase gcc-12-base libc6 libgcc-s1 libstdc++6 zlib1g openjdk-17-jre-headless)

mkdir -p "$BASE_DIR"
exec 9>"$BASE_DIR/.lock"
flock 9   # one builder per machine; the apt lock below is apt's own

apt_locked() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }

# One apt-cache call for all: "package=candidate" lines, in the order of PACKAGES.
versions() {
  local out
  out="$(apt-cache policy "${PACKAGES[@]}" 2>/dev/null | awk '
    /^[^ ].*:$/ { sub(":$", ""); pkg = $0 }
    /Candidate:/ { print pkg "=" $2 }')"
  if [ "$(echo "$out" | grep -c .)" -ne "${#PACKAGES[@]}" ] || echo "$out" | grep -q '=(none)$'; then
    return 1
  fi
  echo "$out"
}

if ! PINNED="$(versions)"; then
  echo "base image: apt knows no candidate for one of ${PACKAGES[*]}; running apt-get update" >&2
  apt_locked update -qq >&2 || { echo "base image: apt-get update failed (is a Debian mirror reachable?)" >&2; exit 1; }
  PINNED="$(versions)" || { echo "base image: Debian has no candidate for one of ${PACKAGES[*]}" >&2; exit 1; }
fi

KEY="$( { sha256sum < "$0"; echo "$PINNED"; } | sha256sum | cut -c1-16)"
OUT="$BASE_DIR/$KEY"
if [ -s "$OUT/base.tar" ]; then
  echo "base image: cached $OUT/base.tar" >&2
  echo "$OUT/base.tar"
  exit 0
fi

START=$(date +%s)
WORK="$(mktemp -d "$BASE_DIR/work.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/debs" "$WORK/rootfs" "$WORK/image"

echo "base image: downloading $(echo "$PINNED" | tr '\n' ' ')" >&2
# shellcheck disable=SC2046
(cd "$WORK/debs" && apt_locked download -q -o APT::Sandbox::User=root $(echo "$PINNED") >&2)

for deb in "$WORK"/debs/*.deb; do
  dpkg-deb -x "$deb" "$WORK/rootfs"
done

R="$WORK/rootfs"
# Nothing that varies between builds or serves no one at run time.
rm -rf "$R"/usr/share/doc "$R"/usr/share/man "$R"/usr/share/info "$R"/usr/share/lintian \
  "$R"/usr/share/locale "$R"/usr/share/bug "$R"/var/cache/* "$R"/var/log/* "$R"/var/lib/apt \
  "$R"/etc/machine-id "$R"/var/lib/dbus/machine-id
mkdir -p "$R/tmp" "$R/root" "$R/var/tmp" "$R/proc" "$R/sys" "$R/dev" "$R/etc"
chmod 1777 "$R/tmp" "$R/var/tmp"
cat > "$R/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/usr/sbin/nologin
patchops:x:$APP_UID:$APP_UID:PatchOps:/tmp:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PASSWD
cat > "$R/etc/group" <<GROUP
root:x:0:
patchops:x:$APP_UID:
nogroup:x:65534:
GROUP
printf 'passwd: files\ngroup: files\nhosts: files dns\nservices: files\n' > "$R/etc/nsswitch.conf"
# The JRE's launcher is reached by its full path: no update-alternatives ran, so give it the
# conventional name too.
ln -sf "$JAVA_HOME_IN_IMAGE/bin/java" "$R/usr/bin/java"
test -x "$R$JAVA_HOME_IN_IMAGE/bin/java" || { echo "base image: no java in the unpacked JRE" >&2; exit 1; }

# One layer: sorted, owned by 0:0, every mtime the epoch.
find "$R" -depth -exec touch -h -d @0 {} +
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=gnu \
  -cf "$WORK/image/layer.tar" -C "$R" .
DIFF_ID="sha256:$(sha256sum "$WORK/image/layer.tar" | cut -d' ' -f1)"
CREATED_BY="images/base/build-base.sh from Debian bookworm: $(echo "$PINNED" | tr '\n' ' ' | sed 's/ $//')"
cat > "$WORK/image/config.json" <<CONFIG
{"architecture":"amd64","os":"linux","config":{"User":"$APP_UID:$APP_UID","Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=$JAVA_HOME_IN_IMAGE","LANG=C.UTF-8"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["$DIFF_ID"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"$CREATED_BY"}]}
CONFIG
cat > "$WORK/image/manifest.json" <<MANIFEST
[{"Config":"config.json","RepoTags":["patchops/base-jre17:$KEY"],"Layers":["layer.tar"]}]
MANIFEST
touch -d @0 "$WORK"/image/*
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=gnu \
  -cf "$WORK/base.tar" -C "$WORK/image" manifest.json config.json layer.tar
echo "$PINNED" > "$WORK/packages.txt"

mkdir -p "$OUT"
mv "$WORK/packages.txt" "$OUT/packages.txt"
mv "$WORK/base.tar" "$OUT/base.tar.part" && mv "$OUT/base.tar.part" "$OUT/base.tar"
echo "base image: built $OUT/base.tar in $(( $(date +%s) - START )) s (layer $DIFF_ID)" >&2
echo "$OUT/base.tar"
