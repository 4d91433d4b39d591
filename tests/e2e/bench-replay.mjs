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
// again from the start, as ▶ Replay does). Beside the frames, the page's main
// thread's own time a frame (the CPU time Linux counts for the renderer's main
// thread, in 10 ms ticks, over the whole measure): on a machine busy with other
// work the frames are late by what the others took; that time is the page's.
//
// The last line printed is one JSON object: {"events", "replay": {speed: {"n",
// "p50", "p95", "max"}}, "compare": {"events": [a, b], "zoom_pan": {...}},
// "console": {...}}, times in ms; each measure also has "busy": the main
// thread's time a frame. WORKERS (16), JOBS (4400: about 180,000
// events), FRAMES per speed and start (240), ONLY=replay or ONLY=compare to
// measure one part, DIST=dir another build of the page.
import { readFile, readdir } from "node:fs/promises";
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

/** The CPU time (ms) so far of the main thread of each renderer process of
 *  this browser (the processes descending from the one given its profile). */
async function renderersCpu() {
  const stats = new Map();
  for (const pid of (await readdir("/proc")).filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      // After the name in parentheses: state, ppid, ... utime (14th), stime (15th).
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8");
      stats.set(pid, { ppid: fields[1], ticks: Number(fields[11]) + Number(fields[12]), cmdline });
    } catch {
      // Gone meanwhile.
    }
  }
  const ours = new Set([...stats].filter(([, s]) => s.cmdline.includes(browser.profile) &&
    !s.cmdline.includes("--type=")).map(([pid]) => pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, s] of stats) {
      if (!ours.has(pid) && ours.has(s.ppid)) grew = ours.add(pid);
    }
  }
  const cpu = new Map();
  for (const pid of ours) {
    if (!stats.get(pid).cmdline.includes("--type=renderer")) continue;
    try {
      // The process's main thread is the task of its own id.
      const stat = await readFile(`/proc/${pid}/task/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) * (1000 / TICKS_PER_S));
    } catch {
      // Gone meanwhile.
    }
  }
  return cpu;
}
const TICKS_PER_S = 100;

/** Run `frames` in the page (it resolves to the frame times, or to an object
 *  with them as `frames`); resolves to what it resolved to (`frames`) and the
 *  page's main thread's CPU time a frame (`busy`): of the renderers' main
 *  threads, the one that ran most meanwhile. */
async function measured(frames, arg) {
  const before = await renderersCpu();
  const times = await page.evaluate(frames, arg);
  const after = await renderersCpu();
  const ran = Math.max(0, ...[...after].map(([pid, ms]) => ms - (before.get(pid) ?? ms)));
  const count = (times.frames ?? times).length;
  return { frames: times, busy: ran / Math.max(1, count) };
}

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
    const busies = [];
    for (const [start, from] of [["start", 0], ["middle", Math.floor(endUs / 2)]]) {
      await page.getByTestId("replay-speed").selectOption({ label });
      // The slider puts the playhead where the replay starts (and pauses it).
      await page.evaluate((t) => {
        const slider = document.querySelector('[data-testid="replay"] input[type="range"]');
        slider.value = String(t);
        slider.dispatchEvent(new Event("input", { bubbles: true }));
      }, from);
      await page.waitForFunction((t) => Number(document.querySelector('[data-testid="replay"]').dataset.playheadUs) === t, from);
      const { frames: { frames, again }, busy } = await measured(async (n) => {
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
      busies.push(busy);
      parts.push(`from the ${start} ${pct(frames, 0.95).toFixed(1)}${again ? ` (played again ${again}x)` : ""}`);
    }
    const busy = busies.reduce((a, b) => a + b, 0) / busies.length;
    out.replay[label] = { ...figures(all), busy };
    console.log(`replay at ${label.padEnd(4)}: frame ${summary(all)}; p95 ${parts.join(", ")}; ` +
      `main thread ${busy.toFixed(1)} ms a frame`);
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
  const { frames, busy } = await measured(async () => {
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
  console.log(`comparison zoom/pan, one action per frame, both timelines: frames ${summary(frames)}; ` +
    `main thread ${busy.toFixed(1)} ms a frame`);
  out.compare = { events, zoom_pan: { ...figures(frames), busy } };
}

await browser.close();
site.server.close();
console.log(JSON.stringify(out));
