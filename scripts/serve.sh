#!/usr/bin/env bash
# Serve the locklab page on http://127.0.0.1:8080 with the COOP/COEP headers that make
# it cross-origin isolated. Installs whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
. scripts/release-wasm.sh
release_wasm exec trunk serve --release "$@"
