// The course asks before it tells: a lesson's explanation (its claim) is not in
// the page while the learner predicts and while the run (both runs of a
// comparison) goes on; once the run is over it opens under "Why", beside what
// the run showed. A case file shows the reporter's setup, locklab's stand-in and
// what its users saw before the run, and what locklab shows, what fixed it and
// what the thread does not say after it. Screenshots of before and after, light
// and dark, go to artifacts/ to be looked at.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { openPage } from "./session.mjs";
import { ready, runEnabled } from "./wait.mjs";

const artifacts = join(dirname(fileURLToPath(import.meta.url)), "artifacts");
let session, page, lessons;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  session = await openPage();
  page = session.pages[0];
  lessons = await page.evaluate(() => window.locklab.lessons());
});
after(async () => session?.close());

const lessonNamed = (id) => lessons.find((l) => l.id === id);
const explanation = () => page.getByTestId("lesson-explanation");

/** Open lesson `id` afresh (no progress kept) at 1280 x 720 in `colorScheme`. */
async function open(id, colorScheme = "light") {
  await page.emulateMedia({ colorScheme });
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(new URL(`#lesson=${id}`, page.url()).href);
  await page.evaluate(() => localStorage.removeItem("locklab.progress.v1"));
  await page.reload();
  await ready(page, { isolated: true });
  await page.waitForFunction((id) => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === id, id);
}

/** The claim is nowhere in the page, shown or hidden, and no explanation element is. */
async function notTold(lesson, when) {
  assert.equal(await explanation().count(), 0, `${lesson.id} ${when}: no explanation element`);
  const anywhere = await page.evaluate((claim) => document.documentElement.textContent.includes(claim), lesson.claim);
  assert.equal(anywhere, false, `${lesson.id} ${when}: the claim is not in the page`);
}

/** Predict choice 1 and start the run, both from the keyboard. */
async function predictAndRun(lesson) {
  await page.keyboard.press("1");
  assert.ok(await page.getByTestId("predict-0").isChecked(), `${lesson.id}: 1 predicts the first choice`);
  await notTold(lesson, "once predicted");
  await runEnabled(page);
  await page.keyboard.press("r");
}

/** The explanation is shown, after what the run showed, and holds the claim once. */
async function told(lesson) {
  const why = explanation();
  await why.waitFor();
  assert.ok(await why.isVisible(), `${lesson.id}: the explanation is shown`);
  assert.equal(await why.getByRole("heading").innerText(), "Why");
  assert.ok((await why.innerText()).includes(lesson.claim), `${lesson.id}: the explanation is the claim`);
  assert.equal(await page.evaluate((claim) => document.documentElement.textContent.split(claim).length - 1, lesson.claim), 1,
    `${lesson.id}: the claim is said once`);
  // Beside what the run showed: in the verdict, after what happened.
  const after = await page.getByTestId("what-happened").evaluate((happened) => {
    const why = document.querySelector('[data-testid="lesson-explanation"]');
    return happened.closest('[data-testid="verdict"]')?.contains(why)
      && (happened.compareDocumentPosition(why) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
  });
  assert.ok(after, `${lesson.id}: the explanation follows what happened, in the verdict`);
}

test("a lesson asks for the prediction first and explains only once its run is over", async () => {
  const lesson = lessonNamed("wall-of-red");
  await open(lesson.id);
  const prediction = page.getByTestId("prediction");
  assert.ok(await prediction.isVisible(), "the prediction is shown");
  assert.ok((await prediction.locator("legend").innerText()).includes(lesson.prediction.question));
  for (const [i, choice] of lesson.prediction.choices.entries()) {
    assert.ok((await page.getByTestId(`predict-${i}`).locator("xpath=..").innerText()).includes(choice));
  }
  await notTold(lesson, "before the run");
  await page.screenshot({ path: join(artifacts, "asks-first-before-light.png") });
  await predictAndRun(lesson);
  await page.getByTestId("run-running").waitFor({ timeout: 60_000 });
  await notTold(lesson, "while it runs");
  await page.getByTestId("verdict").waitFor({ timeout: 180_000 });
  await told(lesson);
  await explanation().scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifacts, "asks-first-after-light.png") });

  // The next lesson starts untold; back at this one, with no run of it shown,
  // it asks again.
  await page.keyboard.press("PageDown");
  const next = lessons[lessons.indexOf(lesson) + 1];
  await page.waitForFunction((id) => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === id, next.id);
  await notTold(next, "on arrival");
  await page.keyboard.press("PageUp");
  await page.waitForFunction((id) => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === id, lesson.id);
  await notTold(lesson, "back with no run shown");
});

test("a case file shows its setup, locklab's stand-in and what its users saw first, the other three parts after both runs", async () => {
  for (const colorScheme of ["light", "dark"]) {
    const lesson = lessonNamed("case-huey-dequeue");
    const caseFile = lesson.case_file;
    assert.ok(lesson.compare && caseFile, "a comparison with a case file");
    await open(lesson.id, colorScheme);
    // Before the run: the thread, whose setup, locklab's stand-in, what its users saw; which run is A and which B.
    const before = page.getByTestId("case-file");
    assert.equal(await before.getByRole("link").getAttribute("href"), caseFile.url);
    assert.equal(await before.getByRole("link").innerText(), caseFile.thread);
    for (const [id, label, text] of [
      ["case-setup", /^The reporter's setup\b/, caseFile.setup],
      ["case-stand-in", /^locklab's stand-in\b/, caseFile.stand_in],
      ["case-saw", /^What its users saw\b/, caseFile.saw],
    ]) {
      const part = page.getByTestId(id);
      assert.ok(await part.isVisible(), `${id} is shown before the run`);
      assert.match(await part.locator("strong").innerText(), label);
      assert.ok((await part.innerText()).includes(text), `${id} says the case file's text`);
    }
    const sides = await page.getByTestId("lesson-sides").innerText();
    assert.ok(sides.includes(`A (${lesson.compare[0].label})`) && sides.includes(`B (${lesson.compare[1].label})`), sides);
    for (const id of ["case-shows", "case-fixed", "case-unsaid"]) {
      assert.equal(await page.getByTestId(id).count(), 0, `${id} waits for the run`);
    }
    await notTold(lesson, "before the run");
    await page.screenshot({ path: join(artifacts, `case-file-before-${colorScheme}.png`) });

    await predictAndRun(lesson);
    // Run A is over and B runs: still nothing told.
    await page.getByTestId("running-side").filter({ hasText: /^Running B of 2/ }).waitFor({ timeout: 120_000 });
    await notTold(lesson, "between its two runs");
    assert.equal(await page.getByTestId("case-shows").count(), 0, "what locklab shows waits for both runs");

    await page.getByTestId("verdict").waitFor({ timeout: 180_000 });
    await told(lesson);
    for (const [id, label, text] of [
      ["case-saw", /^What its users saw\b/, caseFile.saw],
      ["case-shows", /^What locklab shows\b/, caseFile.shows],
      ["case-fixed", /^What fixed it\b/, caseFile.fixed],
      ["case-unsaid", /^What the thread does not say\b/, caseFile.unsaid],
    ]) {
      const part = page.getByTestId(id);
      await part.scrollIntoViewIfNeeded();
      assert.ok(await part.isVisible(), `${id} is shown after the run`);
      assert.match(await part.locator("strong").innerText(), label);
      assert.ok((await part.innerText()).includes(text), `${id} says the case file's text`);
    }
    await explanation().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, `case-file-after-${colorScheme}.png`) });
  }
});
