// Benchmark, not a test: main-thread frame times of the page (1) while 16 workers
// stream events into the live timeline, and (2) while zooming and panning the
// timeline of a finished run of 100k+ events. Needs `trunk build --release` first.
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const site = await serve(join(root, "dist"));
const browser = await launch();
const page = await browser.newPage();
await page.goto(site.url);

const pct = (xs, p) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const summary = (xs) =>
  `n=${xs.length} p50 ${pct(xs, 0.5).toFixed(1)} ms, p95 ${pct(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;

// 1. Frame times while 16 workers stream.
await page.getByTestId("preset").selectOption("short-transactions");
await page.locator("#field-workers").fill("16");
await page.locator("#field-jobs").fill("4000");
await page.locator("#field-work_ms").fill("0,4");
await page.evaluate(() => {
  window.__frames = [];
  let last = performance.now();
  const tick = (now) => {
    window.__frames.push(now - last);
    last = now;
    if (!document.querySelector('[data-testid="run-report"]')) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});
await page.getByTestId("run").click();
await page.getByTestId("run-report").waitFor({ timeout: 300_000 });
const streaming = await page.evaluate(() => window.__frames.slice(2));
const events = await page.evaluate(() => document.querySelectorAll(".timeline-view rect.cell").length);
console.log(`frames while 16 workers stream: ${summary(streaming)}`);

// 2. Zoom and pan over the finished run's timeline.
const report = await page.getByTestId("jobs").innerText();
const timings = [];
const svg = page.getByTestId("timeline-svg");
for (let i = 0; i < 10; i++) {
  for (const name of ["Zoom in", "Later", "Earlier", "Zoom out"]) {
    const t = await page.evaluate(async (label) => {
      const button = [...document.querySelectorAll(".timeline-view button")].find((b) => b.getAttribute("aria-label") === label);
      const start = performance.now();
      button.click();
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      return performance.now() - start;
    }, name);
    timings.push(t);
  }
}
console.log(`run: ${report}; ${events} drawn spans`);
console.log(`zoom/pan, click to the second frame after it: ${summary(timings)}`);
await browser.close();
site.server.close();
