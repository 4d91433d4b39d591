// The built page in headless Chromium: it is cross-origin isolated, and a Web Worker
// opens SQLite through rusqlite and runs the job-queue engine to a full report. The
// check is at #pipeline (in the About drawer), not on the learner's page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { ready } from "./wait.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "..", "dist");
const artifacts = join(here, "artifacts");
let site, browser;

before(async () => {
  site = await serve(dist);
  browser = await launch();
  await mkdir(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  site?.server.close();
});

test("a Web Worker runs real SQLite through rusqlite and reports every job done", async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  // The developers' check lives off the learner's page: #pipeline opens it (in About).
  await page.goto(`${site.url}#pipeline`);
  await page.getByTestId("drawer-about").waitFor();

  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  await page.getByTestId("capabilities").getByText("yes: cross-origin isolation").waitFor();

  await page.getByTestId("run-check").click();
  const report = page.getByTestId("check-report");
  await report.waitFor({ timeout: 60_000 });
  assert.equal(await report.getAttribute("data-seeded"), "40");
  assert.equal(await report.getAttribute("data-done"), "40");
  assert.equal(await report.getAttribute("data-integrity"), "ok");
  assert.match(await report.getAttribute("data-sqlite"), /^3\.\d+\.\d+$/);
  assert.match(await report.innerText(), /0 double-claimed, 0 lost/);

  await page.getByTestId("drawer-about").screenshot({ path: join(artifacts, "pipeline-check.png") });
  assert.deepEqual(problems, []);
});

test("the learner's page has no pipeline check, only a link to it in About", async () => {
  const page = await browser.newPage();
  await page.goto(site.url);
  await ready(page);
  assert.equal(await page.getByTestId("run-check").count(), 0);
  await page.getByTestId("open-about").click();
  await page.getByTestId("pipeline-link").click();
  await page.getByTestId("run-check").waitFor();
  assert.match(page.url(), /[#&]pipeline$/);
});
