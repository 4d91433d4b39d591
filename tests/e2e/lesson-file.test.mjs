// A lesson file (docs/lesson.md) opened in the page through locklab.openLesson:
// it becomes the page's lesson, a learner predicts and runs it by keyboard, its
// check's sentence is filled from the runs, and locklab.lessonFile() gives the
// file back as it was opened; a malformed lesson is refused at its field.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { openPage } from "./session.mjs";
import { ready, runEnabled } from "./wait.mjs";

const text = await readFile(new URL("../../static/lessons/lost-updates.json", import.meta.url), "utf8");
let session, page;

before(async () => {
  session = await openPage();
  [page] = session.pages;
});
after(async () => session?.close());

test("a lesson file opened from its text is the page's lesson, taken by keyboard", async () => {
  const opened = await page.evaluate((t) => window.locklab.openLesson(t), text);
  assert.deepEqual(opened, { id: "lost-updates", title: "A read outside the write transaction loses updates" });
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === "lost-updates");
  await ready(page);
  await runEnabled(page);
  await page.keyboard.press("1");
  await page.keyboard.press("r");
  await page.getByTestId("lesson-explanation").waitFor({ timeout: 180_000 });
  const check = await page.getByTestId("check").innerText();
  assert.match(check, /the counter ended at (\d+) of 200 after 200 committed writes; with the read inside BEGIN IMMEDIATE it ended at 200/, check);
  assert.ok(Number(check.match(/ended at (\d+) of 200/)[1]) < 200, check);
  assert.equal(await page.getByTestId("check").getAttribute("data-appeared"), "true");
  const back = await page.evaluate(() => window.locklab.lessonFile());
  assert.deepEqual(back, JSON.parse(text), "the file comes back as it was opened");
});

test("a malformed lesson is refused at its field; a course lesson has no file to give", async () => {
  const bad = JSON.parse(text);
  bad.prediction.choices[1].when = "a.checks[0].got ==";
  const said = await page.evaluate((b) => window.locklab.openLesson(b).then(() => "opened", String), bad);
  assert.match(said, /lesson field `prediction\.choices\[1\]\.when`: expected a condition/);
  const notJson = await page.evaluate(() => window.locklab.openLesson("{ nope").then(() => "opened", String));
  assert.match(notJson, /the lesson is not JSON/);
  await page.goto(new URL("#lesson=wall-of-red", page.url()).href);
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === "wall-of-red");
  const none = await page.evaluate(() => window.locklab.lessonFile().then(() => "given", String));
  assert.match(none, /lesson `wall-of-red` is the course's own/);
});
