// A/B comparison: locklab.compare(a, b) runs a, then b (never at once), each on
// its own database, and resolves to both reports; the page's "Compare with an
// edited copy" shows both timelines on one time axis and the metrics side by side.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { openPage } from "./session.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, "artifacts");
let session, page;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  session = await openPage();
  await session.pages[0].setViewportSize({ width: 1280, height: 720 });
  [page] = session.pages;
});

after(async () => session?.close());

const long = { name: "long", workers: 4, jobs: 40, transaction: "long", begin: "deferred",
  journal_mode: "delete", busy_timeout_ms: 0, work_ms: [2, 6] };
const short = { name: "short", workers: 4, jobs: 40, transaction: "short", begin: "immediate",
  journal_mode: "wal", busy_timeout_ms: 5000, work_ms: [2, 6] };

function assertExactlyOnce(report, side) {
  assert.equal(report.outcome, "completed", `${side}: outcome`);
  assert.equal(report.jobs.done, report.jobs.seeded, `${side}: every job done`);
  assert.equal(report.jobs.double_claimed, 0, `${side}: no double claims`);
  assert.equal(report.jobs.lost, 0, `${side}: no lost jobs`);
  assert.equal(report.integrity_check, "ok", `${side}: integrity`);
  assert.equal(report.invariants.all_jobs_done && report.invariants.no_double_claims, true);
}

test("locklab.compare(long, short): SQLITE_BUSY in a, none in b, both exactly once, one run at a time", async () => {
  const answer = await page.evaluate(async ([a, b]) => {
    // Every frame, the runs in progress: a and b must never overlap.
    const seen = new Set();
    let most = 0;
    let watching = true;
    const watch = async () => {
      while (watching) {
        const runs = await locklab.progress();
        most = Math.max(most, runs.length);
        runs.forEach((r) => seen.add(r.run));
        await new Promise((r) => requestAnimationFrame(r));
      }
    };
    const watcher = watch();
    const result = await locklab.compare(a, b);
    watching = false;
    await watcher;
    return { result, most, runs: [...seen] };
  }, [long, short]);
  const { a, b, differences } = answer.result;
  assert.equal(a.scenario.name, "long");
  assert.equal(b.scenario.name, "short");
  assert.ok((a.errors.SQLITE_BUSY ?? 0) > 0, `a: SQLITE_BUSY ${JSON.stringify(a.errors)}`);
  assert.equal(b.errors.SQLITE_BUSY ?? 0, 0, `b: ${JSON.stringify(b.errors)}`);
  assertExactlyOnce(a, "a");
  assertExactlyOnce(b, "b");
  assert.equal(answer.most, 1, "a and b never ran at once");
  assert.equal(answer.runs.length, 2, `two runs of their own: ${answer.runs}`);
  assert.ok(differences.includes(`B had no SQLITE_BUSY; A had ${a.errors.SQLITE_BUSY}`), differences.join("\n"));
  assert.ok(differences.some((d) => d.startsWith("throughput") && d.includes(a.throughput_jobs_per_s.toFixed(0))), differences.join("\n"));
});

test("locklab.compare refuses bad input at the field, before running anything", async () => {
  const refusal = (call) => page.evaluate((call) => eval(call).then(() => "resolved", (e) => String(e)), call);
  const cases = [
    ["locklab.compare()", /locklab.compare\(a, b, options\): `a` is missing/],
    ["locklab.compare({})", /locklab.compare\(a, b, options\): `b` is missing/],
    ["locklab.compare({}, 4)", /`b` must be an object.*got 4/],
    ["locklab.compare({ workers: NaN }, {})", /compare: scenario a field `workers`: expected a whole number from 1 to 16, got NaN/],
    ["locklab.compare({}, { workers: 40 })", /compare: scenario b field `workers`: expected a whole number from 1 to 16, got 40/],
    ["locklab.compare({}, { transaction: 'medium' })", /compare: scenario b field `transaction`: .*got "medium"/],
    ["locklab.compare({}, {}, { storage: 'disk' })", /option `storage`: expected "opfs" or "memory", got "disk"/],
    ["locklab.compare({}, {}, { speed: 2 })", /option `speed`: unknown; locklab.compare knows one option/],
  ];
  for (const [call, expected] of cases) {
    assert.match(await refusal(call), expected, call);
  }
  assert.deepEqual(await page.evaluate(() => locklab.progress()), [], "nothing was started");
});

