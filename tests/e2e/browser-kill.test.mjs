// A real crash of the whole browser (issue 23, part 3): runs on OPFS through the
// page cache, every process of the browser's profile killed with SIGKILL in the
// middle of a run, the browser launched again on the same profile, the run's files
// copied out of OPFS and opened with Debian's sqlite3 (an SQLite that is not the
// page's). Each journal mode, with SQLite's own cache small enough that it spills
// pages into the files in mid-transaction, and without. What SQLite promises for a
// crash: integrity ok every time, and with synchronous FULL every commit that
// returned is there, so every job the page had counted as done before the kill is
// DONE in the file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "./serve.mjs";
import { dist } from "./session.mjs";
import { ready, eventually, jobsDoneAbove } from "./wait.mjs";

const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let site, profile, copies;

before(async () => {
  site = await serve(dist);
  profile = await mkdtemp(join(tmpdir(), "locklab-kill-profile-"));
  copies = await mkdtemp(join(tmpdir(), "locklab-kill-files-"));
});

after(async () => {
  site?.server.close();
  await rm(profile, { recursive: true, force: true });
  await rm(copies, { recursive: true, force: true });
});

/** The browser on the test's one profile (its OPFS outlives each browser), at the page. */
async function open() {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ARGS });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
  await page.goto(`${site.url}#lesson=wall-of-red`);
  await ready(page);
  return { context, page };
}

/** Every process of the browser on `profile`: those that name it, and their descendants. */
function browserProcesses() {
  const procs = new Map();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (state !== "Z") procs.set(Number(pid), { ppid: Number(ppid), cmdline });
    } catch {
      // Gone while we looked.
    }
  }
  const ours = new Set([...procs].filter(([, p]) => p.cmdline.includes(profile)).map(([pid]) => pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, p] of procs) {
      if (!ours.has(pid) && ours.has(p.ppid)) {
        ours.add(pid);
        grew = true;
      }
    }
  }
  return [...ours];
}

/** SIGKILL every process of the browser at once; wait until none is left. */
async function killBrowser() {
  const pids = browserProcesses();
  assert.ok(pids.length > 1, `the browser's processes: ${pids}`);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  await eventually(() => browserProcesses().length === 0, { what: "every browser process gone" });
  return pids.length;
}

/** The run's files in OPFS, copied into `into`; resolves to their names and sizes. */
async function copyRunFiles(page, run, into) {
  const files = await page.evaluate(async (run) => {
    const root = await navigator.storage.getDirectory();
    const dir = await (await root.getDirectoryHandle("locklab-runs")).getDirectoryHandle(run);
    const out = {};
    for await (const [name, handle] of dir.entries()) {
      if (handle.kind !== "file") continue;
      const bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
      let binary = "";
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      out[name] = btoa(binary);
    }
    return out;
  }, run);
  const sizes = {};
  for (const [name, b64] of Object.entries(files)) {
    const bytes = Buffer.from(b64, "base64");
    await writeFile(join(into, name), bytes);
    sizes[name] = bytes.length;
  }
  return sizes;
}

const sqlite3 = (file, sql) => execFileSync("sqlite3", [file, sql], { encoding: "utf8" }).trim();

const base = { workers: 4, jobs: 6000, transaction: "short", begin: "immediate", synchronous: "full",
  busy_timeout_ms: 5000, work_ms: 0 };
const cases = [
  { name: "wal", journal_mode: "wal" },
  { name: "delete", journal_mode: "delete" },
  // SQLite's cache of 2 pages and results written 10 at a time: each transaction
  // spills pages into the WAL or the database file before it commits.
  { name: "wal-spilled", journal_mode: "wal", cache_pages: 2, result_batch: 10 },
  { name: "delete-spilled", journal_mode: "delete", cache_pages: 2, result_batch: 10 },
];

for (const { name, ...fields } of cases) {
  test(`the browser killed mid-run on OPFS, ${name}, synchronous full: integrity ok, every counted job DONE`, async () => {
    let { context, page } = await open();
    const scenario = { ...base, ...fields };
    // The run is never awaited: the browser dies under it.
    page.evaluate((s) => window.locklab.run(s, { storage: "opfs" }).then(() => "ended", (e) => String(e)), scenario)
      .catch(() => "killed");
    await jobsDoneAbove(page, 150, 120_000);
    const [{ run, jobs_done: counted }] = await page.evaluate(() => window.locklab.progress());
    const processes = await killBrowser();
    assert.ok(counted < scenario.jobs, `the run was still going at the kill (${counted} done)`);

    ({ context, page } = await open());
    const into = join(copies, name);
    execFileSync("mkdir", ["-p", into]);
    const sizes = await copyRunFiles(page, run, into);
    await context.close();
    const db = Object.keys(sizes).find((f) => !/-(wal|journal)$/.test(f) && sizes[f] > 0);
    assert.ok(db, `a database among the run's files: ${JSON.stringify(sizes)}`);
    const integrity = sqlite3(join(into, db), "PRAGMA integrity_check;");
    const done = Number(sqlite3(join(into, db), "SELECT count(*) FROM jobs WHERE status = 'DONE';"));
    const mode = sqlite3(join(into, db), "PRAGMA journal_mode;");
    console.log(`${name}: killed ${processes} processes with ${counted} jobs counted done; ` +
      `files ${JSON.stringify(sizes)}; sqlite3: integrity ${integrity}, ${done} DONE, journal_mode ${mode}`);
    assert.equal(integrity, "ok");
    assert.ok(done >= counted, `${done} DONE in the file, ${counted} counted done by the page before the kill`);
  });
}
