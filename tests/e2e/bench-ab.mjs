// Benchmark aid, not a test: two builds of the page side by side (e.g. before and
// after a change), runs alternating between them so that a machine whose load
// changes treats both alike. Prints each build's median jobs/s, and the medians of
// two per-run medians that load disturbs less: the write lock's hold time and a
// job's latency (claim to committed result).
//
//   node tests/e2e/bench-ab.mjs <dist A> <dist B> [memory|opfs] [runs] [scenario JSON]
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { ready } from "./wait.mjs";
import { median, twoBuilds } from "./figures.mjs";

const { distA, distB, storage, count: runs, scenario } = twoBuilds(7);

const browser = await launch();
const sides = [];
for (const dist of [distA, distB]) {
  const site = await serve(dist);
  const page = await browser.newPage();
  await page.goto(site.url);
  await ready(page);
  sides.push({ dist, site, page, rates: [], holds: [], latencies: [] });
}
for (let i = 0; i < runs; i++) {
  for (const side of i % 2 === 0 ? sides : [...sides].reverse()) {
    const r = await side.page.evaluate(([s, o]) => window.locklab.run(s, o), [scenario, { storage }]);
    if (r.jobs.done !== scenario.jobs || r.integrity_check !== "ok") throw new Error(`${side.dist}: ${JSON.stringify(r.jobs)} ${r.integrity_check}`);
    side.rates.push(r.throughput_jobs_per_s);
    side.holds.push(r.write_lock_hold_ms.p50 * 1000);
    side.latencies.push(r.job_latency_ms.p50 * 1000);
  }
}
for (const side of sides) {
  console.log(`${side.dist.padEnd(24)} median ${median(side.rates).toFixed(0).padStart(6)} jobs/s, write lock held p50 ${median(side.holds).toFixed(0)} us, job latency p50 ${median(side.latencies).toFixed(0)} us; runs ${side.rates.map((x) => x.toFixed(0)).join(" ")}`);
  side.site.server.close();
}
await browser.close();
