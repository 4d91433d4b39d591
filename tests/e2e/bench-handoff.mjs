// Benchmark, not a test: the lock hand-off (from one worker's release of the write
// lock to its grant to a worker that was refused it: the run report's
// `lock_handoff_us`, docs/report.md) natively (unix VFS, shared VFS) and in the
// page (shared VFS on OPFS and on memory), in one scenario made to hand the lock
// over: 2 workers (a core each on a 2-core machine) spinning on BEGIN IMMEDIATE
// (busy_timeout 0, retry_delay 0),
// short transactions, 1 ms of work between claim and result. Rollback journal
// (`delete`) first, then WAL.
//
// Needs `cargo build --release` (the CLI; CARGO_TARGET_DIR is honoured) and the
// page built (scripts/dist.sh); LOCKLAB=file names another CLI. RUNS=n runs each n times (3) and gives the median
// of each figure, n the hand-offs of all runs; DIST=dir benchmarks another build
// of the page: one whose reports lack `lock_handoff_us` gives null for the browser.
// The page's clock is performance.now(), coarsened to 5 µs steps in a cross-origin
// isolated page: browser figures come in those steps.
//
// The last line printed is one JSON object for scripts/bench-all.sh:
// {"native_unix": {"p50", "p95", "p99", "n"}, "native_shared": ..., "opfs": ...,
//  "memory": ..., "wal": {the same four, in WAL mode}}, figures in µs.
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { ready } from "./wait.mjs";
import { median } from "./figures.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const RUNS = Number(process.env.RUNS ?? 3);
// LOCKLAB=file: another native build (say, from before a change).
const LOCKLAB = process.env.LOCKLAB ?? join(target, "release", "locklab");
const scenario = (journal_mode) => ({
  name: `hand-off (${journal_mode})`, workers: 2, jobs: 2000, transaction: "short",
  begin: "immediate", journal_mode, synchronous: "off", busy_timeout_ms: 0,
  retry_delay_ms: 0, work_ms: 1,
});

/** The median of each figure over the runs' `lock_handoff_us`; null if a report
 *  lacks it (a build from before it). */
function summary(reports) {
  const h = reports.map((r) => r.lock_handoff_us);
  if (h.some((x) => x === undefined || x === null)) return null;
  return {
    p50: median(h.map((x) => x.p50)),
    p95: median(h.map((x) => x.p95)),
    p99: median(h.map((x) => x.p99)),
    n: h.reduce((n, x) => n + x.count, 0),
  };
}

function native(journal_mode, vfs) {
  const dir = join(target, "bench-handoff");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${journal_mode}.json`);
  writeFileSync(file, JSON.stringify(scenario(journal_mode)));
  const reports = [];
  for (let i = 0; i < RUNS; i++) {
    const out = spawnSync(LOCKLAB, ["run", "--json", "--vfs", vfs, file],
      { encoding: "utf8" });
    if (out.status !== 0) throw new Error(out.stderr || out.error?.message);
    reports.push(JSON.parse(out.stdout));
  }
  return summary(reports);
}

const site = await serve(process.env.DIST ?? join(root, "dist"));
const browser = await launch();
const page = await browser.newPage();
await page.goto(site.url);
await ready(page);
async function inBrowser(journal_mode, storage) {
  const reports = [];
  for (let i = 0; i < RUNS; i++) {
    reports.push(await page.evaluate(([s, o]) => window.locklab.run(s, o),
      [scenario(journal_mode), { storage }]));
  }
  return summary(reports);
}

const result = {};
const f = (x) => (x === null ? "-" : x.toFixed(0)).padStart(7);
console.log(`lock hand-off, µs (median of ${RUNS} runs; n = hand-offs in all runs); ` +
  `2 workers spinning, busy_timeout 0, 1 ms work; browser clock in 5 µs steps`);
console.log("journal  host             p50     p95     p99       n");
for (const journal_mode of ["delete", "wal"]) {
  const rows = {
    native_unix: native(journal_mode, "unix"),
    native_shared: native(journal_mode, "shared"),
    opfs: await inBrowser(journal_mode, "opfs"),
    memory: await inBrowser(journal_mode, "memory"),
  };
  for (const [host, s] of Object.entries(rows)) {
    console.log(`${journal_mode.padEnd(8)} ${host.padEnd(14)} ${f(s?.p50 ?? null)} ${f(s?.p95 ?? null)} ` +
      `${f(s?.p99 ?? null)} ${f(s?.n ?? null)}`);
  }
  if (journal_mode === "delete") Object.assign(result, rows);
  else result.wal = rows;
}
await browser.close();
site.server.close();
console.log(JSON.stringify(result));
