#!/usr/bin/env bash
# Installs the frontend's npm packages when package-lock.json is newer than them (the linter needs them even when the
# bundle is fresh), then builds the bundle with Vite when it is missing or older than its sources.
set -euo pipefail
cd "$(dirname "$0")/../frontend"
[ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error
manifest=static/dist/.vite/manifest.json
if [ -f "$manifest" ] && [ -z "$(find src package.json package-lock.json vite.config.* -newer "$manifest" 2>/dev/null | head -n1)" ]; then
  exit 0
fi
npx vite build --logLevel warn
# Brotli and gzip copies beside each asset: WhiteNoise serves them to browsers that accept them (the viewer's
# ~10 MB of scripts and WebAssembly cross a remote reader's link once per release, compressed).
"${PYTHON:-../.venv/bin/python}" -m whitenoise.compress -q static/dist
