// The page as a person uses it: pick a lesson, press Run, read what happened.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "..", "dist");
const artifacts = join(here, "artifacts");
let site, browser, page;

before(async () => {
  site = await serve(dist);
  browser = await launch();
  page = await browser.newPage();
  await mkdir(artifacts, { recursive: true });
  await page.goto(site.url);
});

after(async () => {
  await browser?.close();
  site?.server.close();
});

test("the default lesson runs from the Run button and shows the wall of red", async () => {
  await page.getByTestId("run").click();
  const report = page.getByTestId("run-report");
  await report.waitFor({ timeout: 60_000 });
  assert.equal(await report.getAttribute("data-outcome"), "completed");
  assert.match(await page.getByTestId("jobs").innerText(), /^60 of 60 done, 0 double-claimed, 0 lost$/);
  assert.match(await page.getByTestId("errors").innerText(), /SQLITE_BUSY x\d+/);
  const lanes = (await page.getByTestId("timeline").textContent()).trim().split("\n");
  assert.equal(lanes.length, 4, "one lane per worker in the text timeline");
  assert.ok(lanes.some((lane) => lane.includes("!")), "errors are marked on the lanes");
  const svg = page.getByTestId("timeline-svg");
  assert.equal(await svg.locator("g.lane").count(), 4, "one SVG lane per worker");
  assert.ok((await svg.locator("rect.cell.error").count()) > 0, "errors drawn as marks");
  assert.ok((await svg.locator("rect.cell.EXCLUSIVE").count()) > 0, "EXCLUSIVE drawn");
  const title = await svg.locator("rect.cell.EXCLUSIVE title").first().textContent();
  assert.match(title, /EXCLUSIVE from [\d.]+ to [\d.]+ ms/);
  const shown = () => svg.locator(".zoom .muted").innerText();
  const before = await shown();
  await svg.getByRole("button", { name: "Zoom in" }).click();
  assert.notEqual(await shown(), before, "zooming changes the window");
  await svg.getByRole("button", { name: "Whole run" }).click();
  assert.equal(await shown(), before);
  await page.getByText("SQLITE_BUSY", { exact: true }).click();
  await page.getByText("Waiting helps").waitFor();
  await page.screenshot({ path: join(artifacts, "wall-of-red.png"), fullPage: true });
});

test("invalid input is refused at the field and Run stays disabled", async () => {
  const workers = page.locator("#field-workers");
  await workers.fill("40");
  const field = page.getByTestId("field-workers");
  await field.getByRole("alert").waitFor();
  assert.match(await field.getByRole("alert").innerText(), /from 1 to 16, got 40/);
  assert.equal(await page.getByTestId("run").isDisabled(), true);
  await workers.fill("3");
  assert.equal(await page.getByTestId("run").isDisabled(), false);
});

test("without cross-origin isolation a banner says what is missing and Run is off", async () => {
  const plain = await serve(dist, { isolated: false });
  const other = await browser.newPage();
  try {
    await other.goto(plain.url);
    const banner = other.getByTestId("not-isolated");
    await banner.waitFor();
    assert.match(await banner.innerText(), /not cross-origin isolated/);
    assert.match(await banner.innerText(), /What still works/);
    assert.equal(await other.getByTestId("run").isDisabled(), true);
  } finally {
    await other.close();
    plain.server.close();
  }
});

test("with cross-origin isolation there is no banner", async () => {
  assert.equal(await page.getByTestId("not-isolated").count(), 0);
});

test("the timeline grows while the run goes on", async () => {
  await page.getByTestId("preset").selectOption("timeout-outlasted");
  await page.getByTestId("run").click();
  const live = page.getByTestId("run-running");
  await live.locator("g.lane").first().waitFor({ timeout: 30_000 });
  const lanesWhileRunning = await live.locator("g.lane").count();
  assert.ok(lanesWhileRunning >= 1, "lanes appear before the run ends");
  assert.match(await page.getByTestId("live-numbers").innerText(), /jobs done so far/);
  assert.equal(await page.getByTestId("run-report").count(), 0, "the run is still going");
  await page.getByTestId("run-report").waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId("timeline-svg").locator("g.lane").count(), 4);
});
