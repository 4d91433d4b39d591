// Benchmark, not a test: main-thread frame times of the page (1) while 16 workers
// stream events into the live timeline, and (2) while zooming and panning the
// timeline of the finished run (100k+ events). Needs `trunk build --release` first.
//
// A frame time is the interval between two requestAnimationFrame callbacks: at
// 60 Hz it is 16.7 ms when the main thread keeps up. Long tasks (over 50 ms) are
// counted too, and the main thread's own busy time comes from Chromium's metrics,
// to tell the page's work apart from the workers starving it of a core.
//
// The last line printed is one JSON object for scripts/bench-all.sh:
// {"streaming": {"p50", "p95", "max", "long_tasks", "longest_ms"},
//  "zoom_pan": {"p50", "p95", "max"}}, times in ms. DIST=dir measures another
// build of the page (e.g. one kept from before a change).
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { openDrawer, closeDrawer } from "./session.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const site = await serve(process.env.DIST ?? join(root, "dist"));
const browser = await launch();
const page = await browser.newPage();
await page.goto(site.url);
const cdp = await page.context().newCDPSession(page);
await cdp.send("Performance.enable");
const busy = async () => {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return metrics.find((m) => m.name === "TaskDuration").value * 1000;
};

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const figures = (xs) => ({ p50: pct(xs, 0.5), p95: pct(xs, 0.95), max: Math.max(...xs) });
const summary = (xs) =>
  `n=${xs.length} p50 ${pct(xs, 0.5).toFixed(1)} ms, p95 ${pct(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;

await page.evaluate(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries()))
    .observe({ type: "longtask" });
});

// 1. Frame times while 16 workers stream.
const workers = process.env.WORKERS ?? "16";
await page.getByTestId("preset").selectOption("short-transactions");
await openDrawer(page, "scenario");
await page.locator("#field-workers").fill(workers);
await page.locator("#field-jobs").fill("4000");
await page.locator("#field-work_ms").fill("0,4");
await closeDrawer(page, "scenario");
await page.evaluate(() => {
  window.__frames = [];
  let last = performance.now();
  const tick = (now) => {
    window.__frames.push(now - last);
    last = now;
    if (!document.querySelector('[data-testid="run-report"]')) requestAnimationFrame(tick);
    else window.__reportAt = now;
  };
  requestAnimationFrame(tick);
});
const busyBefore = await busy();
const started = Date.now();
await page.getByTestId("run").click();
await page.getByTestId("run-report").waitFor({ timeout: 300_000 });
const wall = Date.now() - started;
const busyDuring = (await busy()) - busyBefore;
const streaming = await page.evaluate(() => window.__frames.slice(2));
// Each long task: how long, and how long before the finished run showed.
const longTasks = await page.evaluate(() =>
  window.__longTasks.splice(0).map((e) => [e.duration, window.__reportAt - e.startTime]));
console.log(`${workers} workers streaming: frames ${summary(streaming)}`);
console.log(`  main thread busy ${(busyDuring / 1000).toFixed(1)} s of ${(wall / 1000).toFixed(1)} s; ` +
  `${longTasks.length} long tasks: ` +
  longTasks.map(([d, before]) => `${d.toFixed(0)} ms, ${before.toFixed(0)} ms before the report showed`).join("; "));

// 2. Zoom and pan over the finished run's timeline: one action every frame.
const report = await page.getByTestId("jobs").innerText();
const events = await page.getByTestId("timeline-view").getAttribute("data-events");
await page.getByTestId("timeline-canvas").scrollIntoViewIfNeeded();
const interacting = await page.evaluate(async () => {
  const labels = ["Zoom in", "Zoom in", "Later", "Earlier", "Zoom out", "Zoom out"];
  const buttons = labels.map((label) =>
    [...document.querySelectorAll('[data-testid="run-report"] .timeline-view button')]
      .find((b) => b.getAttribute("aria-label") === label));
  const frames = [];
  let last = performance.now();
  await new Promise((resolve) => {
    let i = 0;
    const tick = (now) => {
      frames.push(now - last);
      last = now;
      if (i === 60) return resolve();
      buttons[i++ % buttons.length].click();
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return frames.slice(1);
});
console.log(`run: ${report}; ${events} trace events in the timeline`);
console.log(`zoom/pan, one action per frame: frames ${summary(interacting)}`);
await browser.close();
site.server.close();
console.log(JSON.stringify({
  streaming: {
    ...figures(streaming),
    long_tasks: longTasks.length,
    longest_ms: Math.max(0, ...longTasks.map(([d]) => d)),
  },
  zoom_pan: figures(interacting),
}));
