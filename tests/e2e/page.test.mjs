// The page as a person uses it: pick a lesson, press Run, read what happened.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { openDrawer, closeDrawer } from "./session.mjs";
import { eventually, textMatching } from "./wait.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "..", "dist");
const artifacts = join(here, "artifacts");
let site, browser, page;

before(async () => {
  site = await serve(dist);
  browser = await launch();
  page = await browser.newPage();
  // What the page complains about goes into the test log, for whoever reads a failure.
  page.on("console", (m) => ["error", "warning"].includes(m.type()) && console.log(`page ${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
  await mkdir(artifacts, { recursive: true });
  // The first screen is the lock ladder (below); these tests begin at the wall of red.
  await page.goto(`${site.url}#lesson=wall-of-red`);
});

after(async () => {
  await browser?.close();
  site?.server.close();
});

// The first pixel (x, y) of the timeline canvas with colour `hex`, looking at the
// rows `dy` of every lane (lanes are 34 px high, after 76 px of names); null if none.
function find(page, hex, dy) {
  return page.getByTestId("timeline-canvas").evaluate((canvas, [hex, dy]) => {
    const { width, height } = canvas;
    const data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    for (let lane = 0; lane * 34 < height - 18; lane++) {
      for (const y of dy.map((d) => lane * 34 + d)) {
        for (let x = 76; x < width; x++) {
          const i = (y * width + x) * 4;
          if (data[i] === r && data[i + 1] === g && data[i + 2] === b) return { x, y };
        }
      }
    }
    return null;
  }, [hex, dy]);
}

const EXCLUSIVE = "#d55e00";
const BUSY = "#000000";

test("a first visit opens the course at its first lesson, the lock ladder", async () => {
  const first = await browser.newPage();
  try {
    await first.goto(site.url);
    const lesson = first.getByTestId("lesson");
    await lesson.waitFor();
    assert.equal(await lesson.getAttribute("data-lesson"), "lock-ladder");
    assert.match(await first.getByTestId("lesson-position").innerText(), /^Lesson 1 of \d+$/);
    assert.match(await first.locator("#lesson-title").innerText(), /^1\. The lock ladder$/);
  } finally {
    await first.close();
  }
});

test("a trap in the page's wasm puts a banner on the page; any other error does not", async () => {
  const other = await browser.newPage();
  try {
    await other.goto(site.url);
    await other.getByTestId("run").waitFor();
    // Only a page's wasm trap stops it: an error of another kind leaves the page be.
    await other.evaluate(() => window.dispatchEvent(new ErrorEvent("error", { error: new TypeError("x") })));
    assert.equal(await other.getByTestId("page-stopped").count(), 0);
    // What a trap in the page's wasm raises, in both of the ways it can surface.
    await other.evaluate(() => {
      const trap = new WebAssembly.RuntimeError("unreachable");
      const rejected = Promise.reject(trap);
      window.dispatchEvent(new PromiseRejectionEvent("unhandledrejection", { promise: rejected, reason: trap }));
      rejected.catch(() => {});
    });
    const banner = other.getByTestId("page-stopped");
    await banner.waitFor();
    assert.match(await banner.innerText(), /its wasm trapped: unreachable\) and no longer answers\. Reload the page/);
    assert.equal(await other.getByTestId("page-stopped").count(), 1);
    await other.evaluate(() => window.dispatchEvent(new ErrorEvent("error", { error: new WebAssembly.RuntimeError("again") })));
    assert.equal(await other.getByTestId("page-stopped").count(), 1, "one banner, however many traps");
  } finally {
    await other.close();
  }
});

test("the wall of red runs from the Run button", async () => {
  await page.getByTestId("run").click();
  const report = page.getByTestId("run-report");
  await report.waitFor({ timeout: 60_000 });
  assert.equal(await report.getAttribute("data-outcome"), "completed");
  assert.match(await page.getByTestId("jobs").innerText(), /^60 of 60 done, 0 double-claimed, 0 lost$/);
  assert.equal(await page.getByTestId("integrity").innerText(), "ok");
  assert.match(await page.getByTestId("errors").innerText(), /SQLITE_BUSY x\d+/);
  const lanes = (await page.getByTestId("timeline").textContent()).trim().split("\n");
  assert.equal(lanes.length, 4, "one lane per worker in the text timeline");
  assert.ok(lanes.some((lane) => lane.includes("!")), "errors are marked on the lanes");

  const view = page.getByTestId("timeline-view");
  assert.equal(await view.getAttribute("data-lanes"), "4", "one canvas lane per worker");
  const canvas = page.getByTestId("timeline-canvas");
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const exclusive = await find(page, EXCLUSIVE, [10]);
  assert.ok(exclusive, "EXCLUSIVE is painted in a lane's bar");
  const busy = await find(page, BUSY, [24]);
  assert.ok(busy, "an SQLITE_BUSY mark is painted under a lane");
  const details = page.getByTestId("timeline-details");
  // A span shorter than a pixel is painted in the pixel (a far zoom paints 1 ms
  // summaries) whose time may fall a pixel or two before it: look within 3 px.
  const committing = /EXCLUSIVE from [\d.]+ ms to [\d.]+ ms: nobody else may read or write: taken to write the database file/;
  for (const dx of [0, 1, -1, 2, -2, 3, -3]) {
    await page.mouse.move(box.x + exclusive.x + dx, box.y + exclusive.y);
    await page.waitForTimeout(50);
    if (committing.test(await details.innerText())) break;
  }
  const held = await textMatching(details, committing);
  assert.match(held, /transaction \(whole job\): BEGIN/);
  await page.mouse.move(box.x + busy.x, box.y + busy.y + 2);
  await textMatching(details, /SQLITE_BUSY at [\d.]+ ms in [a-z ]+: `[^`]+` failed after [\d.]+ ms: database is locked/);

  // The keyboard reaches the same details.
  await canvas.focus();
  await page.keyboard.press("ArrowRight");
  await textMatching(details, /^worker 0 at [\d.]+ ms/);

  const shown = () => page.getByTestId("window").innerText();
  const before = await shown();
  await view.getByRole("button", { name: "Zoom in" }).click();
  assert.notEqual(await shown(), before, "zooming changes the window");
  await view.getByRole("button", { name: "Whole run" }).click();
  assert.equal(await shown(), before);
  // Clicking an error mark pins its details, with what the error means.
  await page.mouse.click(box.x + busy.x, box.y + busy.y + 2);
  await textMatching(details, /With busy_timeout, SQLite's busy handler sleeps and retries/);
  await page.mouse.move(box.x + exclusive.x, box.y + exclusive.y);
  await textMatching(details, /With busy_timeout, SQLite's busy handler sleeps and retries/);
  await page.getByTestId("errors").getByText("SQLITE_BUSY", { exact: true }).click();
  await page.getByTestId("errors").getByText("never for a transaction that has read and now asks to write").waitFor();
  await page.screenshot({ path: join(artifacts, "wall-of-red.png"), fullPage: true });
  await report.screenshot({ path: join(artifacts, "wall-of-red-report.png") });
});

test("short transactions in WAL with a timeout run without errors", async () => {
  await page.getByTestId("preset").selectOption("short-transactions");
  await page.getByTestId("run").click();
  const report = page.getByTestId("run-report");
  await report.waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="run-report"]')?.textContent.includes("journal_mode"));
  assert.match(await page.getByTestId("jobs").innerText(), /^(\d+) of \1 done, 0 double-claimed, 0 lost$/);
  assert.equal(await page.getByTestId("no-errors").innerText(), "none");
  assert.match(await report.innerText(), /wal \(what PRAGMA journal_mode answered\)/);
  assert.equal(await page.getByTestId("integrity").innerText(), "ok");
});

test("Reset database removes the finished runs' files", async () => {
  const stored = () => page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    try {
      const dir = await root.getDirectoryHandle("locklab-runs");
      const names = [];
      for await (const name of dir.keys()) names.push(name);
      return names;
    } catch {
      return null;
    }
  });
  const { run } = await page.evaluate(() => window.locklab.reopen());
  assert.ok((await stored()).includes(run), "the last run's database is in OPFS, in its own directory");
  await page.getByTestId("reset").click();
  const said = await textMatching(page.getByTestId("reset-said"), /Reset/);
  assert.match(said, /^Reset: [1-9]\d* finished runs? removed from OPFS \([1-9]\d* files?, [\d.]+ KB\)/);
  assert.deepEqual(await stored(), [], "nothing is left in OPFS");
  const reopened = await page.evaluate(() => window.locklab.reopen().catch((e) => String(e)));
  assert.match(reopened, /no run to reopen/);
});

test("invalid input is refused at the field and Run stays disabled", async () => {
  await openDrawer(page, "scenario");
  const workers = page.locator("#field-workers");
  await workers.fill("40");
  const field = page.getByTestId("field-workers");
  await field.getByRole("alert").waitFor();
  assert.match(await field.getByRole("alert").innerText(), /from 1 to 16, got 40/);
  assert.equal(await page.getByTestId("run").isDisabled(), true);
  await workers.fill("3");
  assert.equal(await page.getByTestId("run").isDisabled(), false);
  await closeDrawer(page, "scenario");
});

test("without cross-origin isolation a banner says what is missing and Run is off", async () => {
  // No COOP/COEP headers and no service worker to add them (as over plain http
  // on a LAN address, where browsers refuse service workers).
  const plain = await serve(dist, { isolated: false });
  const context = await launch([], { serviceWorkers: "block" });
  const other = await context.newPage();
  try {
    await other.goto(plain.url);
    const banner = other.getByTestId("not-isolated");
    await banner.waitFor();
    assert.match(await banner.innerText(), /not cross-origin isolated/);
    assert.match(await banner.innerText(), /What still works/);
    assert.equal(await other.getByTestId("run").isDisabled(), true);
  } finally {
    await context.close();
    plain.server.close();
  }
});

test("without OPFS a banner says runs use shared memory, and a run still works", async () => {
  const other = await browser.newPage();
  try {
    await other.addInitScript(() => {
      Object.defineProperty(StorageManager.prototype, "getDirectory", { value: undefined });
    });
    await other.goto(site.url);
    const banner = other.getByTestId("no-opfs");
    await banner.waitFor();
    assert.match(await banner.innerText(), /no Origin Private File System/);
    assert.match(await banner.innerText(), /SharedArrayBuffers/);
    const report = await other.evaluate(() => window.locklab.run({ workers: 2, jobs: 20, work_ms: 0 }));
    assert.match(report.vfs, /SharedArrayBuffer/);
    assert.equal(report.jobs.done, 20);
  } finally {
    await other.close();
  }
});

test("with cross-origin isolation and OPFS there is no banner", async () => {
  assert.equal(await page.getByTestId("no-opfs").count(), 0);
  assert.equal(await page.getByTestId("not-isolated").count(), 0);
});

test("the lanes appear and grow, and the metrics fill in, while the run goes on", async () => {
  await page.getByTestId("preset").selectOption("timeout-outlasted");
  await openDrawer(page, "scenario");
  await page.locator("#field-jobs").fill("80");
  await closeDrawer(page, "scenario");
  await page.getByTestId("run").click();
  const live = page.getByTestId("run-running");
  const view = live.getByTestId("timeline-view");
  const running = '[data-testid="run-running"] ';
  await page.waitForFunction((running) => Number(document.querySelector(running + '[data-testid="timeline-view"]')?.dataset.lanes) === 4, running, { timeout: 30_000 });
  const filling = await page.waitForFunction((running) => {
    const done = document.querySelector(running + '[data-testid="jobs-done"]');
    return done && !done.textContent.startsWith("0 ") ? done.textContent : null;
  }, running, { timeout: 30_000 });
  assert.match(await filling.jsonValue(), /^[1-9]\d* of 80/, "jobs done so far, of those seeded");
  const first = Number(await view.getAttribute("data-events"));
  await page.waitForFunction(([running, n]) => Number(document.querySelector(running + '[data-testid="timeline-view"]')?.dataset.events) > n, [running, first], { timeout: 30_000 });
  const writeLock = (await find(page, "#e69f00", [10])) ?? (await find(page, EXCLUSIVE, [10]));
  assert.ok(writeLock, "a write lock is painted while the run goes on");
  await page.getByTestId("run-report").waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId("timeline-view").getAttribute("data-lanes"), "4");
  assert.match(await page.getByTestId("jobs").innerText(), /^80 of 80 done/);
});

// A worker waiting in SQLite's busy handler is inside one step for as long as the
// holder keeps the lock (here a 3 s transaction): its events still reach the page
// as it waits, not only when the step ends.
test("a worker waiting in the busy handler streams its waits while the holder works", async () => {
  const scenario = { workers: 2, jobs: 2, transaction: "long", begin: "immediate", journal_mode: "wal",
    busy_timeout_ms: 20000, work_ms: 3000 };
  await page.evaluate((s) => {
    window.waitingRun = window.locklab.run(s, { storage: "memory" });
  }, scenario);
  const progress = () => page.evaluate(async () => (await window.locklab.progress())[0] ?? null);
  // The two workers' first batches make two or three rises of the count; a
  // waiting worker that posts as it waits makes many more before the first job
  // is done.
  await eventually(() => page.evaluate(async () => (await window.locklab.progress()).length > 0),
    { what: "the run in progress", timeout: 30_000 });
  let [events, rises] = [0, 0];
  while (rises < 6) {
    const now = await progress();
    assert.ok(now, "the run is in progress");
    assert.equal(now.jobs_done, 0, `the count rose ${rises} times, to ${events} events, before the first job was done`);
    if (now.events > events) [events, rises] = [now.events, rises + 1];
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const report = await page.evaluate(() => window.waitingRun);
  assert.equal(report.jobs.done, 2);
  assert.ok(report.busy_wait_ms >= 2000, `busy wait ${report.busy_wait_ms} ms`);
});

test("Stop ends a run whose workers wait on locks, and the page says it was stopped", async () => {
  await page.getByTestId("preset").selectOption("busy-timeout");
  await openDrawer(page, "scenario");
  await page.locator("#field-jobs").fill("5000");
  await closeDrawer(page, "scenario");
  await page.getByTestId("run").click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="run-running"] [data-testid="metrics"]')?.dataset.done) > 0, null, { timeout: 30_000 });
  await page.getByTestId("stop").click();
  const report = page.getByTestId("run-report");
  await report.waitFor({ timeout: 10_000 });
  assert.equal(await report.getAttribute("data-outcome"), "stopped");
  assert.match(await report.locator("h2").innerText(), /The run: stopped/);
  assert.match(await page.getByTestId("jobs").innerText(), /^\d+ of 5000 done, 0 double-claimed, 0 lost$/);
  assert.equal(await page.getByTestId("integrity").innerText(), "ok");
});

test("the live metrics end where the report begins: same clock, same numbers", async () => {
  await page.getByTestId("preset").selectOption("busy-timeout");
  await openDrawer(page, "scenario");
  await page.locator("#field-jobs").fill("150");
  await closeDrawer(page, "scenario");
  // Remember the last numbers the live view showed before the report replaced it.
  await page.evaluate(() => {
    window.lastLive = null;
    const watch = () => {
      const live = document.querySelector('[data-testid="run-running"] [data-testid="metrics"]');
      if (live) window.lastLive = live.innerText;
    };
    new MutationObserver(watch).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.getByTestId("run").click();
  await page.getByTestId("run-report").waitFor({ timeout: 60_000 });
  const live = await page.evaluate(() => window.lastLive);
  const final = await page.getByTestId("run-report").getByTestId("metrics").innerText();
  assert.match(final, /150 of 150/);
  assert.equal(live, final, "the live panel's last numbers are the report's");
});
