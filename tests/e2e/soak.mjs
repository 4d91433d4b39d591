// A soak of the page (not part of the tests): contended runs through the page's
// automation API, on OPFS and on memory, in every journal mode, some with a worker
// killed mid-job, some with two runs at once in two tabs. Prints each run and the
// totals: hangs (no answer within the run's time limit and a margin), failures,
// runs where a job was not done exactly once, and damage.
//
//   node tests/e2e/soak.mjs [RUNS]          (default 20; needs dist/ built)
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { ready } from "./wait.mjs";

const runs = Number(process.argv[2] ?? 20);
const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist");
const site = await serve(dist);
const browser = await launch();
const tabs = [await browser.newPage(), await browser.newPage()];
for (const tab of tabs) {
  await tab.goto(site.url);
  await ready(tab);
}

const MODES = ["delete", "truncate", "persist", "wal"];
const TIME_LIMIT_MS = 60_000;

function scenario(i) {
  const s = { name: `soak-${i}`, workers: 4, jobs: 300, transaction: i % 3 === 0 ? "long" : "short",
    begin: "immediate", journal_mode: MODES[i % 4], busy_timeout_ms: 5000, work_ms: [0, 3],
    heartbeat_ms: 2, time_limit_ms: TIME_LIMIT_MS, seed: i };
  if (i % 5 === 4) Object.assign(s, { stale_after_ms: 200, faults: [{ kill: 1, at_ms: 30 }] });
  return s;
}

async function one(tab, i, storage) {
  const started = Date.now();
  const answer = tab.evaluate(([s, o]) => window.locklab.run(s, o).then((r) => ({ report: r }), (e) => ({ error: String(e) })),
    [scenario(i), { storage }]);
  const hang = new Promise((resolve) => setTimeout(() => resolve({ hang: true }), TIME_LIMIT_MS + 30_000));
  const got = await Promise.race([answer, hang]);
  return { i, storage, ms: Date.now() - started, ...got };
}

const results = [];
for (let i = 0; i < runs; i++) {
  const storage = i % 2 === 0 ? "opfs" : "memory";
  // Every fourth run goes with a second, simultaneous run in the other tab.
  const batch = i % 4 === 3 ? [one(tabs[0], i, storage), one(tabs[1], 1000 + i, storage)] : [one(tabs[0], i, storage)];
  for (const r of await Promise.all(batch)) {
    results.push(r);
    const rep = r.report;
    const line = r.hang ? "HANG" : r.error ? `ERROR ${r.error}` :
      `${rep.outcome} ${rep.journal_mode} done ${rep.jobs.done}/${rep.jobs.seeded} double ${rep.jobs.double_claimed} ` +
      `lost ${rep.jobs.lost} stuck ${rep.jobs.stuck} reclaimed ${rep.jobs.reclaimed} integrity ${rep.integrity_check}`;
    console.log(`run ${String(r.i).padStart(4)} ${r.storage.padEnd(6)} ${String(r.ms).padStart(6)} ms  ${line}`);
  }
}

const ok = (r) => r.report && r.report.outcome === "completed" && r.report.jobs.done === r.report.jobs.seeded &&
  r.report.jobs.double_claimed === 0 && r.report.jobs.lost === 0 && r.report.integrity_check === "ok";
console.log(`\n${results.length} runs: ${results.filter((r) => r.hang).length} hangs, ` +
  `${results.filter((r) => r.error || r.report?.outcome === "failed").length} failures, ` +
  `${results.filter((r) => r.report && (r.report.jobs.double_claimed || r.report.jobs.lost || r.report.jobs.done !== r.report.jobs.seeded)).length} not exactly once, ` +
  `${results.filter((r) => r.report && r.report.integrity_check !== "ok").length} damaged, ` +
  `${results.filter(ok).length} whole`);
await browser.close();
site.server.close();
process.exit(results.every(ok) ? 0 : 1);
