// A power cut in the page: every worker dies at once, every write not yet synced
// is undone, and the keeper recovers the database with a fresh connection (memory
// storage). The lesson from the keyboard (FULL keeps every commit, NORMAL loses
// some), and the automation API.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openPage } from "./session.mjs";
import { ready } from "./wait.mjs";

let session, page;

before(async () => {
  session = await openPage();
  [page] = session.pages;
});

after(async () => session?.close());

/** The numbers of "The power went off ..." in one run's paragraph. */
function cutSaid(paragraph) {
  const m = paragraph.match(
    /The power went off at (\d+) ms: every worker stopped where it was, and (\d+|no|one|an?) writes? not yet synced (?:was|were) lost; after recovery, (\d+|no|one|an?) committed jobs? (?:was|were) lost.*?integrity_check says (\w+)\./,
  );
  assert.ok(m, `no power cut said in: ${paragraph}`);
  const n = (w) => (/^\d+$/.test(w) ? Number(w) : w === "no" ? 0 : 1);
  return { at_ms: Number(m[1]), writes_dropped: n(m[2]), commits_lost: n(m[3]), integrity: m[4] };
}

test("the lesson power-cut from the keyboard: FULL loses no commit, NORMAL loses some, both recover intact", async () => {
  await page.goto(new URL("#lesson=power-cut", page.url()).href);
  await page.reload();
  await ready(page);
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === "power-cut");
  await page.keyboard.press("1");
  assert.ok(await page.getByTestId("predict-0").isChecked());
  await page.keyboard.press("r");
  const verdict = page.getByTestId("verdict");
  await verdict.waitFor({ timeout: 180_000 });
  const check = page.getByTestId("check");
  assert.equal(await check.getAttribute("data-appeared"), "true", await check.innerText());
  const [full, normal] = (await page.getByTestId("what-happened").locator("p").allInnerTexts()).map(cutSaid);
  console.log(`page: FULL ${JSON.stringify(full)}; NORMAL ${JSON.stringify(normal)}`);
  assert.equal(full.commits_lost, 0, "FULL keeps every commit that returned");
  assert.ok(normal.commits_lost > 0, "NORMAL loses the commits since the WAL's last sync");
  assert.ok(normal.writes_dropped > 0);
  assert.equal(full.integrity, "ok");
  assert.equal(normal.integrity, "ok");
});

test("locklab.run with a power cut: outcome power_cut, the cut's numbers, the database intact", async () => {
  const report = await page.evaluate(() =>
    window.locklab.run({ workers: 4, jobs: 150, transaction: "short", begin: "immediate",
      journal_mode: "wal", synchronous: "normal", busy_timeout_ms: 5000, work_ms: [5, 15],
      faults: [{ power_cut: true, at_ms: 250 }] }));
  console.log(`api: ${JSON.stringify(report.power_cut)}, jobs ${JSON.stringify(report.jobs)}`);
  assert.equal(report.outcome, "power_cut");
  assert.equal(report.failure, null);
  assert.ok(report.power_cut, "the report has its power_cut");
  assert.equal(report.power_cut.integrity_check, "ok");
  assert.equal(report.integrity_check, "ok");
  assert.ok(report.power_cut.at_ms >= 250, `cut at ${report.power_cut.at_ms} ms`);
  assert.equal(report.power_cut.commits_lost, report.jobs.lost);
  assert.ok(report.workers.some((w) => w.killed), "the cut stopped the workers where they were");
  // FULL, asked for OPFS: refused with a message that names memory.
  const refused = await page.evaluate(() =>
    window.locklab.run({ workers: 2, jobs: 10, faults: [{ power_cut: true, at_ms: 100 }] }, { storage: "opfs" })
      .then(() => "ran", (e) => String(e.message ?? e)));
  assert.match(refused, /only in memory storage/);
});
