// Benchmark, not a test: the same scenarios in the browser (Web Workers, shared VFS
// on OPFS and on SharedArrayBuffers) and natively (threads, unix VFS and shared VFS),
// jobs/s of each and the ratio. Needs `trunk build --release` and
// `cargo build --release` first; scripts/bench-browser.sh does both. Names given as
// arguments (e.g. `short-wal-work0`) run only those scenarios; RUNS=n sets the runs,
// DIST=dir benchmarks another build of the page (e.g. one kept from before a change).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";

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

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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
    const out = spawnSync(join(root, "target", "release", "locklab"), args, { encoding: "utf8" });
    if (out.status !== 0) throw new Error(out.stderr);
    rates.push(JSON.parse(out.stdout).throughput_jobs_per_s);
  }
  return median(rates);
}

const site = await serve(process.env.DIST ?? join(root, "dist"));
const browser = await launch();
const page = await browser.newPage();
await page.goto(site.url);
await page.waitForFunction(() => window.locklab !== undefined);
const presets = await page.evaluate(() => window.locklab.presets());

console.log(`median of ${RUNS} runs, jobs/s`);
console.log("scenario              native-unix native-shared  browser-opfs browser-memory  opfs/unix memory/unix");
const only = process.argv.slice(2);
for (const name of only) {
  if (!(name in scenarios)) throw new Error(`no scenario ${name}; known: ${Object.keys(scenarios).join(", ")}`);
}
for (const [name, given] of Object.entries(scenarios)) {
  if (only.length > 0 && !only.includes(name)) continue;
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
  const opfs = await inBrowser("opfs");
  const memory = await inBrowser("memory");
  const f = (x) => x.toFixed(0).padStart(12);
  console.log(`${name.padEnd(20)} ${f(unix)} ${f(shared)} ${f(opfs)} ${f(memory)} ${(opfs / unix).toFixed(2).padStart(10)} ${(memory / unix).toFixed(2).padStart(10)}`);
}
await browser.close();
site.server.close();
