// The course, as a learner with a keyboard walks it: every lesson predicted (its
// first choice), run, explained only then, its check passing, its annotated moment shown, its
// suggested change run; the progress kept across a reload; the address naming
// the lesson; a link to a lesson that does not exist said so.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { openPage, openDrawer, closeDrawer } from "./session.mjs";
import { liveDoneAbove, ready } from "./wait.mjs";

const artifacts = join(dirname(fileURLToPath(import.meta.url)), "artifacts");
let session, page;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  session = await openPage();
  page = session.pages[0];
  await page.setViewportSize({ width: 1280, height: 720 });
});
after(async () => session?.close());

const lessonShown = () => page.getByTestId("lesson").getAttribute("data-lesson");
const verdict = () => page.getByTestId("verdict");

/** Press `key` on the page, away from any field. */
async function press(key) {
  await page.keyboard.press(key);
}

/** Wait for a finished run's verdict that is not `stale` (an element handle). */
async function nextVerdict(stale) {
  if (stale) await stale.waitForElementState("hidden", { timeout: 120_000 }).catch(() => {});
  await verdict().waitFor({ timeout: 180_000 });
}

/** Your turn: hold the write lock from the console while the workers run. */
async function holdTheLock() {
  await liveDoneAbove(page, 2);
  await openDrawer(page, "console");
  await page.getByTestId("console-sql").focus();
  await page.keyboard.type("PRAGMA busy_timeout = 5000; BEGIN IMMEDIATE;");
  await page.keyboard.press("Control+Enter");
  await page.getByTestId("console-open").waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="run-running"] [data-testid="metrics"]')?.dataset.errors) > 0, null, { timeout: 30_000 });
  await page.getByTestId("console-sql").blur();
  await closeDrawer(page, "console");
  await press("s");
}

test("every lesson from the keyboard: predict, run, check, the moment, the suggested change", async () => {
  const lessons = await page.evaluate(() => window.locklab.lessons());
  assert.ok(lessons.length >= 14, `${lessons.length} lessons`);
  await page.goto(new URL(`#lesson=${lessons[0].id}`, page.url()).href);
  await page.reload();
  await ready(page);
  for (const [i, lesson] of lessons.entries()) {
    await page.waitForFunction((id) => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === id, lesson.id);
    assert.equal(await page.getByTestId("lesson-position").innerText(), `Lesson ${i + 1} of ${lessons.length}`);
    assert.match(page.url(), new RegExp(`#lesson=${lesson.id}$`));
    await press("1");
    assert.ok(await page.getByTestId("predict-0").isChecked(), `${lesson.id}: the prediction is made`);
    // The course asks before it tells: no explanation until the run is over.
    assert.equal(await page.getByTestId("lesson-explanation").count(), 0, `${lesson.id}: not explained before its run`);
    await press("r");
    if (lesson.id === "your-turn") await holdTheLock();
    await nextVerdict();
    assert.ok((await page.getByTestId("lesson-explanation").innerText()).includes(lesson.claim), `${lesson.id}: explained after its run`);
    const check = page.getByTestId("check");
    assert.equal(await check.getAttribute("data-appeared"), "true", `${lesson.id}: ${await check.innerText()}`);
    const result = page.getByTestId("prediction-result");
    assert.equal(await result.getAttribute("data-agreed"), "true", `${lesson.id}: ${await result.innerText()} ${await check.innerText()}`);
    // What happened names this run's numbers.
    const said = await page.getByTestId("what-happened").innerText();
    for (const jobs of await page.getByTestId("jobs").allTextContents()) {
      const [, done, seeded] = jobs.match(/^(\d+) of (\d+) done/);
      assert.ok(said.includes(`did ${done} of ${seeded} jobs`), `${lesson.id}: ${said}`);
    }
    const moment = page.getByTestId("moment");
    await moment.waitFor();
    assert.ok((await page.getByTestId("moment-label").innerText()).length > 20);
    if (lesson.compare) {
      // A comparison: two timelines on one axis, the metrics side by side.
      const compared = page.getByTestId("compared");
      await compared.waitFor();
      assert.equal(await compared.locator("canvas").count(), 2, lesson.id);
      const [a, b] = await Promise.all(["a", "b"].map((s) => page.getByTestId(`compare-timeline-${s}`).getByTestId("timeline-view").getAttribute("data-window")));
      assert.equal(a, b, `${lesson.id}: one time axis`);
      assert.equal(await page.getByTestId("compare-metrics").locator("thead th").count() >= 3, true);
    }
    if (lesson.grid || lesson.sweep) {
      // Many runs: a cell each (and a sweep's plot, a point each).
      const runs = lesson.grid ?? lesson.sweep.runs;
      assert.equal(await page.getByTestId("grid-cell").count(), runs.length, lesson.id);
      if (lesson.sweep) assert.equal(await page.getByTestId("sweep-point").count(), runs.length, lesson.id);
    }
    if (["wall-of-red", "readers-and-writer", "case-huey-dequeue"].includes(lesson.id)) {
      await page.getByTestId("lesson").screenshot({ path: join(artifacts, `lesson-${lesson.id}-page.png`) });
      await verdict().screenshot({ path: join(artifacts, `lesson-${lesson.id}.png`) });
      if (lesson.compare) await page.getByTestId("compared").screenshot({ path: join(artifacts, `lesson-${lesson.id}-compared.png`) });
    }
    // The suggested change edits the scenario and runs again.
    const before = await verdict().elementHandle();
    await press("t");
    if (lesson.id === "your-turn") {
      await page.getByTestId("run-running").waitFor();
      await press("s");
    }
    await nextVerdict(before);
    assert.ok(await verdict().isVisible(), `${lesson.id}: the suggested change ran`);
    if (i + 1 < lessons.length) await press("PageDown");
  }
  // Progress is kept in this browser.
  await page.reload();
  await ready(page);
  const list = page.getByTestId("lesson-list");
  assert.match(await list.locator("summary").innerText(), new RegExp(`\\(${lessons.length} of ${lessons.length} checked\\)`));
  assert.equal(await list.locator('li[data-passed="true"]').count(), lessons.length);
});

test("the address names the lesson; a lesson that does not exist is said so", async () => {
  await page.goto(new URL("#lesson=starvation", page.url()).href);
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === "starvation");
  const place = (await page.evaluate(() => window.locklab.lessons())).findIndex((l) => l.id === "starvation") + 1;
  assert.match(await page.locator("#lesson-title").innerText(), new RegExp(`^${place}\\. Why one worker starves the others`));
  await page.goto(new URL("#lesson=no-such-lesson", page.url()).href);
  await page.getByTestId("unknown-lesson").waitFor();
  assert.match(await page.getByTestId("unknown-lesson").innerText(), /no lesson "no-such-lesson"/);
  assert.equal(await lessonShown(), "lock-ladder");
  // Back from a lesson's Next link returns to it.
  await page.goto(new URL("#lesson=busy-timeout", page.url()).href);
  await page.getByTestId("lesson-next").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === "deferred-or-immediate");
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === "busy-timeout");
});
