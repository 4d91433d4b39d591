// Benchmark, not a test: the same scenarios in the browser (Web Workers, shared VFS
// on OPFS and on SharedArrayBuffers) and natively (threads, unix VFS and shared VFS),
// jobs/s of each and the ratio. Needs `trunk build --release` and
// `cargo build --release` first; scripts/bench-browser.sh does both. Names given as
// arguments (e.g. `short-wal-work0`) run only those scenarios, `all` adds every
// preset but your-turn (which waits for a person at the console); RUNS=n sets the
// runs, DIST=dir benchmarks another build of the page and LOCKLAB=file another
// native build (e.g. ones kept from before a change); SYNCHRONOUS=full runs the
// two scenarios given here with synchronous FULL. A preset the unix VFS refuses
// (faults, broken locking) has no unix figure: its ratios are to the native shared
// VFS, marked *. The last line is the figures as one JSON object (bench-all.sh).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { ready } from "./wait.mjs";
import { median } from "./figures.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const RUNS = Number(process.env.RUNS ?? 3);
const scenarios = {
  "short-wal-work0": { workers: 4, jobs: 2000, transaction: "short", begin: "immediate",
    journal_mode: "wal", synchronous: "normal", busy_timeout_ms: 5000, work_ms: 0 },
  "short-delete-work0": { workers: 4, jobs: 2000, transaction: "short", begin: "immediate",
    journal_mode: "delete", synchronous: "normal", busy_timeout_ms: 5000, work_ms: 0 },
  "wall-of-red": null,
  "busy-timeout": null,
  "wal-readers": null,
  "short-transactions": null,
};

// SYNCHRONOUS=full (or normal, off) sets `synchronous` of the scenarios given above.
if (process.env.SYNCHRONOUS) for (const s of Object.values(scenarios)) if (s) s.synchronous = process.env.SYNCHRONOUS;


const LOCKLAB = process.env.LOCKLAB ?? join(root, "target", "release", "locklab");

function native(name, scenario, vfs) {
  const args = ["run", "--json", "--vfs", vfs];
  if (scenario) {
    const file = join(root, "target", `bench-${name}.json`);
    spawnSync("sh", ["-c", `cat > '${file}'`], { input: JSON.stringify(scenario) });
    args.push(file);
  } else {
    args.push("--preset", name);
  }
  const rates = [];
  for (let i = 0; i < RUNS; i++) {
    const out = spawnSync(LOCKLAB, args, { encoding: "utf8" });
    // Exit code 2: the unix VFS refuses this scenario (it needs the shared VFS).
    if (out.status === 2 && vfs === "unix") return null;
    if (out.status !== 0) throw new Error(out.stderr);
    rates.push(JSON.parse(out.stdout).throughput_jobs_per_s);
  }
  return median(rates);
}

const site = await serve(process.env.DIST ?? join(root, "dist"));
const browser = await launch();
const page = await browser.newPage();
await page.goto(site.url);
await ready(page);
const presets = await page.evaluate(() => window.locklab.presets());

const figures = {};
console.log(`median of ${RUNS} runs, jobs/s`);
console.log("scenario              native-unix native-shared  browser-opfs browser-memory  opfs/unix memory/unix");
const all = process.argv.includes("all");
const only = process.argv.slice(2).filter((a) => a !== "all");
for (const p of presets) {
  if (!(p.name in scenarios) && p.name !== "your-turn" && (all || only.includes(p.name))) scenarios[p.name] = null;
}
for (const name of only) {
  if (!(name in scenarios)) throw new Error(`no scenario ${name}; known: ${Object.keys(scenarios).join(", ")} and the presets`);
}
for (const [name, given] of Object.entries(scenarios)) {
  if (only.length > 0 && !only.includes(name) && !all) continue;
  const scenario = given ?? presets.find((p) => p.name === name).scenario;
  const inBrowser = async (storage) => {
    const rates = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await page.evaluate(([s, o]) => window.locklab.run(s, o), [scenario, { storage }]);
      rates.push(r.throughput_jobs_per_s);
    }
    return median(rates);
  };
  const unix = native(name, given, "unix");
  const shared = native(name, given, "shared");
  // The page cuts the power in memory storage only (it refuses OPFS, saying so).
  const cutsPower = (scenario.faults ?? []).some((f) => f.power_cut);
  const opfs = cutsPower ? null : await inBrowser("opfs");
  const memory = await inBrowser("memory");
  const f = (x) => (x === null ? "-" : x.toFixed(0)).padStart(12);
  const base = unix ?? shared;
  const mark = unix === null ? "*" : " ";
  const ratio = (x) => (x === null ? "-" : `${(x / base).toFixed(2)}${mark}`).padStart(10);
  console.log(`${name.padEnd(20)} ${f(unix)} ${f(shared)} ${f(opfs)} ${f(memory)} ${ratio(opfs)} ${ratio(memory)}`);
  const of = (x) => (x === null ? null : x / base);
  figures[name] = { unix, shared, opfs, memory, opfs_ratio: of(opfs), memory_ratio: of(memory), to: unix === null ? "shared" : "unix" };
}
console.log(JSON.stringify({ runs: RUNS, scenarios: figures }));
await browser.close();
site.server.close();
