// The lessons of many runs, by keyboard alone: "you need all three" runs its
// eight runs (WAL or not, busy_timeout or not, short or long) and shows them as
// eight cells, each with its numbers, only the first clean, and the check; its
// suggested change (T) runs all eight again. "The ceiling of one writer" plots
// jobs/s and the write lock's busy share against 1, 2, 4, 8 and 16 workers: five
// points. Both are looked at at 1280 x 720 and 390 px wide, light and dark:
// screenshots go to artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { openPage } from "./session.mjs";
import { ready, runEnabled } from "./wait.mjs";

const artifacts = join(dirname(fileURLToPath(import.meta.url)), "artifacts");
let session, page;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  session = await openPage();
  page = session.pages[0];
});
after(async () => session?.close());

/** Open lesson `id` afresh at 1280 x 720, light. */
async function open(id) {
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(new URL(`#lesson=${id}`, page.url()).href);
  await page.evaluate(() => localStorage.removeItem("locklab.progress.v1"));
  await page.reload();
  await ready(page, { isolated: true });
  await page.waitForFunction((id) => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === id, id);
}

/** Predict the first choice and run, from the keyboard; wait for the verdict. */
async function predictAndRun() {
  await page.keyboard.press("1");
  assert.ok(await page.getByTestId("predict-0").isChecked());
  await runEnabled(page);
  await page.keyboard.press("r");
  await page.getByTestId("running-side").waitFor({ timeout: 30_000 });
  await page.getByTestId("verdict").waitFor({ timeout: 240_000 });
}

/** The cells' numbers, as the page shows them. */
async function cells() {
  return page.getByTestId("grid-cell").evaluateAll((cells) =>
    cells.map((c) => ({
      clean: c.dataset.clean === "true",
      lockErrors: Number(c.dataset.lockErrors),
      jobsPerS: Number(c.dataset.jobsPerS),
      text: c.innerText,
    })),
  );
}

/** The verdict agrees with the first choice and the check passed. */
async function agreedAndChecked(id) {
  const check = page.getByTestId("check");
  assert.equal(await check.getAttribute("data-appeared"), "true", `${id}: ${await check.innerText()}`);
  const result = page.getByTestId("prediction-result");
  assert.equal(await result.getAttribute("data-agreed"), "true", `${id}: ${await result.innerText()}`);
}

/** Scroll the runs' plot or cells to the top of their column. */
async function showTheRuns() {
  await page.getByTestId("many-runs").evaluate((e) => e.scrollIntoView({ block: "start" }));
}

/** Screenshots of the page at 1280 x 720 and 390 px wide, light and dark; at
 * 390 px no cell may reach past the screen's edge. */
async function lookAt(id) {
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1280, height: 720 });
    await showTheRuns();
    await page.screenshot({ path: join(artifacts, `${id}-1280-${scheme}.png`) });
    await page.setViewportSize({ width: 390, height: 844 });
    await showTheRuns();
    await page.screenshot({ path: join(artifacts, `${id}-390-${scheme}.png`) });
    const rights = await page.getByTestId("grid-cell").evaluateAll((cs) => cs.map((c) => c.getBoundingClientRect().right));
    for (const right of rights) assert.ok(right <= 390, `${id} ${scheme}: a cell ends at ${right} px`);
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByTestId("verdict").screenshot({ path: join(artifacts, `${id}-verdict.png`) });
}

test("you need all three: eight runs by keyboard, eight cells with their numbers, only all three clean", async () => {
  await open("you-need-all-three");
  assert.equal(await page.getByTestId("lesson-explanation").count(), 0);
  await predictAndRun();
  await agreedAndChecked("you-need-all-three");
  const shown = await cells();
  assert.equal(shown.length, 8);
  for (const [i, c] of shown.entries()) {
    assert.match(c.text, /\d+ lock errors\n[\d.]+ jobs\/s\n\d+ ms busy wait\n\d+ of \d+ done/, c.text);
    // A cell's numbers are the run's: jobs/s is what it did, which may be 0 where a
    // rollback writer with no timeout never finds the reader's short gap in 3 s.
    const done = Number(c.text.match(/(\d+) of \d+ done/)[1]);
    assert.equal(c.jobsPerS > 0, done > 0, c.text);
    assert.equal(c.clean, i === 0, `cell ${i}: ${c.text}`);
    assert.equal(c.lockErrors > 0, i > 0, `cell ${i}: ${c.text}`);
  }
  assert.match(shown[0].text, /^WAL, busy_timeout, short/);
  // The check names every cell's lock errors.
  const said = await page.getByTestId("check").innerText();
  for (const c of shown) assert.ok(said.includes(`: ${c.lockErrors} lock errors`), said);
  // A cell shows its run in full.
  await page.getByTestId("grid-cell").nth(6).getByRole("button").click();
  assert.equal(await page.getByTestId("grid-cell").nth(6).getByRole("button").getAttribute("aria-pressed"), "true");
  await page.getByText("In full: rollback, no timeout, short").waitFor();
  await lookAt("you-need-all-three");
  // T runs the suggested change: all eight again.
  const stale = await page.getByTestId("verdict").elementHandle();
  await page.locator("body").focus();
  await page.keyboard.press("t");
  await stale.waitForElementState("hidden", { timeout: 60_000 });
  await page.getByTestId("verdict").waitFor({ timeout: 240_000 });
  assert.equal(await page.getByTestId("grid-cell").count(), 8);
});

test("the ceiling of one writer: jobs/s against 1 to 16 workers, five points, and the check", async () => {
  await open("one-writer-ceiling");
  await predictAndRun();
  await agreedAndChecked("one-writer-ceiling");
  const points = await page.getByTestId("sweep-point").evaluateAll((ps) =>
    ps.map((p) => ({ x: Number(p.dataset.x), jobs: Number(p.dataset.jobsPerS), share: Number(p.dataset.busyShare) })),
  );
  assert.deepEqual(points.map((p) => p.x), [1, 2, 4, 8, 16]);
  for (const p of points) {
    assert.ok(p.jobs > 0 && p.share > 0 && p.share <= 1, JSON.stringify(p));
  }
  assert.ok(points[4].jobs < 2 * points[2].jobs, JSON.stringify(points));
  assert.equal(await page.getByTestId("sweep-plot").locator("polyline").count(), 2);
  assert.equal(await page.getByTestId("grid-cell").count(), 5);
  await lookAt("one-writer-ceiling");
});
