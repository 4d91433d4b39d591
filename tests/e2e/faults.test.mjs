// Workers that die: killed as a crash would (the page releases their locks, SQLite
// recovers in the others, the heartbeat gives their job back), or dying by
// themselves (a trap), which fails the run at once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { openPage, openDrawer, closeDrawer } from "./session.mjs";
import { jobsDoneAbove, liveDoneAbove } from "./wait.mjs";

const here = dirname(fileURLToPath(import.meta.url));
let session, page;

before(async () => {
  session = await openPage();
  [page] = session.pages;
});

after(async () => session?.close());

const run = (scenario, storage) =>
  page.evaluate(([s, o]) => window.locklab.run(s, o), [scenario, { storage }]);

// Three writers with heartbeats; worker 1 dies at 50 ms or later, at a step where it
// holds `holding` with a job in hand (the scenarios of tests/faults.rs).
function killedHolding(holding, stale_after_ms) {
  const s = { workers: 3, jobs: 30, transaction: "short", begin: "immediate",
    journal_mode: "delete", busy_timeout_ms: 5000, work_ms: [20, 40], heartbeat_ms: 5,
    stale_after_ms, faults: [{ kill: 1, at_ms: 50, holding }] };
  if (holding === "wal_write") s.journal_mode = "wal";
  // Spilling a batch of results takes EXCLUSIVE before COMMIT; 600 jobs give worker
  // 1 enough batches for that to happen after 50 ms even on a loaded machine (with
  // 200, one CI run ended before it did).
  if (holding === "exclusive") Object.assign(s, { cache_pages: 2, result_batch: 10, jobs: 600, work_ms: [1, 3] });
  return s;
}

function assertKilledOnce(report) {
  const killed = report.workers.filter((w) => w.killed);
  assert.deepEqual(killed.map((w) => w.id), [1]);
  assert.ok(killed[0].killed_at_ms >= 50, `killed at ${killed[0].killed_at_ms} ms`);
  assert.equal(report.outcome, "completed", "the survivors finish");
  assert.equal(report.failure, null);
}

for (const storage of ["opfs", "memory"]) {
  for (const holding of ["reserved", "exclusive", "wal_write"]) {
    test(`${storage}: killed holding ${holding}, its job comes back through the heartbeat and is done once`, async () => {
      const report = await run(killedHolding(holding, 300), storage);
      assertKilledOnce(report);
      assert.equal(report.jobs.done, report.jobs.seeded, JSON.stringify(report.jobs));
      assert.equal(report.jobs.double_claimed, 0);
      assert.equal(report.jobs.lost, 0);
      assert.equal(report.jobs.stuck, 0);
      assert.ok(report.jobs.reclaimed >= 1, JSON.stringify(report.jobs));
      assert.equal(report.integrity_check, "ok");
      assert.equal(report.invariants.all_jobs_done, true);
    });
  }
}

test("without stale_after_ms the killed worker's job is reported stuck, not lost", async () => {
  const report = await run(killedHolding("reserved", 0), "opfs");
  assertKilledOnce(report);
  assert.equal(report.jobs.stuck, 1);
  assert.equal(report.jobs.done + report.jobs.stuck, report.jobs.seeded);
  assert.deepEqual([report.jobs.double_claimed, report.jobs.lost, report.jobs.reclaimed], [0, 0, 0]);
  assert.equal(report.integrity_check, "ok");
  assert.equal(report.invariants.all_jobs_done, false, "a stuck job is not done");
});

test("a worker that dies by itself (a trap) fails the run at once, and the audit still reads the database", async () => {
  await page.evaluate(() => {
    window.running = window.locklab.run({ workers: 4, jobs: 100000, transaction: "short",
        begin: "immediate", journal_mode: "wal", busy_timeout_ms: 5000, work_ms: [0, 2] },
        { storage: "memory" });
  });
  await jobsDoneAbove(page, 20);
  const { report, settledMs } = await page.evaluate(async () => {
    const running = window.running;
    const crashed = performance.now();
    await window.locklab.crash(2);
    const report = await running;
    return { report, settledMs: performance.now() - crashed };
  });
  console.log(`trap: the run settled ${settledMs.toFixed(0)} ms after crash(2)`);
  assert.equal(report.outcome, "failed");
  assert.equal(report.failure.worker, 2);
  assert.equal(report.failure.name, "WORKER_DIED");
  assert.match(report.failure.message, /the Web Worker stopped unexpectedly: .*unreachable/);
  assert.ok(report.jobs.done > 20 && report.jobs.done < 100000, JSON.stringify(report.jobs));
  assert.equal(report.jobs.double_claimed, 0);
  assert.equal(report.jobs.lost, 0);
  assert.equal(report.integrity_check, "ok");
  // The page's grace for the others is one second; the report follows at once.
  assert.ok(settledMs < 2000, `${settledMs} ms`);
});

test("the Kill button kills a worker of the page's run; the finished run says who died and what SQLite recovered", async () => {
  await page.getByTestId("preset").selectOption("short-transactions");
  await openDrawer(page, "scenario");
  await page.locator("#field-jobs").fill("400");
  await page.locator("#field-stale_after_ms").fill("200");
  await closeDrawer(page, "scenario");
  await page.getByTestId("run").click();
  await liveDoneAbove(page, 0);
  await page.getByTestId("kill-1").click();
  assert.equal(await page.getByTestId("kill-1").innerText(), "worker 1 killed");
  const report = page.getByTestId("run-report");
  await report.waitFor({ timeout: 120_000 });
  assert.equal(await report.getAttribute("data-outcome"), "completed");
  assert.match(await page.getByTestId("killed-1").innerText(), /^Worker 1 was killed at [\d.]+ ms, as a crash would/);
  assert.match(await page.getByTestId("jobs").innerText(), /^400 of 400 done, 0 double-claimed, 0 lost(, \d+ reclaimed, 0 stuck)?$/);
  assert.equal(await page.getByTestId("integrity").innerText(), "ok");
  await page.getByTestId("incidents").screenshot({ path: join(here, "artifacts", "killed.png") });
});

test("killed with spilled pages, a survivor rolls back the hot journal, and the page shows SQLite's own words", async () => {
  await page.getByTestId("preset").selectOption("worker-crash");
  await openDrawer(page, "scenario");
  await page.locator("#field-journal_mode").selectOption("delete");
  await page.locator("#field-cache_pages").fill("2");
  await page.locator("#field-result_batch").fill("10");
  await page.locator("#field-jobs").fill("600");
  await page.locator("#field-work_ms").fill("1,3");
  await page.locator("#field-faults").fill('[{"kill": 1, "at_ms": 50, "holding": "exclusive"}]');
  await closeDrawer(page, "scenario");
  await page.getByTestId("run").click();
  const report = page.getByTestId("run-report");
  await report.waitFor({ timeout: 120_000 });
  assert.equal(await report.getAttribute("data-outcome"), "completed");
  assert.match(await page.getByTestId("jobs").innerText(), /^600 of 600 done, 0 double-claimed, 0 lost, [1-9]\d* reclaimed, 0 stuck$/);
  assert.match(await page.getByTestId("incidents").innerText(), /SQLite's log, worker [02] at [\d.]+ ms: recovered [1-9]\d* pages from \/locklab-runs\/run-[^/]+\/queue\.db/);
  await page.getByTestId("incidents").screenshot({ path: join(here, "artifacts", "hot-journal.png") });
});
