#!/usr/bin/env bash
# A Debian bookworm base image made locally with debootstrap, for building the images where no registry is
# reachable. Needs root, debootstrap and a Debian mirror (DEBIAN_MIRROR: the hospital's own, or deb.debian.org).
set -euo pipefail
IMAGE=${1:-localhost/radcurate-base:bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
if podman image exists "$IMAGE"; then
  echo "$IMAGE exists"
  exit 0
fi
root=$(mktemp -d /var/tmp/radcurate-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase bookworm "$root" "$MIRROR" >/dev/null
cat > "$root/etc/apt/sources.list" <<LIST
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $SECURITY_MIRROR bookworm-security main
LIST
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | podman import --change 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
echo "$IMAGE imported from a debootstrap of bookworm ($MIRROR)"
