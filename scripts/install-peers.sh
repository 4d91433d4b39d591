#!/usr/bin/env bash
# Install the browser SQLites that tests/e2e/bench-peers.mjs runs beside locklab
# (official sqlite-wasm, wa-sqlite's VFSes) into tests/e2e/peers/node_modules, at
# the versions tests/e2e/peers/package-lock.json pins. Never into the page nor
# dist/: only the benchmark's own page loads them. Skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/../tests/e2e/peers"
want() { node -p "require('./package-lock.json').packages['node_modules/$1'].version"; }
have() { node -p "try { require('./node_modules/$1/package.json').version } catch { '' }"; }
for p in @sqlite.org/sqlite-wasm @journeyapps/wa-sqlite; do
  if [ "$(have "$p")" != "$(want "$p")" ]; then
    printf 'install-peers: npm ci in tests/e2e/peers\n'
    npm ci --silent --no-audit --no-fund --ignore-scripts
    break
  fi
done
printf 'install-peers: ready: @sqlite.org/sqlite-wasm %s, @journeyapps/wa-sqlite %s\n' \
  "$(have @sqlite.org/sqlite-wasm)" "$(have @journeyapps/wa-sqlite)"
