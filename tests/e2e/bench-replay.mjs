// Benchmark, not a test: (1) frame times while a finished run of 16 workers replays
// at 1/10 of real time, and (2) the SQL console's round trip for `SELECT 1`, after
// the run. Needs `trunk build --release` first.
//
// A frame time is the interval between two requestAnimationFrame callbacks: at
// 60 Hz it is 16.7 ms when the main thread keeps up.
import { openPage, openDrawer, closeDrawer } from "./session.mjs";

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const summary = (xs, unit = "ms") =>
  `n=${xs.length} p50 ${pct(xs, 0.5).toFixed(2)} ${unit}, p95 ${pct(xs, 0.95).toFixed(2)} ${unit}, max ${Math.max(...xs).toFixed(2)} ${unit}`;

const { pages: [page], close } = await openPage();
await page.getByTestId("preset").selectOption("short-transactions");
await openDrawer(page, "scenario");
await page.locator("#field-workers").fill(process.env.WORKERS ?? "16");
await page.locator("#field-jobs").fill("4000");
await page.locator("#field-work_ms").fill("0,4");
await closeDrawer(page, "scenario");
await page.getByTestId("run").click();
await page.getByTestId("run-report").waitFor({ timeout: 300_000 });
const events = await page.getByTestId("timeline-view").first().getAttribute("data-events");

for (const label of ["1/10", "1x"]) {
  await page.getByTestId("replay-speed").selectOption({ label });
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (window.__frames.length < 240) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.getByTestId("replay-play").click();
  await page.waitForFunction(() => window.__frames.length >= 240, null, { timeout: 60_000 });
  await page.getByTestId("replay-play").click();
  const frames = await page.evaluate(() => window.__frames.slice(2));
  console.log(`replay at ${label}, ${events} events, 16 lanes: frame ${summary(frames)}`);
  await page.locator("body").press("Home");
}

const trips = await page.evaluate(async () => {
  const out = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    await window.locklab.sql("SELECT 1");
    out.push(performance.now() - t);
  }
  return out;
});
console.log(`console SELECT 1 round trip (after the first, which starts its worker): ${summary(trips.slice(1))}; first ${trips[0].toFixed(1)} ms`);
await close();
