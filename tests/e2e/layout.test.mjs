// The page's layout as a presenter and a reader meet it: at 1280 x 720 the
// lesson, Run, the timeline and the key numbers are on one screen after a run;
// presenter mode has large type and thick lanes; dark mode follows the system and
// the switch (remembered); a phone reads it without a sideways page; embed mode
// shows a scenario, Run, the timeline and the numbers, and after the run the
// lesson's explanation, and nothing else; the
// drawers and the list of keys open and close from the keyboard. Screenshots go
// to artifacts/ to be looked at.
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

/** Open the page at `hash` (a fresh load) at `width` x `height`. */
async function open(hash, width = 1280, height = 720, colorScheme = "light") {
  await page.emulateMedia({ colorScheme });
  await page.setViewportSize({ width, height });
  await page.goto(new URL(hash, page.url()).href);
  await page.reload();
  await ready(page);
}

/** Run the lesson shown with the keyboard (R) and wait for its report and the lesson's explanation. */
async function runIt() {
  await page.getByTestId("run").waitFor();
  await runEnabled(page);
  await page.keyboard.press("r");
  await page.getByTestId("run-report").first().waitFor({ timeout: 120_000 });
  // The lesson's explanation (p.claim) is in the page once the run is over.
  await page.getByTestId("lesson-explanation").waitFor({ state: "attached" });
}

/** The box of `locator`, asserted wholly inside the viewport and on top at its centre. */
async function inView(locator, what) {
  const { width, height } = page.viewportSize();
  const box = await locator.boundingBox();
  assert.ok(box, `${what} is shown`);
  assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 0.5 && box.y + box.height <= height + 0.5,
    `${what} within ${width} x ${height}: ${JSON.stringify(box)}`);
  const onTop = await locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return el === hit || el.contains(hit);
  });
  assert.ok(onTop, `${what} is not covered`);
  return box;
}

/** The relative luminance of a computed CSS colour "rgb(r, g, b)". */
function luminance(css) {
  const [r, g, b] = css.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor === "rgba(0, 0, 0, 0)"
  ? getComputedStyle(document.documentElement).backgroundColor : getComputedStyle(document.body).backgroundColor);

test("at 1280 x 720 the lesson, Run, the timeline and the key numbers fit on one screen after a run", async () => {
  await open("#lesson=wall-of-red");
  await runIt();
  const report = page.getByTestId("run-report");
  await inView(page.getByTestId("lesson"), "the lesson");
  await inView(page.getByTestId("run"), "Run");
  await inView(page.getByTestId("stop"), "Stop");
  const canvas = await inView(report.getByTestId("timeline-canvas"), "the timeline");
  assert.ok(canvas.width >= 600, `the timeline is ${canvas.width} px wide`);
  await inView(report.getByTestId("key-numbers"), "the key numbers");
  // The numbers are the run's own.
  const done = await report.getByTestId("key-done").locator("dd").innerText();
  const jobs = await report.getByTestId("jobs").innerText();
  assert.equal(done, jobs.match(/^(\d+ of \d+)/)[1]);
  // The page itself does not scroll: the two columns do, each by itself.
  const scroll = await page.evaluate(() => [document.documentElement.scrollHeight, document.documentElement.scrollWidth]);
  assert.deepEqual(scroll, [720, 1280]);
  // Nothing of the knobs, the console or the pipeline check is on the stage.
  assert.equal(await page.getByTestId("drawer-scenario").isVisible(), false);
  assert.equal(await page.getByTestId("drawer-console").isVisible(), false);
  assert.equal(await page.getByTestId("run-check").count(), 0);
  await page.screenshot({ path: join(artifacts, "layout-1280x720-light.png") });
});

