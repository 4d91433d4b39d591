#!/usr/bin/env bash
# Every benchmark, then one table of their figures with the targets (docs: README
# "Benchmarks"). Not a test, and not part of CI: about 13 minutes on 2 cores, and
# about 35 more for the peers (bench-peers.mjs: their slow runs each take its whole
# 60 s limit); the figures mean something only on a machine doing nothing else.
#
#   scripts/bench-all.sh                  build (page and CLI), run all, print the table
#   NO_BUILD=1 scripts/bench-all.sh       use the dist/ and target/release/locklab built
#   DIST=dir LOCKLAB=file scripts/bench-all.sh   benchmark other builds (say, from
#                                         before a change; implies NO_BUILD)
#   BEFORE=dir scripts/bench-all.sh       print this run beside an earlier run's results
#
# Each benchmark's output is kept in OUT (default target/bench-all/<commit>-<time>);
# its last line is its figures as JSON, which scripts/bench-table.mjs reads. A
# benchmark that fails is said, and the table shows n/a for its figures.
# RUNS (default 3) is the runs per scenario of the throughput comparison;
# MILLION_JOBS (default 1000000) the jobs of the million-job run, MILLION_STORAGE
# its storage (default memory, about 4 minutes here; opfs takes about 25).
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh >/dev/null || exit 1
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
if [ -z "${NO_BUILD:-}" ] && [ -z "${DIST:-}" ]; then
  cargo build --release --bin locklab || exit 1
  ./scripts/dist.sh >/dev/null || exit 1
fi
export DIST="${DIST:-$PWD/dist}"
export LOCKLAB="${LOCKLAB:-$PWD/target/release/locklab}"
export RUNS="${RUNS:-3}"
out="${OUT:-target/bench-all/$(git rev-parse --short HEAD)-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
printf 'scripts at %s, page %s, CLI %s, %s cores, %s\n' "$(git rev-parse --short HEAD)" "$DIST" "$LOCKLAB" \
  "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)" > "$out/meta.txt"

failed=()
# step NAME COMMAND...: run one benchmark, its output to the terminal and to OUT/NAME.txt.
step() {
  local name=$1
  shift
  printf '\n== %s: %s\n' "$name" "$*"
  if ! "$@" 2>&1 | tee "$out/$name.txt"; then
    failed+=("$name")
    printf '== %s FAILED (its figures show as n/a)\n' "$name"
  fi
}

step browser node tests/e2e/bench-browser.mjs all
step handoff node tests/e2e/bench-handoff.mjs
step frames node tests/e2e/bench-frames.mjs
step replay node tests/e2e/bench-replay.mjs
step size bash scripts/bench-size.sh
step peers node tests/e2e/bench-peers.mjs
step million env JOBS="${MILLION_JOBS:-1000000}" STORAGE="${MILLION_STORAGE:-memory}" \
  node tests/e2e/bench-million.mjs

printf '\n== the table (results in %s)\n' "$out"
node scripts/bench-table.mjs ${BEFORE:+"$BEFORE"} "$out"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'failed: %s\n' "${failed[*]}"
  exit 1
fi
