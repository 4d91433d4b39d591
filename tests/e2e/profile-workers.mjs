// Profiling aid, not a test: runs one scenario in headless Chromium under Chrome's
// tracing with V8's sampling profiler on, and prints where each thread's time went
// (self time by function, the busiest threads first). Wasm function names need a
// build that keeps the name section, e.g. with data-wasm-opt="0" in a copy of
// index.html:  trunk build --release --dist target/dist-prof index-prof.html
// The samples are wall-clock per thread: a thread the OS has descheduled is
// charged to the function it was in.
//
//   node tests/e2e/profile-workers.mjs [dist dir] [memory|opfs] [scenario JSON]
//   env: THREADS (threads shown), TOP (rows), INCLUSIVE (regex: inclusive time of
//   the matching functions), FLAGS (extra Chromium flags), SAVE (write the trace),
//   CONSOLE (print console messages)
import { launch } from "./browser.mjs";
import { writeFileSync } from "node:fs";
import { serve } from "./serve.mjs";
import { ready } from "./wait.mjs";

const dist = process.argv[2] ?? "dist";
const storage = process.argv[3] ?? "memory";
const scenario = JSON.parse(process.argv[4] ?? JSON.stringify({
  workers: 4, jobs: 2000, transaction: "short", begin: "immediate", journal_mode: "wal",
  synchronous: "normal", busy_timeout_ms: 5000, work_ms: 0,
}));
const TOP = Number(process.env.TOP ?? 25);

const site = await serve(dist);
// A persistent profile, as bench-browser.mjs uses: OPFS of an incognito context
// lives in the browser process, behind a round trip per call.
const context = await launch(process.env.FLAGS ? process.env.FLAGS.split(" ") : []);
const page = await context.newPage();
// CONSOLE=1: print what the page and its workers log.
if (process.env.CONSOLE) page.on("console", (m) => console.log(`console: ${m.text()}`));
await page.goto(site.url);
await ready(page);
// A warm-up run: workers compile their wasm, OPFS files exist.
await page.evaluate(([s, o]) => window.locklab.run(s, o), [scenario, { storage }]);

const cdp = await context.newCDPSession(page);
await cdp.send("Tracing.start", {
  transferMode: "ReturnAsStream",
  traceConfig: { includedCategories: ["disabled-by-default-v8.cpu_profiler", "v8.execute", "toplevel", "__metadata"] },
});
const report = await page.evaluate(([s, o]) => window.locklab.run(s, o), [scenario, { storage }]);
const complete = new Promise((resolve) => cdp.once("Tracing.tracingComplete", resolve));
await cdp.send("Tracing.end");
const { stream } = await complete;
let text = "";
for (;;) {
  const chunk = await cdp.send("IO.read", { handle: stream, size: 1 << 20 });
  text += chunk.base64Encoded ? Buffer.from(chunk.data, "base64").toString() : chunk.data;
  if (chunk.eof) break;
}
await cdp.send("IO.close", { handle: stream });
const trace = JSON.parse(text);
if (process.env.SAVE) writeFileSync(process.env.SAVE, JSON.stringify(trace));
await context.close();
site.server.close();

console.log(`${report.throughput_jobs_per_s.toFixed(0)} jobs/s, ${report.jobs.done} done, integrity ${report.integrity_check}`);
for (const k of ["elapsed_ms", "transactions", "errors", "busy_wait_ms", "write_lock_hold_ms", "job_latency_ms"]) {
  console.log(`${k}: ${JSON.stringify(report[k])}`);
}

const events = trace.traceEvents ?? trace;
const threadNames = new Map();
for (const e of events) {
  if (e.ph === "M" && e.name === "thread_name") threadNames.set(`${e.pid}:${e.tid}`, e.args.name);
}
// One profile per (pid, id): nodes arrive in chunks, samples with time deltas.
const profiles = new Map();
for (const e of events) {
  if (e.name !== "ProfileChunk" && e.name !== "Profile") continue;
  const key = `${e.pid}:${e.id}`;
  const p = profiles.get(key) ?? { thread: `${e.pid}:${e.tid}`, nodes: new Map(), samples: [], deltas: [] };
  profiles.set(key, p);
  if (e.name === "Profile") continue;
  const data = e.args.data;
  for (const n of data.cpuProfile?.nodes ?? []) p.nodes.set(n.id, n);
  p.samples.push(...(data.cpuProfile?.samples ?? []));
  p.deltas.push(...(data.timeDeltas ?? []));
}

const nameOf = (f) => f.functionName || `(anonymous ${f.url?.split("/").pop()}:${f.lineNumber})`;
for (const p of profiles.values()) {
  const self = new Map();
  const inclusive = new Map();
  const parent = new Map();
  for (const n of p.nodes.values()) {
    if (n.parent !== undefined) parent.set(n.id, n.parent);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const node = p.nodes.get(p.samples[i]);
    const dt = p.deltas[i + 1] ?? 0;
    if (!node) continue;
    const name = nameOf(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const n = nameOf(p.nodes.get(id).callFrame);
      if (seen.has(n)) continue;
      seen.add(n);
      inclusive.set(n, (inclusive.get(n) ?? 0) + dt);
    }
  }
  p.self = self;
  p.inclusive = inclusive;
  p.total = total;
}
const busiest = [...profiles.values()].sort((a, b) => b.total - a.total);
// Every worker thread together: what the workers spent their time on.
{
  const all = { self: new Map(), inclusive: new Map(), total: 0, thread: "all workers" };
  for (const p of profiles.values()) {
    if (!(threadNames.get(p.thread) ?? "").startsWith("DedicatedWorker")) continue;
    all.total += p.total;
    for (const [k, v] of p.self) all.self.set(k, (all.self.get(k) ?? 0) + v);
    for (const [k, v] of p.inclusive) all.inclusive.set(k, (all.inclusive.get(k) ?? 0) + v);
  }
  threadNames.set("all workers", "all worker threads");
  busiest.unshift(all);
}
for (const p of busiest.slice(0, Number(process.env.THREADS ?? 6))) {
  const idle = (p.self.get("(idle)") ?? 0) + (p.self.get("(program)") ?? 0);
  console.log(`\n== ${threadNames.get(p.thread) ?? p.thread}: ${(p.total / 1000).toFixed(0)} ms sampled, ${(idle / 1000).toFixed(0)} ms idle/program`);
  const rows = [...p.self.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP);
  for (const [name, us] of rows) {
    console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / p.total).toFixed(1).padStart(5)}%  ${name.slice(0, 110)}`);
  }
  // INCLUSIVE=regex: time spent in (and under) the functions whose names match.
  if (process.env.INCLUSIVE) {
    const re = new RegExp(process.env.INCLUSIVE);
    const rows = [...p.inclusive.entries()].filter(([n]) => re.test(n)).sort((a, b) => b[1] - a[1]).slice(0, TOP);
    console.log("  -- inclusive");
    for (const [name, us] of rows) {
      console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / p.total).toFixed(1).padStart(5)}%  ${name.slice(0, 110)}`);
    }
  }
}
