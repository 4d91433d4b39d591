#!/usr/bin/env bash
# Benchmark (not a test): what the browser downloads and how soon the page is
# ready. Prints the page's wasm (app) and the worker's wasm, raw and gzipped
# (gzip -9), their total against the budget (800 KB gzipped, docs: DESIGN
# "Budgets"), whether the page's wasm holds any SQLite, and the cold load to a
# ready page (tests/e2e/bench-load.mjs, median of RUNS runs, default 7). The last
# line is the figures as one JSON object (scripts/bench-all.sh reads it).
#   scripts/bench-size.sh            build (trunk build --release), then measure
#   NO_BUILD=1 scripts/bench-size.sh measure the dist/ already built
#   DIST=dir scripts/bench-size.sh   measure another build (implies NO_BUILD)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
dist=${DIST:-dist}
if [ -z "${NO_BUILD:-}" ] && [ -z "${DIST:-}" ]; then
  ./scripts/install.sh >/dev/null
  . scripts/release-wasm.sh
  release_wasm trunk build --release >/dev/null
fi

app=$(find "$dist" -maxdepth 1 -name 'app*_bg.wasm' | head -1)
worker="$dist/worker_bg.wasm"
total_gz=0
json=""
printf 'wasm shipped (%s)          bytes    gzipped\n' "$dist"
for pair in "app:$app" "worker:$worker"; do
  name=${pair%%:*}
  file=${pair#*:}
  raw=$(stat -c %s "$file")
  gz=$(gzip -9c "$file" | wc -c)
  total_gz=$((total_gz + gz))
  json="$json\"${name}_bytes\":$raw,\"${name}_gz\":$gz,"
  printf '  %-24s %9d  %9d\n' "$name" "$raw" "$gz"
done
printf '  %-24s %9s  %9d  (budget 800000: %s)\n' "total" "" "$total_gz" \
  "$([ "$total_gz" -le 800000 ] && echo within || echo OVER)"

# The page's wasm must carry no SQLite: neither SQLite's C functions (their
# names survive in its name section before wasm-opt strips it, so look at what
# cargo built, so only when measuring this checkout's dist/) nor its error strings.
named=${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm-release/app.wasm
if [ "$(realpath "$dist")" = "$(realpath dist)" ] && [ -f "$named" ]; then
  # Functions only (wasm-opt's map of them): a lesson's text may name
  # sqlite3_changes() without carrying SQLite. The worker's map has a hundred.
  hits=$( (wasm-opt --all-features "$named" --print-function-map -o /dev/null 2>/dev/null \
    | grep -c '^[0-9]*:sqlite3_') || true)
  printf '  SQLite functions (sqlite3_*) in the app wasm (%s): %s\n' "$named" "$hits"
  # Floats are formatted and read through src/decimal.rs: one `{:.1}` of a
  # bare f64 brings core's float formatting back (about 4 KB gzipped), one
  # `parse::<f64>()` its reader (about 13 KB).
  floats=$( (grep -a -o 'float_to_decimal_common_[a-z]*\|dec2flt' "$named" || true) | wc -l)
  printf '  core float formatting or reading in the app wasm: %s (0 when every float goes through src/decimal.rs)\n' "$floats"
fi
hits=$( (grep -a -o 'database disk image is malformed' "$app" || true) | wc -l)
printf '  SQLite error strings in the shipped app wasm: %s\n\n' "$hits"

load=$(JSON=1 node tests/e2e/bench-load.mjs)
ready=$(node -e 'const f = JSON.parse(process.argv[1]); console.log(f.ready.toFixed(1))' "$load")
printf 'cold load on localhost to a ready page (window.locklab set), median: %s ms\n' "$ready"
printf '{%s"total_gz":%d,"sqlite_strings_in_app":%d,"load":%s}\n' "$json" "$total_gz" "$hits" "$load"
