// Profile, not a test: what the page's long tasks (over 50 ms) are made of while
// 16 workers stream into the live timeline (bench-frames.mjs's run), from a
// Chromium trace taken over CDP. For each long task on the page's main thread:
// when it began (ms after Run was clicked), how long it took, and the trace
// events inside it by name (Layout, Paint, FunctionCall, ...), longest first.
// ZOOM=1 profiles zooming and panning the finished run instead; REPLAY=speed
// (a label of the replay's speeds: 1/50 ... 1x) its replay at that speed for
// FRAMES frames (120) from the middle of the run; COMPARE=1 zooming and panning
// a comparison's two timelines (the knobs' scenario against a copy in rollback
// mode), A's buttons and B's in turn; LONG=ms sets the length from which a task
// is listed (50, or 10 with ZOOM, REPLAY or COMPARE). TRACE=file keeps the
// whole trace (open it in Chromium's Performance panel or Perfetto). DIST=dir
// profiles another build of the page. SAMPLES=1 adds a CPU profile: for each
// task, the functions its samples were in (inclusive ms, TOP=n of them, ONLY=text
// those whose name holds it, e.g. ONLY=locklab); the wasm's function names are
// there in a build without wasm-opt (`data-wasm-opt="0"` on index.html's rust
// links, `trunk build --release --dist elsewhere`).
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { writeFile } from "node:fs/promises";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { openDrawer, closeDrawer } from "./session.mjs";
import { ready } from "./wait.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const site = await serve(process.env.DIST ?? join(root, "dist"));
const browser = await launch();
const page = await browser.newPage();
// A lesson of one run (the first visit's own lesson is a comparison: two runs).
await page.goto(`${site.url}#lesson=wall-of-red`);
await ready(page);
const cdp = await page.context().newCDPSession(page);

const events = [];
cdp.on("Tracing.dataCollected", ({ value }) => events.push(...value));
const sampling = process.env.SAMPLES === "1";
let profile = null;
const traced = async (during) => {
  if (sampling) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
  }
  await cdp.send("Tracing.start", {
    transferMode: "ReportEvents",
    traceConfig: {
      includedCategories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink"],
    },
  });
  const clicked = await during();
  const done = new Promise((resolve) => cdp.once("Tracing.tracingComplete", resolve));
  await cdp.send("Tracing.end");
  await done;
  if (sampling) profile = (await cdp.send("Profiler.stop")).profile;
  return clicked;
};

await page.getByTestId("preset").selectOption("short-transactions");
await openDrawer(page, "scenario");
await page.locator("#field-workers").fill(process.env.WORKERS ?? "16");
await page.locator("#field-jobs").fill(process.env.JOBS ?? "4000");
await page.locator("#field-work_ms").fill("0,4");
await closeDrawer(page, "scenario");

