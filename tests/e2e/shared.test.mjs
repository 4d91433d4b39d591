// Several real Web Workers on one database through the shared VFS, with the shared
// memory in SharedArrayBuffers: window.locklab.run() resolves to the run report.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openPage } from "./session.mjs";
import { jobsDoneAbove } from "./wait.mjs";

let session, page;

before(async () => {
  session = await openPage();
  [page] = session.pages;
});

after(async () => session?.close());

const count = (report, name) => report.errors[name] ?? 0;

function assertEveryJobDoneOnce(report) {
  assert.equal(report.jobs.done, report.jobs.seeded);
  assert.equal(report.jobs.double_claimed, 0);
  assert.equal(report.jobs.lost, 0);
  assert.equal(report.integrity_check, "ok");
  assert.equal(report.outcome, "completed");
}

// Every test runs on both storage backends: OPFS files shared through
// "readwrite-unsafe" handles, and SharedArrayBuffers.
for (const [storage, label] of [["opfs", "OPFS"], ["memory", "SharedArrayBuffer"]]) {
  const run = (scenario) => page.evaluate(([s, o]) => window.locklab.run(s, o), [scenario, { storage }]);

  test(`${label}: long transactions without busy_timeout give real SQLITE_BUSY between workers`, async () => {
    const report = await run({ workers: 4, jobs: 40, transaction: "long", begin: "deferred",
      journal_mode: "delete", busy_timeout_ms: 0, work_ms: [2, 6] });
    assert.equal(report.vfs, `locklab-shared (${label})`);
    assert.equal(report.workers.length, 4);
    assert.ok(count(report, "SQLITE_BUSY") > 0, JSON.stringify(report.errors));
    assertEveryJobDoneOnce(report);
  });

  test(`${label}: short IMMEDIATE transactions in WAL with busy_timeout see no lock errors`, async () => {
    const report = await run({ workers: 4, jobs: 120, transaction: "short", begin: "immediate",
      journal_mode: "wal", busy_timeout_ms: 5000, work_ms: [0, 3] });
    assert.deepEqual(report.errors, {});
    assert.equal(report.journal_mode, "wal");
    assertEveryJobDoneOnce(report);
  });

  test(`${label}: WAL lets readers read while the writer writes; rollback mode does not`, async () => {
    const scenario = (journal_mode) => ({ workers: 1, readers: 2, jobs: 30, transaction: "short",
      begin: "immediate", journal_mode, busy_timeout_ms: 0, work_ms: [1, 2], reader_hold_ms: 30 });
    const wal = await run(scenario("wal"));
    assert.deepEqual(wal.workers[0].errors, {});
    assert.ok(wal.workers[1].lock_ms.wal_read > 0 && wal.workers[2].lock_ms.wal_read > 0);
    assertEveryJobDoneOnce(wal);
    const rollback = await run(scenario("delete"));
    assert.ok((rollback.workers[0].errors.SQLITE_BUSY ?? 0) > 0, JSON.stringify(rollback.workers[0].errors));
    assertEveryJobDoneOnce(rollback);
  });

  test(`${label}: the data is still there when new workers reopen the database`, async () => {
    const report = await run({ workers: 3, jobs: 90, transaction: "short", begin: "immediate",
      journal_mode: "wal", busy_timeout_ms: 5000, work_ms: 0 });
    assertEveryJobDoneOnce(report);
    const { run: id, ...reopened } = await page.evaluate(() => window.locklab.reopen());
    assert.match(id, /^run-\d{13}-[0-9a-f]{4}$/);
    assert.deepEqual(reopened, { jobs: 90, done: 90, integrity_check: "ok" });
  });
}

test("a bad storage option is refused by name", async () => {
  const refusal = await page.evaluate(() => window.locklab.run({}, { storage: "tape" }).catch((e) => String(e)));
  assert.match(refusal, /option `storage`/);
});

test("stop ends a run whose workers are blocked on locks, and loses nothing", async () => {
  // Long write transactions and a 60 s busy_timeout: most workers sit in SQLite's
  // busy handler (sleeping in xSleep) when the stop comes.
  await page.evaluate(() => {
    window.running = window.locklab.run({ workers: 6, readers: 2, jobs: 10000, transaction: "long",
        begin: "immediate", journal_mode: "delete", busy_timeout_ms: 60000, work_ms: [20, 40] },
        { storage: "memory" });
  });
  // Stop once workers have committed jobs and some wait in the busy handler.
  await jobsDoneAbove(page, 2);
  const result = await page.evaluate(async () => {
    const running = window.running;
    const stoppedAt = performance.now();
    window.locklab.stop();
    const report = await running;
    return { report, afterStopMs: performance.now() - stoppedAt };
  });
  const { report, afterStopMs } = result;
  console.log(`stop: the run resolved ${afterStopMs.toFixed(0)} ms after stop()`);
  assert.equal(report.outcome, "stopped");
  assert.ok(report.jobs.done > 0 && report.jobs.done < 10000, JSON.stringify(report.jobs));
  assert.ok(report.busy_wait_ms > 0, "workers were waiting on locks");
  assert.equal(report.jobs.double_claimed, 0);
  assert.equal(report.jobs.lost, 0);
  assert.equal(report.integrity_check, "ok");
  // Generous: the run ends, audits and reports; the stop itself is measured above.
  assert.ok(afterStopMs < 1000, `${afterStopMs} ms`);
});