test("dark mode follows the system, the switch overrides it and is remembered; the timeline stays on a light panel", async () => {
  await open("#lesson=wall-of-red", 1280, 720, "dark");
  assert.ok(luminance(await background()) < 0.05, `dark background: ${await background()}`);
  const ink = await page.evaluate(() => getComputedStyle(document.querySelector("#lesson-title")).color);
  assert.ok(luminance(ink) > 0.6, `light text: ${ink}`);
  await runIt();
  const panel = await page.getByTestId("run-report").getByTestId("timeline-view")
    .evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.ok(luminance(panel) > 0.85, `the timeline's panel is light: ${panel}`);
  await page.screenshot({ path: join(artifacts, "layout-1280x720-dark.png") });
  // The switch: light although the system is dark, kept across a reload.
  await page.getByTestId("theme").selectOption("light");
  assert.ok(luminance(await background()) > 0.85, `light background: ${await background()}`);
  await page.reload();
  await ready(page);
  assert.equal(await page.evaluate(() => localStorage.getItem("locklab-theme")), "light");
  assert.ok(luminance(await background()) > 0.85, "the choice is remembered");
  // D flips it; "system" forgets the choice.
  await page.keyboard.press("d");
  assert.ok(luminance(await background()) < 0.05, "D turns it dark");
  await page.getByTestId("theme").selectOption("system");
  assert.equal(await page.evaluate(() => localStorage.getItem("locklab-theme")), null);
});

test("presenter mode: a comparison's two timelines on one 1280 x 720 screen", async () => {
  await open("#lesson=readers-and-writer&present");
  await runEnabled(page);
  await page.keyboard.press("1");
  await page.keyboard.press("r");
  // A comparison shows its two runs stacked (each run's own report stays hidden).
  await page.getByTestId("compared").waitFor({ timeout: 120_000 });
  const [a, b] = ["a", "b"].map((s) => page.getByTestId(`compare-timeline-${s}`).locator("canvas"));
  await a.scrollIntoViewIfNeeded();
  // The run's column scrolls to where A's timeline begins; B's ends on the same screen.
  await page.getByTestId("compare-timeline-a").evaluate((el) => el.scrollIntoView({ block: "start" }));
  await inView(a, "run A's timeline");
  await inView(b, "run B's timeline");
  await page.screenshot({ path: join(artifacts, "presenter-compare-1280x720.png") });
});

test("presenter mode: 24 px type, thick lanes, only the lesson, the run and the numbers, driven by keys", async () => {
  await open("#lesson=wall-of-red");
  const lanePx = async () => page.getByTestId("run-report").getByTestId("timeline-canvas").evaluate((c) => {
    const lanes = Number(c.closest('[data-testid="timeline-view"]').dataset.lanes);
    return ((c.height - 18) / lanes) * (c.getBoundingClientRect().height / c.height);
  });
  await runIt();
  const normalLane = await lanePx();
  await page.keyboard.press("p");
  await page.waitForFunction(() => document.documentElement.classList.contains("present"));
  assert.match(page.url(), /#lesson=wall-of-red&present$/);
  // The address alone opens it too.
  await open("#lesson=wall-of-red&present");
  await runIt();
  const size = (sel) => page.evaluate((s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize), sel);
  assert.ok(await size("body") >= 24, `body text ${await size("body")} px`);
  assert.ok(await size("p.claim") >= 24, `the claim ${await size("p.claim")} px`);
  assert.ok(await size('[data-testid="what-happened"] p') >= 24, "what happened");
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid="run-report"] [data-testid="timeline-canvas"]');
    return c && c.getBoundingClientRect().height > 0;
  });
  const thick = await lanePx();
  assert.ok(thick >= normalLane * 1.4, `lanes ${thick.toFixed(1)} px against ${normalLane.toFixed(1)} px`);
  for (const hidden of ["open-scenario", "open-console", "theme", "reset", "preset", "exports", "invariants"]) {
    const el = page.getByTestId(hidden).first();
    assert.equal(await el.count() > 0 && await el.isVisible(), false, `${hidden} is hidden in presenter mode`);
  }
  await inView(page.getByTestId("run-report").getByTestId("key-numbers"), "the numbers");
  await page.screenshot({ path: join(artifacts, "presenter-1280x720.png") });
  // ? lists every key; Esc closes the list, then leaves presenter mode.
  await page.keyboard.press("?");
  const help = page.getByTestId("help");
  await help.waitFor();
  for (const key of ["1 2 3 4", "R", "S", "T", "Page Down or ]", "Page Up or [", "Space", "P", "?", "Esc"]) {
    assert.ok(await help.locator("dt kbd", { hasText: new RegExp(`^${key.replace(/[[\]?.]/g, "\\$&")}$`) }).count() > 0, `the list has ${key}`);
  }
  await page.screenshot({ path: join(artifacts, "presenter-keys.png") });
  await page.keyboard.press("Escape");
  await help.waitFor({ state: "hidden" });
  assert.ok(await page.evaluate(() => document.documentElement.classList.contains("present")));
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => !document.documentElement.classList.contains("present"));
  assert.match(page.url(), /#lesson=wall-of-red$/);
  // Page Down goes on to the next lesson, still in the page's own layout.
  await page.keyboard.press("PageDown");
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson"]').dataset.lesson !== "wall-of-red");
});