test("the page compares a scenario with an edited copy: two timelines on one axis, metrics side by side", async () => {
  await page.getByTestId("preset").selectOption("wall-of-red");
  await page.getByTestId("compare-edited-copy").click();
  await page.locator("#b-field-transaction").selectOption("short");
  await page.locator("#b-field-begin").selectOption("immediate");
  await page.locator("#b-field-journal_mode").selectOption("wal");
  await page.locator("#b-field-busy_timeout_ms").fill("5000");
  const changes = await page.getByTestId("b-changes").innerText();
  for (const field of ["transaction", "begin", "journal_mode", "busy_timeout_ms"]) {
    assert.match(changes, new RegExp(field), changes);
  }
  // A bad value in B is refused at B's field, and the comparison cannot start.
  await page.locator("#b-field-workers").fill("40");
  assert.equal(await page.getByTestId("compare-run").isDisabled(), true);
  assert.match(await page.getByTestId("b-field-workers").innerText(), /expected a whole number from 1 to 16, got 40/);
  await page.locator("#b-field-workers").fill("");
  await page.getByTestId("edited-copy").scrollIntoViewIfNeeded();
  await page.evaluate(() => document.querySelector('[data-testid="edited-copy"]').scrollIntoView());
  await page.screenshot({ path: join(artifacts, "compare-edit.png") });

  await page.getByTestId("compare-run").click();
  await page.getByTestId("compare-running").waitFor();
  await page.getByTestId("compared").waitFor({ timeout: 120_000 });

  const view = page.getByTestId("compare-view");
  const lanes = [view.getByTestId("compare-timeline-a"), view.getByTestId("compare-timeline-b")];
  const headings = await Promise.all(lanes.map((l) => l.locator("h3").innerText()));
  assert.match(headings[0], /^A: wall-of-red, completed in \d+ ms( \(the axis goes on to B's end, \d+ ms\))?$/);
  assert.match(headings[1], /^B: wall-of-red, completed in \d+ ms( \(the axis goes on to A's end, \d+ ms\))?$/);
  assert.equal(headings.filter((h) => h.includes("the axis goes on")).length <= 1, true, headings.join("\n"));
  assert.equal(await view.getByTestId("timeline-canvas").count(), 2);
  const windows = () => Promise.all(lanes.map((l) => l.getByTestId("timeline-view").getAttribute("data-window")));
  // One axis: the same window, as long as the longer run.
  let [wa, wb] = await windows();
  assert.equal(wa, wb);
  const elapsed = await Promise.all(lanes.map(async (l) => Number((await l.locator("h3").innerText()).match(/completed in (\d+) ms/)[1])));
  const axisMs = Number(wa.split("-")[1]) / 1000;
  assert.ok(Math.abs(axisMs - Math.max(...elapsed)) <= 1, `axis ${axisMs} ms, runs ${elapsed}`);
  // Zoom in A: B follows; pan B: A follows.
  await lanes[0].getByRole("button", { name: "Zoom in" }).click();
  [wa, wb] = await windows();
  assert.equal(wa, wb);
  assert.notEqual(wa, `0-${axisMs * 1000}`);
  await lanes[1].getByRole("button", { name: "Later" }).click();
  const [pa, pb] = await windows();
  assert.equal(pa, pb);
  assert.notEqual(pa, wa, "panned");
  await lanes[1].getByRole("button", { name: "Whole run" }).click();

  // The metrics side by side, and the differences named from them.
  const table = view.getByTestId("compare-metrics");
  assert.deepEqual(await table.locator("thead th").allInnerTexts(), ["", "A", "B"]);
  assert.match(await table.getByTestId("cmp-jobs-a").innerText(), /^60 of 60$/);
  assert.match(await table.getByTestId("cmp-jobs-b").innerText(), /^60 of 60$/);
  const busyA = Number((await table.getByTestId("cmp-error-SQLITE_BUSY-a").innerText()).replace(/\D/g, ""));
  const busyB = Number((await table.getByTestId("cmp-error-SQLITE_BUSY-b").innerText()).replace(/\D/g, ""));
  assert.ok(busyA > 0, `wall of red: ${busyA} SQLITE_BUSY`);
  assert.equal(busyB, 0);
  const differences = await view.getByTestId("differences").locator("li").allInnerTexts();
  assert.ok(differences.includes(`B had no SQLITE_BUSY; A had ${busyA}`), differences.join("\n"));
  for (const measure of ["throughput", "job latency p95", "busy wait", "write-lock hold p95"]) {
    assert.ok(differences.some((d) => d.startsWith(measure)), `${measure} in ${differences.join("\n")}`);
  }
  assert.ok(differences.some((d) => d.startsWith("Both did every job exactly once")), differences.join("\n"));

  await lanes[0].scrollIntoViewIfNeeded();
  await page.evaluate(() => document.querySelector('[data-testid="compared"]').scrollIntoView());
  await page.screenshot({ path: join(artifacts, "compare.png") });
  await view.getByTestId("compared").screenshot({ path: join(artifacts, "compare-full.png") });
});
