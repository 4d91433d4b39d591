// Benchmark, not a test: a million-job run in the page (short IMMEDIATE
// transactions, WAL, no work, 8 workers), started with the page's Run button
// as a person would. While it runs, the page's memory and each Web Worker's are
// sampled through the DevTools protocol; once the report shows, the finished
// run's timeline is zoomed and panned, one action a frame, and the frame times
// measured. The last line printed is one JSON object for scripts/bench-all.sh.
//
//   node tests/e2e/bench-million.mjs
//   env: JOBS (1000000), WORKERS (8), STORAGE (memory | opfs; memory by
//   default: the page falls back to it when it cannot share OPFS, and this
//   script hides OPFS from the page to get it), DIST (a built page, default
//   dist/; an older build works too, with null for what it cannot say),
//   TIMEOUT_S (the run's limit; default 600 s plus 1 s per 1000 jobs),
//   SAMPLE_MS (2000).
//
// Memory, per JavaScript context: the V8 heap in use (Runtime.getHeapUsage)
// plus the byte length of every WebAssembly.Memory in it (found with
// Runtime.queryObjects). The page's figure leaves out the SharedArrayBuffers
// that hold the database's files with memory storage: they are reported apart
// (shared_mb). Workers are reached with Target.setAutoAttach on the page; a
// worker busy in SQLite answers seconds late, so its figure is its latest
// answer. The resident memory of the renderer process, which holds the page and
// its workers, is read from /proc as a check on both (renderer_rss_peak_mb).
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { readdirSync, readFileSync } from "node:fs";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { ready } from "./wait.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const JOBS = Number(process.env.JOBS ?? 1_000_000);
const WORKERS = Number(process.env.WORKERS ?? 8);
const STORAGE = process.env.STORAGE ?? "memory";
const TIMEOUT_S = Number(process.env.TIMEOUT_S ?? 600 + JOBS / 1000);
const SAMPLE_MS = Number(process.env.SAMPLE_MS ?? 2000);
const MB = (bytes) => bytes / 1048576;
const round = (x, digits = 1) => (x == null ? null : Number(x.toFixed(digits)));

const figures = {
  jobs: JOBS, storage: STORAGE, wall_s: null, jobs_per_s: null, page_peak_mb: null,
  worker_peak_mb: null, renderer_rss_peak_mb: null, shared_mb: null, events: null, frame_p95_ms: null,
  exactly_once: null, integrity: null, outcome: null, over_budget: null,
};
const finish = async (code, why) => {
  if (why) console.log(why);
  console.log(JSON.stringify(figures));
  await browser?.close().catch(() => {});
  site?.server.close();
  process.exit(code);
};

const site = await serve(process.env.DIST ?? join(root, "dist"));
const browser = await launch();
const page = await browser.newPage();
if (STORAGE === "memory") {
  // The page keeps runs in OPFS where it can share it between workers, else in
  // SharedArrayBuffers: without OPFS on the page, runs use memory.
  await page.addInitScript(() => {
    if (globalThis.StorageManager) delete StorageManager.prototype.getDirectory;
  });
}
page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
await page.goto(site.url);
await ready(page);

// The DevTools protocol: the page's own session, and one per Web Worker.
const cdp = await browser.newCDPSession(page);
const workers = new Map();
let nextId = 0;
const answers = new Map();
cdp.on("Target.attachedToTarget", (e) => {
  if (e.targetInfo.type === "worker") workers.set(e.sessionId, { last: null });
});
cdp.on("Target.detachedFromTarget", (e) => workers.delete(e.sessionId));
cdp.on("Target.receivedMessageFromTarget", (e) => {
  const m = JSON.parse(e.message);
  answers.get(m.id)?.(m.result ?? null);
  answers.delete(m.id);
});
await cdp.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
const within = (promise, ms) => Promise.race([promise, new Promise((r) => setTimeout(() => r(null), ms))]);
const toWorker = (sessionId) => (method, params = {}) => within(new Promise((resolve) => {
  const id = ++nextId;
  answers.set(id, resolve);
  cdp.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) })
    .catch(() => resolve(null));
}), 60_000);
// The page's answers are bounded too: a question the page never answers (seen
// once, before the run's first figures) must not hold the benchmark up forever.
const toPage = (method, params = {}) => within(cdp.send(method, params).catch(() => null), 60_000);

