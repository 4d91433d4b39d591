// A lesson file (docs/lesson.md) opened in the page through locklab.openLesson:
// it becomes the page's lesson, a learner predicts and runs it by keyboard, its
// check's sentence is filled from the runs, and locklab.lessonFile() gives the
// file back as it was opened; a malformed lesson is refused at its field; a
// course lesson's file is its file of static/course/. A lesson link opens it
// too: #lesson-data= (the lesson in the address, from lessonLink()) and
// #lesson-url= (fetched from a second server, on another port, that allows it
// with CORS; one that does not is refused, and the page says why), and a course
// file there opens every lesson it names, fetched from beside it. The lesson is
// the course's lost-updates under an id of one's own (a file cannot take a
// course lesson's id).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { openPage } from "./session.mjs";
import { ready, runEnabled } from "./wait.mjs";

const courseFile = async (name) => readFile(new URL(`../../static/course/${name}`, import.meta.url), "utf8");
const text = JSON.stringify({ ...JSON.parse(await courseFile("lost-updates.json")), lesson: "my-lost-updates" }, null, 2);
let session, page;

before(async () => {
  session = await openPage();
  [page] = session.pages;
});
after(async () => session?.close());

test("a lesson file opened from its text is the page's lesson, taken by keyboard", async () => {
  const opened = await page.evaluate((t) => window.locklab.openLesson(t), text);
  assert.deepEqual(opened, { id: "my-lost-updates", title: "A read outside the write transaction loses updates" });
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === "my-lost-updates");
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

test("a malformed lesson is refused at its field; a course lesson's file is its file of static/course/", async () => {
  const bad = JSON.parse(text);
  bad.prediction.choices[1].when = "a.checks[0].got ==";
  const said = await page.evaluate((b) => window.locklab.openLesson(b).then(() => "opened", String), bad);
  assert.match(said, /lesson field `prediction\.choices\[1\]\.when`: expected a condition/);
  const notJson = await page.evaluate(() => window.locklab.openLesson("{ nope").then(() => "opened", String));
  assert.match(notJson, /the lesson is not JSON/);
  await page.goto(new URL("#lesson=wall-of-red", page.url()).href);
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === "wall-of-red");
  const own = await page.evaluate(() => window.locklab.lessonFile());
  assert.deepEqual(own, JSON.parse(await courseFile("wall-of-red.json")));
  assert.match(await page.evaluate(() => window.locklab.lessonLink()), /#lesson=wall-of-red$/);
});

/** A server on another origin (port) that serves `body` at /lesson.json (and `more`, path to body), with CORS or without. */
function otherOrigin(body, { cors, more = {} }) {
  const files = { "/lesson.json": body, ...more };
  const server = createServer((req, res) => {
    const headers = { "Content-Type": "application/json", ...(cors ? { "Access-Control-Allow-Origin": "*" } : {}) };
    if (req.url in files) {
      res.writeHead(200, headers);
      res.end(files[req.url]);
    } else {
      res.writeHead(404, headers);
      res.end("not found");
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/lesson.json` })));
}

async function lessonShown(id) {
  await page.waitForFunction((id) => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === id, id, { timeout: 30_000 });
}

test("a lesson link opens the lesson: #lesson-data= from lessonLink(), and #lesson-url= from a host that allows it", async () => {
  const changed = JSON.parse(text);
  changed.lesson = "lost-updates-linked";
  changed.title = "Lost updates, from a link";
  await page.evaluate((t) => window.locklab.openLesson(t), JSON.stringify(changed));
  await lessonShown("lost-updates-linked");
  const link = await page.evaluate(() => window.locklab.lessonLink());
  assert.match(link, /#lesson-data=[A-Za-z0-9_-]+$/);

  // A fresh tab knows no opened lesson: the link alone brings it.
  const fresh = await session.browser.newPage();
  await fresh.goto(link);
  await fresh.waitForFunction(() => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === "lost-updates-linked", null, { timeout: 30_000 });
  assert.match(await fresh.getByTestId("lesson").innerText(), /Lost updates, from a link/);
  await fresh.waitForFunction(() => !location.hash.includes("lesson-data"));
  assert.match(fresh.url(), /#lesson=lost-updates-linked$/, "the lesson's own address replaces the link's");
  assert.deepEqual(await fresh.evaluate(() => window.locklab.lessonFile()), changed, "opened from the link, equal");

  const inline = { ...JSON.parse(await courseFile("wall-of-red.json")), lesson: "my-wall", title: "My wall, in a course" };
  const course = JSON.stringify({ course: "mine", title: "Mine", lessons: ["lesson.json", inline] });
  const allowed = await otherOrigin(text, { cors: true, more: { "/course.json": course } });
  const refused = await otherOrigin(text, { cors: false });
  try {
    await fresh.goto(new URL(`#lesson-url=${encodeURIComponent(allowed.url)}`, fresh.url()).href);
    await fresh.waitForFunction(() => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === "my-lost-updates", null, { timeout: 30_000 });
    await fresh.waitForFunction(() => !location.hash.includes("lesson-url"));
    // A course file: every lesson it names opens, the files fetched from beside it.
    const courseUrl = allowed.url.replace("/lesson.json", "/course.json");
    await fresh.goto(new URL(`#lesson-url=${encodeURIComponent(courseUrl)}`, fresh.url()).href);
    await fresh.waitForFunction(() => !location.hash.includes("lesson-url"), null, { timeout: 30_000 });
    const ids = await fresh.evaluate(() => window.locklab.lessons().then((ls) => ls.map((l) => l.id)));
    assert.deepEqual(ids.slice(-2), ["my-lost-updates", "my-wall"], ids.join(" "));
    await fresh.goto(new URL(`#lesson-url=${encodeURIComponent(refused.url)}`, fresh.url()).href);
    const problem = fresh.getByTestId("link-problem");
    await problem.waitFor({ timeout: 30_000 });
    assert.match(await problem.innerText(), /could not be fetched: the host is unreachable, or does not allow other sites to read it \(CORS/);
    await fresh.goto(new URL(`#lesson-url=${encodeURIComponent("ftp://example.com/x.json")}`, fresh.url()).href);
    await fresh.waitForFunction(() => /not an https:/.test(document.querySelector('[data-testid="link-problem"]')?.innerText ?? ""), null, { timeout: 30_000 });
  } finally {
    allowed.server.close();
    refused.server.close();
    await fresh.close();
  }
});

test("Your lesson (O): a file picked, edited and opened again, saved, and reopened equal; a broken one refused at its field", async () => {
  await page.goto(new URL("#lesson=wall-of-red", page.url()).href);
  await lessonShown("wall-of-red");
  await page.keyboard.press("o");
  const drawer = page.getByTestId("drawer-lesson-file");
  await drawer.waitFor();
  // The open lesson's own file, to start from.
  await page.getByTestId("lesson-file-start").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson-file-text"]').value.includes('"wall-of-red"'));
  const started = await page.getByTestId("lesson-file-text").inputValue();
  assert.deepEqual(JSON.parse(started), JSON.parse(await courseFile("wall-of-red.json")));
  assert.match(await page.getByTestId("lesson-file-said").innerText(), /Give it an id of your own/);
  // Picked from a file.
  await page.getByTestId("lesson-file-pick").setInputFiles({ name: "my-lost-updates.json", mimeType: "application/json", buffer: Buffer.from(text) });
  await page.waitForFunction((t) => document.querySelector('[data-testid="lesson-file-text"]').value === t, text);
  await page.getByTestId("lesson-file-open").click();
  await lessonShown("my-lost-updates");
  // Edited in the box and opened again: the page's lesson follows the edit.
  const edited = JSON.parse(text);
  edited.title = "Lost updates, edited";
  await page.getByTestId("lesson-file-text").fill(JSON.stringify(edited, null, 2));
  await page.getByTestId("lesson-file-open").click();
  await page.waitForFunction(() => /Lost updates, edited/.test(document.querySelector('[data-testid="lesson"]').innerText));
  // Saved as a file, and that file opens the same lesson.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("lesson-file-save").click()]);
  assert.equal(download.suggestedFilename(), "my-lost-updates.json");
  const saved = await readFile(await download.path(), "utf8");
  assert.deepEqual(JSON.parse(saved), edited);
  await page.evaluate((t) => window.locklab.openLesson(t), saved);
  assert.deepEqual(await page.evaluate(() => window.locklab.lessonFile()), edited, "saved and reopened equal");
  // A broken file is refused, naming its field.
  const broken = JSON.parse(text);
  delete broken.check;
  await page.getByTestId("lesson-file-text").fill(JSON.stringify(broken));
  await page.getByTestId("lesson-file-open").click();
  const said = page.getByTestId("lesson-file-said");
  await said.waitFor();
  assert.match(await said.innerText(), /lesson field `check`: expected an object with when, says/);
  assert.equal(await said.getAttribute("role"), "alert");
  // A wrong field is shown at its place in the box: its line said, its value selected.
  const wrong = JSON.parse(text);
  wrong.prediction.choices[1].when = "a.checks[0].got ==";
  const pretty = JSON.stringify(wrong, null, 2);
  await page.getByTestId("lesson-file-text").fill(pretty);
  await page.getByTestId("lesson-file-open").click();
  await page.waitForFunction(() => /prediction\.choices\[1\]\.when/.test(document.querySelector('[data-testid="lesson-file-said"]').innerText));
  const line = pretty.split("\n").findIndex((l) => l.includes('"a.checks[0].got =="')) + 1;
  assert.match(await said.innerText(), new RegExp(`^line ${line}: lesson field`));
  const selected = await page.getByTestId("lesson-file-text").evaluate((a) => a.value.slice(a.selectionStart, a.selectionEnd));
  assert.equal(selected, '"a.checks[0].got =="', "the field's value is selected");
  assert.ok(await page.getByTestId("lesson-file-text").evaluate((a) => document.activeElement === a), "the box has the focus, at the field");
});
