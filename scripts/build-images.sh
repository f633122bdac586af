#!/usr/bin/env bash
# Builds the stack's images with podman (or docker: CONTAINER_ENGINE=docker), from a local debootstrap base by
# default (no registry needed) or from public images (BASE_IMAGE=docker.io/library/debian:bookworm-slim).
#   scripts/build-images.sh [platform|training|all]    (default: platform, postgres and redis)
# Mirrors: DEBIAN_MIRROR, PIP_INDEX_URL; HTTPS through an intercepting proxy: PIP_CERT_FILE (a CA bundle on the
# host, mounted into the build only). The training image's torch wheel may come from a local folder (PIP_FIND_LINKS).
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINE=${CONTAINER_ENGINE:-podman}
if [ "$ENGINE" = podman ] && [ -z "${CONTAINERS_CONF:-}" ] && [ ! -S /var/run/docker.sock ]; then
  export CONTAINERS_CONF=$PWD/docker/podman/containers.conf
fi
what=${1:-platform}
BASE_IMAGE=${BASE_IMAGE:-localhost/radcurate-base:bookworm}
if [ "$BASE_IMAGE" = localhost/radcurate-base:bookworm ]; then
  ./scripts/build-base-image.sh "$BASE_IMAGE"
fi
PIP_CERT_FILE=${PIP_CERT_FILE:-${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}}
PIP_FIND_LINKS=${PIP_FIND_LINKS:-$( (pip3 config get global.find-links 2>/dev/null || true) | tail -n1)}
args=(--build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "DEBIAN_MIRROR=${DEBIAN_MIRROR:-}"
      --build-arg "PIP_INDEX_URL=${PIP_INDEX_URL:-}")
if [ -n "$PIP_CERT_FILE" ] && [ -f "$PIP_CERT_FILE" ]; then
  args+=(-v "$PIP_CERT_FILE:/run/build-ca.crt:ro" --build-arg PIP_CERT=/run/build-ca.crt)
fi
build() {  # tag, dockerfile, context, extra args...
  local tag=$1 file=$2 context=$3
  shift 3
  echo "== building $tag"
  local started=$SECONDS
  "$ENGINE" build --layers -t "$tag" -f "$file" "${args[@]}" "$@" "$context"
  echo "== $tag built in $((SECONDS - started)) s"
}
if [ "$what" = platform ] || [ "$what" = all ]; then
  test -f frontend/static/dist/.vite/manifest.json || ./scripts/build-frontend.sh
  build localhost/radcurate:latest docker/Dockerfile .
  build localhost/radcurate-postgres:15 docker/postgres/Dockerfile docker
  build localhost/radcurate-redis:7 docker/redis/Dockerfile docker
fi
if [ "$what" = training ] || [ "$what" = all ]; then
  links=()
  if [ -n "$PIP_FIND_LINKS" ] && [ -d "$PIP_FIND_LINKS" ]; then
    links=(-v "$PIP_FIND_LINKS:/run/wheels:ro" --build-arg PIP_FIND_LINKS=/run/wheels)
  fi
  build localhost/radcurate-training:latest docker/training.Dockerfile . "${links[@]}"
fi