/** Bytes of every object of `constructor` in a context, as `length` reads them. */
async function sizes(send, constructor, length) {
  const proto = await send("Runtime.evaluate", { expression: `${constructor}.prototype`, objectGroup: "bench" });
  if (!proto?.result?.objectId) return null;
  const found = await send("Runtime.queryObjects", { prototypeObjectId: proto.result.objectId, objectGroup: "bench" });
  if (!found?.objects?.objectId) return null;
  const sum = await send("Runtime.callFunctionOn", {
    objectId: found.objects.objectId, returnByValue: true,
    functionDeclaration: `function () { return this.reduce((s, o) => s + o.${length}, 0); }`,
  });
  await send("Runtime.releaseObjectGroup", { objectGroup: "bench" });
  return sum?.result?.value ?? null;
}

/** A context's memory in bytes: its V8 heap in use and its wasm memories. */
async function memory(send) {
  const heap = await send("Runtime.getHeapUsage");
  if (!heap) return null;
  const wasm = await sizes(send, "WebAssembly.Memory", "buffer.byteLength");
  return { heap: heap.usedSize, wasm: wasm ?? 0 };
}

/** The resident memory of this browser's renderer processes (the page and its
 *  Web Workers share one), from /proc: Chromium is this script's child. Null
 *  where there is no /proc. */
function rendererRss() {
  try {
    const procs = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
        return { pid: Number(pid), ppid, cmd, rss };
      } catch {
        return null;
      }
    }).filter(Boolean);
    const ours = new Set([process.pid]);
    for (let grew = true; grew;) {
      grew = false;
      for (const p of procs) if (!ours.has(p.pid) && ours.has(p.ppid)) ours.add(p.pid), grew = true;
    }
    return procs.filter((p) => ours.has(p.pid) && p.cmd.includes("--type=renderer")).reduce((n, p) => n + p.rss, 0);
  } catch {
    return null;
  }
}

let pagePeak = 0, workerPeak = 0, sharedPeak = 0, rendererPeak = 0;
// A worker busy in SQLite answers the protocol late (seconds): each is asked on
// its own, at most one question at a time, and its latest answer is kept.
const asking = new Set();
function askWorker(id) {
  if (asking.has(id)) return;
  asking.add(id);
  memory(toWorker(id)).then((m) => {
    asking.delete(id);
    const w = workers.get(id);
    if (m && w) {
      w.last = m.heap + m.wasm;
      workerPeak = Math.max(workerPeak, w.last);
    }
  });
}
async function sample() {
  for (const id of workers.keys()) askWorker(id);
  const [p, shared] = await Promise.all([
    memory(toPage),
    STORAGE === "memory" ? sizes(toPage, "SharedArrayBuffer", "byteLength") : null,
  ]);
  if (p) pagePeak = Math.max(pagePeak, p.heap + p.wasm);
  if (shared) sharedPeak = Math.max(sharedPeak, shared);
  rendererPeak = Math.max(rendererPeak, rendererRss() ?? 0);
  const seen = [...workers.values()].map((w) => w.last).filter((b) => b != null);
  return { p, seen };
}

// The run, from the Run button.
const scenario = {
  workers: WORKERS, jobs: JOBS, transaction: "short", begin: "immediate", journal_mode: "wal",
  work_ms: 0, busy_timeout_ms: 5000, time_limit_ms: 3_600_000,
};
const loaded = await within(
  page.evaluate((s) => window.locklab.load(s).then(() => "loaded", (e) => String(e)), scenario),
  60_000,
);
if (loaded === null) await finish(1, "the page did not load the scenario within 60 s");
if (loaded !== "loaded") await finish(1, `the page refused the scenario: ${loaded}`);
const started = Date.now();
await page.getByTestId("run").click();
const report = page.getByTestId("run-report");
let last = 0;
for (;;) {
  if (await report.isVisible().catch(() => false)) break;
  const s = (Date.now() - started) / 1000;
  if (s > TIMEOUT_S) {
    figures.page_peak_mb = round(MB(pagePeak));
    figures.worker_peak_mb = round(MB(workerPeak));
    figures.renderer_rss_peak_mb = rendererPeak ? round(MB(rendererPeak)) : null;
    await finish(1, `the run did not finish within ${TIMEOUT_S} s (TIMEOUT_S): giving up`);
  }
  const { p, seen } = await sample();
  if (s - last >= 10) {
    last = s;
    const progress = await within(page.evaluate(() => window.locklab.progress()), 5000) ?? [];
    const { events, jobs_done } = progress[0] ?? {};
    console.log(`${s.toFixed(0)} s: ${jobs_done ?? "?"} jobs done, ${events ?? "?"} events; page ` +
      (p ? `${MB(p.heap).toFixed(0)} MB heap + ${MB(p.wasm).toFixed(0)} MB wasm` : "?") +
      `; workers ${seen.map((b) => MB(b).toFixed(0)).join(" ")} MB`);
  }
  await new Promise((r) => setTimeout(r, SAMPLE_MS));
}
figures.wall_s = round((Date.now() - started) / 1000);
await sample();