test("a 390 px phone reads the page without a sideways page; 2560 px puts the lesson beside its run", async () => {
  await open("#lesson=wall-of-red", 390, 844);
  await runIt();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page is ${width} px wide`);
  const size = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector("p.claim")).fontSize));
  assert.ok(size >= 14, `the claim is ${size} px`);
  await page.getByTestId("run").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifacts, "layout-390-phone.png") });
  await page.screenshot({ path: join(artifacts, "layout-390-phone-full.png"), fullPage: true });

  await open("#lesson=wall-of-red", 2560, 1440);
  await runIt();
  const lesson = await page.getByTestId("lesson").boundingBox();
  const canvas = await page.getByTestId("run-report").getByTestId("timeline-canvas").boundingBox();
  assert.ok(canvas.x > lesson.x + lesson.width, "the run is beside the lesson");
  assert.ok(canvas.width >= 1200, `the timeline is ${canvas.width} px wide`);
  await page.screenshot({ path: join(artifacts, "layout-2560x1440.png") });
});

test("embed mode shows a scenario, Run, the timeline and the numbers, and after the run why; nothing else", async () => {
  await open("#lesson=wall-of-red&embed", 800, 600);
  // As everywhere, the lesson's explanation only once its run is over.
  assert.equal(await page.getByTestId("lesson-explanation").count(), 0, "no explanation before the run");
  await runIt();
  const report = page.getByTestId("run-report");
  for (const shown of [page.locator("#lesson-title"), page.getByTestId("lesson-explanation"), page.locator("p.claim"),
    page.getByTestId("run"), report.getByTestId("timeline-canvas"), report.getByTestId("key-numbers"),
    page.getByTestId("open-full-page")]) {
    assert.ok(await shown.isVisible(), `${shown} is shown`);
  }
  for (const hidden of ["prediction", "prediction-result", "what-happened", "check", "moment", "suggestion",
    "lesson-position", "open-scenario", "open-help", "present", "theme",
    "reset", "preset", "exports", "invariants", "metrics", "replay-play", "wait-for-matrix", "timeline-details"]) {
    const els = await page.getByTestId(hidden).all();
    for (const el of els) assert.equal(await el.isVisible(), false, `${hidden} is hidden in embed mode`);
  }
  assert.doesNotMatch(await page.getByTestId("open-full-page").getAttribute("href"), /embed/);
  await page.screenshot({ path: join(artifacts, "embed-800.png"), fullPage: true });
});

test("the drawers open and close from the keyboard, and the focus follows", async () => {
  await open("#lesson=wall-of-red");
  for (const [key, name] of [["k", "scenario"], ["c", "console"], ["a", "about"]]) {
    await page.keyboard.press(key);
    await page.getByTestId(`drawer-${name}`).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), `drawer-${name}-title`);
    assert.equal(await page.getByTestId(`open-${name}`).getAttribute("aria-expanded"), "true");
    await page.keyboard.press("Escape");
    await page.getByTestId(`drawer-${name}`).waitFor({ state: "hidden" });
    assert.equal(await page.evaluate(() => document.activeElement.id), `toggle-${name}`);
  }
  // Tab from the top reaches the drawers' buttons, and Enter opens one.
  await page.keyboard.press("Enter");
  await page.getByTestId("drawer-about").waitFor();
  await page.getByTestId("close-about").click();
  // L opens the list of every lesson.
  await page.keyboard.press("l");
  assert.equal(await page.getByTestId("lesson-list").getAttribute("open"), "");
  await page.keyboard.press("l");
  assert.equal(await page.getByTestId("lesson-list").getAttribute("open"), null);
});