const zoom = process.env.ZOOM === "1";
const replay = process.env.REPLAY;
const comparing = process.env.COMPARE === "1";
if (comparing) {
  await page.getByTestId("compare-edited-copy").click();
  await page.locator("#b-field-journal_mode").selectOption("delete");
  await page.getByTestId("compare-run").click();
  await page.getByTestId("compared").waitFor({ timeout: 600_000 });
  await page.getByTestId("compare-timeline-a").scrollIntoViewIfNeeded();
}
if (zoom || replay) {
  await page.getByTestId("run").click();
  await page.getByTestId("run-report").waitFor({ timeout: 300_000 });
  await page.getByTestId("timeline-canvas").scrollIntoViewIfNeeded();
}
if (replay) {
  await page.getByTestId("replay-speed").selectOption({ label: replay });
  await page.evaluate(() => {
    const slider = document.querySelector('[data-testid="replay"] input[type="range"]');
    slider.value = String(Math.floor(Number(slider.max) / 2));
    slider.dispatchEvent(new Event("input", { bubbles: true }));
  });
}
const since = await traced(async () => {
  const at = await page.evaluate(() => performance.timeOrigin + performance.now());
  if (replay) {
    await page.evaluate(async (n) => {
      const play = () => document.querySelector('[data-testid="replay-play"]').click();
      play();
      for (let i = 0; i < n; i++) await new Promise((r) => requestAnimationFrame(r));
      play();
    }, Number(process.env.FRAMES ?? 120));
  } else if (zoom || comparing) {
    await page.evaluate(async (comparing) => {
      const labels = ["Zoom in", "Zoom in", "Later", "Earlier", "Zoom out", "Zoom out"];
      const views = comparing ? ["a", "b"].map((side) => `[data-testid="compare-timeline-${side}"]`)
        : ['[data-testid="run-report"]'];
      const buttons = labels.map((label, i) =>
        [...document.querySelectorAll(`${views[i % views.length]} .timeline-view button`)]
          .find((b) => b.getAttribute("aria-label") === label));
      for (let i = 0; i < 60; i++) {
        buttons[i % buttons.length].click();
        await new Promise((r) => requestAnimationFrame(r));
      }
    }, comparing);
  } else {
    await page.getByTestId("run").click();
    await page.getByTestId("run-report").waitFor({ timeout: 300_000 });
    await page.waitForTimeout(300);
  }
  return at;
});
if (process.env.TRACE) await writeFile(process.env.TRACE, JSON.stringify({ traceEvents: events }));

// The renderer's main thread: where the page's tasks run.
// (Of the renderers' main threads, the busiest: others belong to other frames.)
const busiest = events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain")
  .map((t) => ({ t, busy: events.filter((e) => e.pid === t.pid && e.tid === t.tid && e.name === "RunTask")
    .reduce((sum, e) => sum + (e.dur ?? 0), 0) }))
  .sort((a, b) => b.busy - a.busy);
const main = busiest[0].t;
const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === "X");
const over = Number(process.env.LONG ?? (zoom || replay || comparing ? 10 : 50));
const tasks = onMain.filter((e) => e.name === "RunTask" && e.dur > over * 1000);
// Trace times are µs on the monotonic clock; the click time is ms since 1970, so
// tasks are placed relative to the first task that followed it.
const t0 = Math.min(...onMain.map((e) => e.ts));
const what = replay ? `replay at ${replay}` : comparing ? "a comparison's zoom and pan" : zoom ? "zoom and pan" : "streaming";
console.log(`${tasks.length} tasks over ${over} ms (${what}; click at ${since.toFixed(0)})`);
for (const task of tasks) {
  const inside = onMain.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur);
  const by = new Map();
  for (const e of inside) {
    const name = e.name === "FunctionCall" ? `FunctionCall ${e.args?.data?.functionName || "?"}` : e.name;
    by.set(name, (by.get(name) ?? 0) + e.dur);
  }
  const top = [...by].sort((a, b) => b[1] - a[1]).slice(0, 9)
    .map(([name, us]) => `${name} ${(us / 1000).toFixed(1)}`).join(", ");
  console.log(`  at ${((task.ts - t0) / 1000).toFixed(0)} ms: ${(task.dur / 1000).toFixed(1)} ms: ${top}`);
  if (profile) console.log(`    functions (inclusive ms): ${heaviest(task.ts, task.ts + task.dur)}`);
}
await browser.close();
site.server.close();

// With SAMPLES=1 (a build whose wasm keeps its names): the functions the CPU
// profile's samples inside [from, to) (trace µs) were in, inclusive, heaviest first.
function heaviest(from, to) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i];
    if (t < from || t >= to) return;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const name = byId.get(n).callFrame.functionName || "(anonymous)";
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
    }
  });
  const only = process.env.ONLY ?? "";
  return [...inclusive].filter(([name]) => !name.startsWith("(") && name.includes(only)).sort((a, b) => b[1] - a[1])
    .slice(0, Number(process.env.TOP ?? 30)).map(([name, us]) => `${name.slice(0, 90)} ${(us / 1000).toFixed(1)}`).join("; ");
}
