// Runs never share files: two tabs run at once, each on its own database, and a
// clean-up in one tab never pulls the files from under a run in another.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { openPage, openDrawer, closeDrawer } from "./session.mjs";
import { liveDoneAbove, until } from "./wait.mjs";

let session, tabs;

before(async () => {
  session = await openPage({ tabs: 2 });
  tabs = session.pages;
});

after(async () => session?.close());

// The run directories in OPFS, as the browser lists them.
const storedRuns = (tab) => tab.evaluate(async () => {
  const root = await navigator.storage.getDirectory();
  try {
    const dir = await root.getDirectoryHandle("locklab-runs");
    const names = [];
    for await (const name of dir.keys()) names.push(name);
    return names.sort();
  } catch {
    return [];
  }
});

const contended = (jobs) => ({ workers: 4, jobs, transaction: "short", begin: "immediate",
  journal_mode: "wal", busy_timeout_ms: 5000, work_ms: [0, 2] });

test("two tabs run at the same time, each on its own files, each exactly once", async () => {
  const [a, b] = await Promise.all([
    tabs[0].evaluate((s) => window.locklab.run(s, { storage: "opfs" }), contended(400)),
    tabs[1].evaluate((s) => window.locklab.run(s, { storage: "opfs" }), contended(300)),
  ]);
  for (const [report, jobs] of [[a, 400], [b, 300]]) {
    assert.equal(report.outcome, "completed");
    assert.equal(report.jobs.seeded, jobs);
    assert.equal(report.jobs.done, jobs);
    assert.equal(report.jobs.double_claimed, 0);
    assert.equal(report.jobs.lost, 0);
    assert.equal(report.integrity_check, "ok");
    assert.equal(report.vfs, "locklab-shared (OPFS)");
  }
  // Each tab reopens its own run's database, not the other's.
  const [ra, rb] = await Promise.all(tabs.map((tab) => tab.evaluate(() => window.locklab.reopen())));
  assert.deepEqual({ ...ra, run: undefined }, { run: undefined, jobs: 400, done: 400, integrity_check: "ok" });
  assert.deepEqual({ ...rb, run: undefined }, { run: undefined, jobs: 300, done: 300, integrity_check: "ok" });
  assert.notEqual(ra.run, rb.run);
  const stored = await storedRuns(tabs[0]);
  assert.ok(stored.includes(ra.run) && stored.includes(rb.run), `${stored}`);
});

test("Reset in one tab removes finished runs and keeps the run in progress in another", async () => {
  // A long run in tab 0: many jobs, IMMEDIATE, so it is surely going on when tab 1 resets.
  const running = tabs[0].evaluate(() => window.locklab.run({ workers: 2, jobs: 100000,
    transaction: "short", begin: "immediate", journal_mode: "wal", busy_timeout_ms: 5000,
    work_ms: 0 }, { storage: "opfs" }));
  const progress = await until(tabs[0], () => {
    window.lastProgress ??= null;
    window.locklab.progress().then((p) => (window.lastProgress = p));
    return window.lastProgress?.[0]?.jobs_done > 50 ? window.lastProgress[0] : null;
  });
  const said = await tabs[1].evaluate(() => window.locklab.reset());
  assert.match(said, /^Reset: [1-9]\d* finished runs? removed from OPFS \(\d+ files?, [\d.]+ KB\); 1 run in progress \(in this tab or another\) kept\./);
  assert.deepEqual(await storedRuns(tabs[1]), [progress.run], "only the run in progress is left");
  // The run in progress never noticed.
  assert.equal(await tabs[0].evaluate(() => window.locklab.stop()), 1);
  const report = await running;
  assert.equal(report.outcome, "stopped");
  assert.equal(report.jobs.double_claimed, 0);
  assert.equal(report.jobs.lost, 0);
  assert.equal(report.integrity_check, "ok");
  // Finished now, it goes with the next reset.
  assert.match(await tabs[1].evaluate(() => window.locklab.reset()), /^Reset: 1 finished run removed from OPFS/);
  assert.deepEqual(await storedRuns(tabs[1]), []);
  assert.match(await tabs[0].evaluate(() => window.locklab.reopen().catch(String)), /no longer stored|no run to reopen/);
});

test("storage does not grow with the number of runs", async () => {
  for (let i = 0; i < 10; i++) {
    const report = await tabs[0].evaluate(() => window.locklab.run({ workers: 1, jobs: 5, work_ms: 0 }, { storage: "opfs" }));
    assert.equal(report.jobs.done, 5);
  }
  assert.equal((await storedRuns(tabs[0])).length, 8, "the newest 8 finished runs are kept");
});

test("a person runs a lesson in two tabs at once: both finish whole, and the second says it shared the cores", async () => {
  for (const tab of tabs) {
    await tab.getByTestId("preset").selectOption("busy-timeout");
    await openDrawer(tab, "scenario");
    await tab.locator("#field-jobs").fill("300");
    await closeDrawer(tab, "scenario");
  }
  await tabs[0].getByTestId("run").click();
  // Tab 1 starts once tab 0's workers have committed jobs, so both surely overlap.
  await liveDoneAbove(tabs[0], 0);
  await tabs[1].getByTestId("run").click();
  await tabs[1].getByTestId("alongside").waitFor({ timeout: 60_000 });
  assert.match(await tabs[1].getByTestId("alongside").innerText(), /^1 other run .* was going on when this one started: .* share this machine's \d+ cores/);
  for (const tab of tabs) {
    const report = tab.getByTestId("run-report");
    await report.waitFor({ timeout: 120_000 });
    assert.equal(await report.getAttribute("data-outcome"), "completed");
    assert.match(await tab.getByTestId("jobs").innerText(), /^300 of 300 done, 0 double-claimed, 0 lost$/);
    assert.equal(await tab.getByTestId("integrity").innerText(), "ok");
  }
  await tabs[1].screenshot({ path: join(dirname(fileURLToPath(import.meta.url)), "artifacts", "second-tab.png"), fullPage: false });
});
