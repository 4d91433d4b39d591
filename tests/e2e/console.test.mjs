// A connection of your own: the SQL console takes part in a run (its lane is
// "you"), holds the write lock while the workers wait and fail, and queries the
// database afterwards.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { openPage, openDrawer } from "./session.mjs";
import { jobsDoneAbove, liveDoneAbove } from "./wait.mjs";

const here = dirname(fileURLToPath(import.meta.url));
let session, page;

before(async () => {
  session = await openPage();
  [page] = session.pages;
});

after(async () => session?.close());

test("holding BEGIN IMMEDIATE from the console blocks the workers, and every job is still done once", async () => {
  await page.evaluate(() => {
    window.running = window.locklab.run({ workers: 2, jobs: 400, transaction: "short",
        begin: "immediate", journal_mode: "delete", busy_timeout_ms: 0, work_ms: [2, 6] },
        { storage: "opfs" });
  });
  await jobsDoneAbove(page, 10);
  const result = await page.evaluate(async () => {
    const running = window.running;
    const begun = await window.locklab.sql("BEGIN IMMEDIATE");
    // The hold itself is the experiment: 300 ms with the write lock.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const committed = await window.locklab.sql("COMMIT");
    const report = await running;
    const counted = await window.locklab.sql("SELECT count(*) FROM jobs WHERE status = 'DONE'");
    const typo = await window.locklab.sql("SELEC 1").catch((e) => e);
    return { begun, committed, report, counted, typo };
  });
  const { begun, committed, report, counted, typo } = result;
  assert.equal(begun.in_transaction, true);
  assert.equal(committed.in_transaction, false);
  assert.equal(report.outcome, "completed");
  assert.equal(report.jobs.done, 400);
  assert.equal(report.jobs.double_claimed, 0);
  assert.equal(report.jobs.lost, 0);
  assert.equal(report.integrity_check, "ok");
  assert.ok((report.errors.SQLITE_BUSY ?? 0) > 0, JSON.stringify(report.errors));
  const you = report.workers.find((w) => w.role === "console");
  assert.ok(you, "the console's lane is in the report");
  assert.equal(you.id, 2);
  const held = you.lock_ms.reserved + you.lock_ms.pending + you.lock_ms.exclusive;
  assert.ok(held >= 250, `the console held the write lock ${held} ms`);
  assert.deepEqual(counted.columns, ["count(*)"]);
  assert.deepEqual(counted.rows, [[report.jobs.done]]);
  assert.equal(typo.name, "SQLITE_ERROR");
  assert.match(typo.message, /syntax error/);
});

test("the console in the page: examples, a table of rows, an error with its meaning", async () => {
  await openDrawer(page, "console");
  await page.getByTestId("console").scrollIntoViewIfNeeded();
  await page.getByTestId("console").getByRole("button", { name: "SELECT status, count(*) FROM jobs GROUP BY status;" }).click();
  await page.getByTestId("console-run").click();
  const rows = page.getByTestId("console-rows");
  await rows.waitFor();
  assert.match(await rows.innerText(), /status\s+count\(\*\)\s+DONE\s+400/);
  await page.getByTestId("console-sql").fill("SELEC 1");
  await page.getByTestId("console-sql").press("Control+Enter");
  const error = page.getByTestId("console-error");
  await error.waitFor();
  assert.match(await error.innerText(), /^SQLITE_ERROR: near "SELEC": syntax error/);
  await page.getByTestId("console").screenshot({ path: join(here, "artifacts", "console.png") });
});

test("during a run the console has its own lane, and a run stopped with its transaction open rolls it back and says so", async () => {
  // Lesson 14: two workers with short transactions leave the write lock free most
  // of the time (in a wall of red one worker keeps it, and the console would
  // starve as the others do).
  await page.getByTestId("preset").selectOption("your-turn");
  await page.getByTestId("run").click();
  await liveDoneAbove(page, 2);
  await page.getByTestId("console-sql").fill("PRAGMA busy_timeout = 5000; BEGIN IMMEDIATE;");
  await page.getByTestId("console-run").click();
  await page.getByTestId("console-open").waitFor();
  // The console's lane ("you") joins the live timeline, and the workers, waiting
  // a second at most, fail while you hold the lock.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="run-running"] [data-testid="timeline-view"]')?.dataset.lanes) === 3, null, { timeout: 30_000 });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="run-running"] [data-testid="metrics"]')?.dataset.errors) > 0, null, { timeout: 30_000 });
  await page.getByTestId("run-running").screenshot({ path: join(here, "artifacts", "console-lane.png") });
  await page.getByTestId("stop").click();
  const report = page.getByTestId("run-report");
  await report.waitFor({ timeout: 30_000 });
  assert.equal(await report.getAttribute("data-outcome"), "stopped");
  assert.match(await page.getByTestId("console-rolled-back").innerText(), /transaction still open: it was rolled back/);
  assert.match(await page.getByTestId("jobs").innerText(), /^\d+ of 1000 done, 0 double-claimed, 0 lost$/);
  assert.equal(await page.getByTestId("integrity").innerText(), "ok");
});

test("a statement that never ends: refused company while it runs, stopped within 100 ms, and the console and runs answer at once after", async () => {
  await page.evaluate(() => window.locklab.run({ workers: 2, jobs: 20, work_ms: 0 }));
  const said = await page.evaluate(async () => {
    const forever = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c";
    const running = window.locklab.sql(forever).then((a) => ({ answer: a }), (e) => ({ error: e }));
    // It runs for as long as we let it: half a second, then a second text.
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Refused at once: were it queued behind the statement, it would never answer.
    const meanwhile = await window.locklab.sql("SELECT 1").catch((e) => e);
    const t1 = performance.now();
    await window.locklab.stop();
    const ended = await running;
    const stoppedMs = performance.now() - t1;
    const one = await window.locklab.sql("SELECT 1");
    const report = await window.locklab.run({ jobs: 10, workers: 2, work_ms: 0 });
    const attach = await window.locklab.sql("ATTACH 'elsewhere.db' AS elsewhere").catch((e) => e);
    return { meanwhile, ended, stoppedMs, one, report, attach };
  });
  assert.match(said.meanwhile.message, /still running `WITH RECURSIVE/, JSON.stringify(said.meanwhile));
  assert.equal(said.ended.error?.name, "SQLITE_INTERRUPT", JSON.stringify(said.ended));
  assert.ok(said.stoppedMs <= 100, `stopped in ${said.stoppedMs} ms`);
  assert.deepEqual(said.one.rows, [[1]]);
  assert.equal(said.report.jobs.done, 10);
  assert.equal(said.attach.name, "SQLITE_CANTOPEN", JSON.stringify(said.attach));
  assert.match(said.attach.message, /elsewhere\.db is not a file of this run/);
});
