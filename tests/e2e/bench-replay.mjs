// Benchmark, not a test: (1) frame times while a finished run of 16 workers
// replays, at every speed the page offers, played from the run's start and from
// its middle; (2) frame times while a comparison's two timelines (two such runs)
// are zoomed and panned, one action per frame, alternating between the two; and
// (3) the SQL console's round trip for `SELECT 1`, after the run. Needs
// `trunk build --release` (./scripts/dist.sh) first.
//
// A frame time is the interval between two requestAnimationFrame callbacks: at
// 60 Hz it is 16.7 ms when the main thread keeps up. While replaying, every frame
// of the measure moves the playhead (a replay that reaches the end is played
// again from the start, as ▶ Replay does).
//
// The last line printed is one JSON object: {"events", "replay": {speed: {"n",
// "p50", "p95", "max"}}, "compare": {"events": [a, b], "zoom_pan": {...}},
// "console": {...}}, times in ms. WORKERS (16), JOBS (4400: about 180,000
// events), FRAMES per speed and start (240), ONLY=replay or ONLY=compare to
// measure one part, DIST=dir another build of the page.
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { ready } from "./wait.mjs";
import { openDrawer, closeDrawer } from "./session.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const only = process.env.ONLY ?? "";
const FRAMES = Number(process.env.FRAMES ?? 240);

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const figures = (xs) => ({ n: xs.length, p50: pct(xs, 0.5), p95: pct(xs, 0.95), max: Math.max(...xs) });
const summary = (xs, unit = "ms") =>
  `n=${xs.length} p50 ${pct(xs, 0.5).toFixed(2)} ${unit}, p95 ${pct(xs, 0.95).toFixed(2)} ${unit}, max ${Math.max(...xs).toFixed(2)} ${unit}`;

const site = await serve(process.env.DIST ?? join(root, "dist"));
const browser = await launch();
const page = await browser.newPage();
page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
await page.goto(`${site.url}#lesson=wall-of-red`);
await ready(page);

// The knobs: short transactions, 16 workers, 4,000 jobs of 0 to 4 ms work.
await page.getByTestId("preset").selectOption("short-transactions");
await openDrawer(page, "scenario");
await page.locator("#field-workers").fill(process.env.WORKERS ?? "16");
await page.locator("#field-jobs").fill(process.env.JOBS ?? "4400");
await page.locator("#field-work_ms").fill("0,4");
await closeDrawer(page, "scenario");

const out = {};

if (only !== "compare") {
  await page.getByTestId("run").click();
  await page.getByTestId("run-report").waitFor({ timeout: 300_000 });
  const events = Number(await page.getByTestId("timeline-view").first().getAttribute("data-events"));
  const lanes = Number(await page.getByTestId("timeline-view").first().getAttribute("data-lanes"));
  const endUs = Number(await page.locator('[data-testid="replay"] input[type="range"]').getAttribute("max"));
  await page.getByTestId("replay").scrollIntoViewIfNeeded();
  const speeds = await page.getByTestId("replay-speed").locator("option").allInnerTexts();
  console.log(`run: ${events} trace events, ${lanes} lanes, ${(endUs / 1000).toFixed(0)} ms`);
  out.events = events;
  out.replay = {};
  for (const label of speeds) {
    const all = [];
    const parts = [];
    for (const [start, from] of [["start", 0], ["middle", Math.floor(endUs / 2)]]) {
      await page.getByTestId("replay-speed").selectOption({ label });
      // The slider puts the playhead where the replay starts (and pauses it).
      await page.evaluate((t) => {
        const slider = document.querySelector('[data-testid="replay"] input[type="range"]');
        slider.value = String(t);
        slider.dispatchEvent(new Event("input", { bubbles: true }));
      }, from);
      await page.waitForFunction((t) => Number(document.querySelector('[data-testid="replay"]').dataset.playheadUs) === t, from);
      const { frames, again } = await page.evaluate(async (n) => {
        const replay = document.querySelector('[data-testid="replay"]');
        const play = () => document.querySelector('[data-testid="replay-play"]').click();
        const frames = [];
        let again = 0;
        play();
        let last = performance.now();
        await new Promise((resolve) => {
          const tick = (now) => {
            frames.push(now - last);
            last = now;
            if (frames.length >= n) return resolve();
            // At the end the replay pauses: play it again, from the start.
            if (replay.dataset.playing !== "true") {
              play();
              again++;
            }
            requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        });
        if (replay.dataset.playing === "true") play();
        return { frames: frames.slice(2), again };
      }, FRAMES);
      all.push(...frames);
      parts.push(`from the ${start} ${pct(frames, 0.95).toFixed(1)}${again ? ` (played again ${again}x)` : ""}`);
    }
    out.replay[label] = figures(all);
    console.log(`replay at ${label.padEnd(4)}: frame ${summary(all)}; p95 ${parts.join(", ")}`);
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
  out.console = { ...figures(trips.slice(1)), first: trips[0] };
}

if (only !== "replay") {
  // A comparison of the knobs' scenario (A) with a copy in rollback mode (B).
  await page.getByTestId("compare-edited-copy").click();
  await page.locator("#b-field-journal_mode").selectOption("delete");
  await page.getByTestId("compare-run").click();
  await page.getByTestId("compared").waitFor({ timeout: 600_000 });
  const view = page.getByTestId("compared");
  const events = await Promise.all(["a", "b"].map((side) =>
    view.getByTestId(`compare-timeline-${side}`).getByTestId("timeline-view").getAttribute("data-events").then(Number)));
  await view.getByTestId("compare-timeline-a").scrollIntoViewIfNeeded();
  const frames = await page.evaluate(async () => {
    const labels = ["Zoom in", "Zoom in", "Later", "Earlier", "Zoom out", "Zoom out"];
    const lanes = ["a", "b"].map((side) => document.querySelector(`[data-testid="compare-timeline-${side}"]`));
    const button = (lane, label) => [...lane.querySelectorAll(".timeline-view button")]
      .find((b) => b.getAttribute("aria-label") === label);
    const frames = [];
    let last = performance.now();
    await new Promise((resolve) => {
      let i = 0;
      const tick = (now) => {
        frames.push(now - last);
        last = now;
        if (i === 120) return resolve();
        // Alternately A's buttons and B's: the other timeline follows each time.
        button(lanes[i % 2], labels[i % labels.length]).click();
        i++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    return frames.slice(1);
  });
  console.log(`comparison: ${events[0]} and ${events[1]} trace events`);
  console.log(`comparison zoom/pan, one action per frame, both timelines: frames ${summary(frames)}`);
  out.compare = { events, zoom_pan: figures(frames) };
}

await browser.close();
site.server.close();
console.log(JSON.stringify(out));
