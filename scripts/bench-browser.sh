#!/usr/bin/env bash
# Benchmark (not a test): the same scenarios in headless Chromium and natively.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cargo build --release --bin locklab
. scripts/release-wasm.sh
release_wasm trunk build --release
node tests/e2e/bench-browser.mjs