const text = await page.evaluate(async () => (await window.locklab.export("report.json")).text());
const r = JSON.parse(text);
figures.jobs_per_s = round(r.throughput_jobs_per_s, 0);
figures.exactly_once = r.jobs.done === r.jobs.seeded && r.jobs.double_claimed === 0 && r.jobs.lost === 0;
figures.outcome = r.outcome;
figures.integrity = r.integrity_check;
const events = await page.locator('[data-testid="run-report"] [data-testid="timeline-view"]').first()
  .getAttribute("data-events").catch(() => null);
figures.events = events == null ? null : Number(events);
const over = page.getByTestId("over-budget");
figures.over_budget = (await over.count()) ? await over.first().innerText() : null;
console.log(`run: ${r.jobs.done} of ${r.jobs.seeded} jobs in ${(r.elapsed_ms / 1000).toFixed(1)} s ` +
  `(${figures.jobs_per_s} jobs/s), ${figures.events} events, integrity ${r.integrity_check}`);
if (figures.over_budget) console.log(`the page says: ${figures.over_budget}`);
if (!figures.exactly_once || r.outcome !== "completed") {
  console.log(`vfs ${r.vfs}, outcome ${r.outcome}, jobs ${JSON.stringify(r.jobs)}, failure ${JSON.stringify(r.failure)}`);
}

// Zoom and pan the finished run's timeline: from the whole run in to a few ms
// and back out, panning on the way, one action a frame.
await page.getByTestId("timeline-canvas").first().scrollIntoViewIfNeeded();
const frames = await within(page.evaluate(async () => {
  const view = document.querySelector('[data-testid="run-report"] .timeline-view');
  const button = (label) => [...view.querySelectorAll("button")].find((b) => b.getAttribute("aria-label") === label);
  const actions = [];
  for (let i = 0; i < 10; i++) actions.push("Zoom in", i % 2 ? "Later" : "Earlier");
  for (let i = 0; i < 10; i++) actions.push("Zoom out", i % 2 ? "Earlier" : "Later");
  const all = [...actions, ...actions, ...actions];
  const times = [];
  let lastAt = performance.now();
  await new Promise((resolve) => {
    let i = 0;
    const tick = (now) => {
      times.push(now - lastAt);
      lastAt = now;
      if (i === all.length) return resolve();
      button(all[i++])?.click();
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return times.slice(1);
}), 120_000);
if (frames) {
  const sorted = [...frames].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  figures.frame_p95_ms = round(at(0.95));
  console.log(`zoom/pan, one action a frame: n=${frames.length} p50 ${at(0.5).toFixed(1)} ms, ` +
    `p95 ${at(0.95).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`);
}
await sample();
figures.page_peak_mb = round(MB(pagePeak));
figures.worker_peak_mb = round(MB(workerPeak));
// Null rather than 0 when no SharedArrayBuffer was found (CDP's queryObjects has
// been seen to find none while a run's files certainly existed).
figures.shared_mb = STORAGE === "memory" && sharedPeak > 0 ? round(MB(sharedPeak)) : null;
figures.renderer_rss_peak_mb = rendererPeak ? round(MB(rendererPeak)) : null;
console.log(`memory peaks: page ${figures.page_peak_mb} MB (V8 heap + wasm), each worker at most ` +
  `${figures.worker_peak_mb} MB; the renderer process (page and workers) ${figures.renderer_rss_peak_mb} MB resident` + (figures.shared_mb == null ? "" : `; database files in shared memory ${figures.shared_mb} MB`));
await finish(0);
