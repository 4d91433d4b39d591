// Benchmark aid, not a test: the first run of a freshly opened page against the
// runs after it, for two builds of the page (e.g. before and after a change),
// alternating, each round in a fresh browser. The page waits WAIT_MS (default 4 s)
// after it is ready, as a person reading the lesson would, then runs the scenario
// three times. Prints, per build, the median over the rounds of run 1 and of run 3:
// jobs/s and the write lock's p95 hold.
//
//   node tests/e2e/bench-first-run.mjs <dist A> <dist B> [memory|opfs] [rounds] [scenario JSON]
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { ready } from "./wait.mjs";
import { median, twoBuilds } from "./figures.mjs";

const { distA, distB, storage, count: rounds, scenario } = twoBuilds(5);
const WAIT_MS = Number(process.env.WAIT_MS ?? 4000);

/** Three runs on a fresh page of `dist`: [{jobs, hold}] in order. */
async function threeRuns(dist) {
  const site = await serve(dist);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(`${site.url}#lesson=wall-of-red`);
    await ready(page);
    await new Promise((r) => setTimeout(r, WAIT_MS));
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const r = await page.evaluate(([s, o]) => window.locklab.run(s, o), [scenario, { storage }]);
      runs.push({ jobs: r.throughput_jobs_per_s, hold: r.write_lock_hold_ms.p95 });
    }
    return runs;
  } finally {
    await browser.close();
    site.server.close();
  }
}

const seen = { [distA]: [], [distB]: [] };
for (let round = 1; round <= rounds; round++) {
  for (const dist of [distA, distB]) {
    const runs = await threeRuns(dist);
    seen[dist].push(runs);
    const said = runs.map((r) => `${r.jobs.toFixed(0)} jobs/s (hold p95 ${r.hold.toFixed(3)} ms)`);
    console.log(`round ${round} ${dist}: ${said.join(", ")}`);
  }
}
console.log(`\n${storage}, ${rounds} rounds, median of each run's figures over the rounds`);
for (const dist of [distA, distB]) {
  const at = (i, f) => median(seen[dist].map((runs) => runs[i][f]));
  console.log(
    `${dist}: run 1 ${at(0, "jobs").toFixed(0)} jobs/s, hold p95 ${at(0, "hold").toFixed(3)} ms; ` +
      `run 3 ${at(2, "jobs").toFixed(0)} jobs/s, hold p95 ${at(2, "hold").toFixed(3)} ms`,
  );
}
