#!/usr/bin/env bash
# Build the page for any static host: dist/ holds everything, with relative
# paths, so it works at a site's root or under a path (GitHub Pages' project
# sites), and a service worker (static/sw.js) that makes it cross-origin isolated
# where the host cannot send COOP/COEP headers and keeps it for offline use.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

. scripts/release-wasm.sh
release_wasm trunk build --release --public-url ./

printf '\ndist/ is ready:\n'
for f in dist/*; do
  printf '  %-40s %9d bytes' "$f" "$(stat -c %s "$f")"
  case "$f" in *.wasm) printf ' (%d gzipped)' "$(gzip -9c "$f" | wc -c)" ;; esac
  printf '\n'
done
cat <<'SAY'

Publish it by copying dist/ to any static host, as it is:
  - GitHub Pages: push dist/'s files to the branch (or folder) Pages serves;
  - a laptop or a USB stick: python3 -m http.server -d dist 8000, then open
    http://localhost:8000/ (a service worker needs https or localhost).
The first visit reloads once (the service worker then makes the page
cross-origin isolated); after that the page loads and runs without a network.
SAY
