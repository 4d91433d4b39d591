#!/usr/bin/env bash
# Run every test: native (real SQLite, threads), wasm in headless Chromium (a
# dedicated Web Worker), and end-to-end against the page built by Trunk. Installs
# whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

step "native tests (cargo test)"
cargo test --locked

step "wasm tests in a Web Worker of headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver cargo test --locked --target wasm32-unknown-unknown --test browser

step "build the page as it is deployed (scripts/dist.sh: trunk build --release)"
./scripts/dist.sh

step "end-to-end tests (Playwright, Debian Chromium)"
(cd tests/e2e && node --test)
