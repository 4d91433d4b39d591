// A run whose trace outgrows the page's budget: the page says so, in numbers
// from that run, keeps the timeline drawing every lane, and its report's counts
// stay exact (they count every event, not only those kept).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openPage } from "./session.mjs";

let session, page;

before(async () => {
  session = await openPage();
  page = session.pages[0];
});

after(async () => {
  await session?.close();
});

test("locklab.budget tells the budget, sets it, and refuses what it cannot take", async () => {
  const initial = await page.evaluate(() => window.locklab.budget());
  assert.deepEqual(initial, { events: 1_000_000, detail_events: 4_000_000 });
  await assert.rejects(
    page.evaluate(() => window.locklab.budget({ events: 10 })),
    /option `events`: expected a whole number from 1000 to 1000000000, got 10/,
  );
  await assert.rejects(
    page.evaluate(() => window.locklab.budget({ event: 5000 })),
    /option `event`: unknown; the options are `events` and `detail_events`/,
  );
  assert.deepEqual(await page.evaluate(() => window.locklab.budget()), initial, "a refused call changes nothing");
});

test("a run over the budget says what it aggregated and keeps its counts exact", async () => {
  const set = await page.evaluate(() => window.locklab.budget({ events: 20_000, detail_events: 30_000 }));
  assert.deepEqual(set, { events: 20_000, detail_events: 30_000 });
  const jobs = 3000;
  await page.evaluate((jobs) => window.locklab.load({
    workers: 4, jobs, transaction: "short", begin: "immediate", journal_mode: "wal",
    work_ms: 0, busy_timeout_ms: 5000,
  }), jobs);
  await page.getByTestId("run").click();
  await page.getByTestId("run-report").waitFor({ timeout: 300_000 });

  const events = Number(await page.getByTestId("run-report").getByTestId("timeline-view").getAttribute("data-events"));
  assert.ok(events > 30_000, `a short WAL run of ${jobs} jobs records about 28 events a job, got ${events}`);
  const words = await page.getByTestId("over-budget").innerText();
  assert.match(words, new RegExp(`This run recorded ${events.toLocaleString("en-US")} trace events`));
  assert.match(words, /\(20,000 for the replay and the exports, 30,000 in full detail on the timeline\)/);
  const aggregated = words.match(/it aggregated ([\d,]+) statements, ([\d,]+) transactions and ([\d,]+) job claims/);
  assert.ok(aggregated, words);
  const [statements, transactions, ticks] = aggregated.slice(1).map((n) => Number(n.replaceAll(",", "")));
  assert.ok(statements > 0 && transactions > 0 && ticks > 0, words);
  assert.match(words, /The replay, trace\.json and timeline\.svg cover the run up to [\d.]+ s \([\d,]+ events kept of /);

  // The counts: every job done once, and every event counted in the numbers.
  const r = JSON.parse(await page.evaluate(async () => (await window.locklab.export("report.json")).text()));
  assert.equal(r.outcome, "completed");
  assert.deepEqual([r.jobs.seeded, r.jobs.done, r.jobs.double_claimed, r.jobs.lost], [jobs, jobs, 0, 0]);
  assert.equal(r.integrity_check, "ok");
  assert.equal(r.workers.reduce((n, w) => n + w.jobs_done, 0), jobs, "a JobDone per job, kept or not");
  assert.equal(r.job_latency_ms.count, jobs);
  assert.ok(r.transactions.committed >= 2 * jobs, `claim and result commit a transaction each: ${r.transactions.committed}`);
  assert.ok(r.write_lock_hold_ms.count >= 2 * jobs, `${r.write_lock_hold_ms.count} write-lock holds`);
  // The aggregated ones are among them.
  assert.ok(transactions < r.transactions.committed && ticks < 2 * jobs);
  // The whole run is still drawn: every lane on the canvas.
  assert.equal(await page.getByTestId("run-report").getByTestId("timeline-view").getAttribute("data-lanes"), "4");
  await page.evaluate(() => window.locklab.budget({ events: 1_000_000, detail_events: 4_000_000 }));
});
