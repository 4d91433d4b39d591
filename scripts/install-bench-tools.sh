#!/usr/bin/env bash
# Tools only the benchmarks use (not CI, not the tests): twiggy, a wasm code size
# profiler (what each function and crate costs the page's and the worker's wasm).
# Installed into .tools/cargo/bin; skipped when the right version is there.
set -euo pipefail
cd "$(dirname "$0")/.."
TWIGGY_VERSION=0.8.0
if [ "$(.tools/cargo/bin/twiggy --version 2>/dev/null)" != "twiggy $TWIGGY_VERSION" ]; then
  printf 'install-bench-tools: cargo install twiggy %s into .tools/cargo (a few minutes)\n' "$TWIGGY_VERSION"
  # Its own target directory: a benchmark tool must not share or dirty the project's.
  CARGO_TARGET_DIR="$PWD/.tools/cargo-build" \
    cargo install twiggy --version "$TWIGGY_VERSION" --locked --root .tools/cargo
  rm -rf .tools/cargo-build
fi
