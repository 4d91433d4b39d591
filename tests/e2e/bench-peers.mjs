// Benchmark, not a test: locklab beside the other browser SQLites that let several
// Web Workers share one database in OPFS, on the same job queue (the engine's
// short style: a claim in a short BEGIN IMMEDIATE transaction, the result in
// another, 2,000 jobs, busy_timeout 5000, WAL asked for), with 4 workers and with
// 1, the rows alternating, RUNS runs each (default 3). The peers, each from its npm
// package at the version tests/e2e/peers/package-lock.json pins (installed there by
// scripts/install-peers.sh, which this calls), run from the benchmark's own page
// (tests/e2e/peers/: worker.mjs has their SQL, host.mjs their audit); locklab runs
// from its built page (DIST, default dist/) through locklab.run.
//
//   node tests/e2e/bench-peers.mjs
//   RUNS=1 LIMIT_S=20 WORKERS=4 PEERS=opfs-wl,OPFSWriteAheadVFS node tests/e2e/bench-peers.mjs
//
// Every run is bounded by LIMIT_S (default 60 s; a worker stuck in one call past it
// gets a grace of 10 s, then it is ended): such a run is said as not done within
// the limit, with the jobs/s it reached. The last line is the figures as one JSON
// object (bench-all.sh).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { ready } from "./wait.mjs";
import { median } from "./figures.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const RUNS = Number(process.env.RUNS ?? 3);
const LIMIT_S = Number(process.env.LIMIT_S ?? 60);
const JOBS = Number(process.env.JOBS ?? 2000);
const WORKERS = (process.env.WORKERS ?? "4,1").split(",").map(Number);

/** The rows: locklab's (storage, synchronous) and the peers' (name, busy_timeout). */
const LOCKLAB = [
  { row: "locklab OPFS, sync full", storage: "opfs", synchronous: "full" },
  { row: "locklab OPFS, sync normal", storage: "opfs", synchronous: "normal" },
  { row: "locklab memory, sync normal", storage: "memory", synchronous: "normal" },
];
const ALL_PEERS = [
  { row: "sqlite-wasm opfs", peer: "opfs" },
  { row: "sqlite-wasm opfs-wl", peer: "opfs-wl" },
  { row: "wa-sqlite OPFSCoopSyncVFS", peer: "OPFSCoopSyncVFS" },
  { row: "wa-sqlite OPFSCoopSyncVFS, busy_timeout 0", peer: "OPFSCoopSyncVFS", busyTimeout: 0 },
  { row: "wa-sqlite OPFSAdaptiveVFS", peer: "OPFSAdaptiveVFS" },
  { row: "wa-sqlite OPFSPermutedVFS", peer: "OPFSPermutedVFS" },
  { row: "wa-sqlite OPFSWriteAheadVFS", peer: "OPFSWriteAheadVFS" },
];
const only = process.env.PEERS?.split(",");
const PEERS = ALL_PEERS.filter((p) => !only || only.includes(p.peer) || only.includes(p.row));

const installed = spawnSync(join(root, "scripts", "install-peers.sh"), { stdio: "inherit" });
if (installed.status !== 0) throw new Error("scripts/install-peers.sh failed");

const locklabSite = await serve(process.env.DIST ?? join(root, "dist"));
const peersSite = await serve(join(here, "peers"));
const browser = await launch();
const locklabPage = await browser.newPage();
await locklabPage.goto(locklabSite.url);
await ready(locklabPage);
const peersPage = await browser.newPage();
await peersPage.goto(peersSite.url);
await peersPage.waitForFunction(() => window.peers !== undefined);

/** One run of locklab, in the figures a peer's run has. */
async function locklabRun({ storage, synchronous }, workers) {
  const scenario = { workers, jobs: JOBS, transaction: "short", begin: "immediate", journal_mode: "wal",
    synchronous, busy_timeout_ms: 5000, work_ms: 0, time_limit_ms: LIMIT_S * 1000 };
  const r = await locklabPage.evaluate(([s, o]) => window.locklab.run(s, o), [scenario, { storage }]);
  const busy = Object.entries(r.errors).filter(([k]) => k.startsWith("SQLITE_BUSY")).reduce((s, [, v]) => s + v, 0);
  const inv = r.invariants;
  return {
    completed: r.outcome === "completed",
    exits: [r.outcome],
    failure: r.failure ? `${r.failure.code ?? ""} ${r.failure.message ?? JSON.stringify(r.failure)}` : null,
    jobsPerS: r.throughput_jobs_per_s,
    elapsedMs: r.elapsed_ms,
    done: r.jobs.done,
    transactions: r.transactions.committed,
    busy,
    handoffs: r.lock_handoff_us.count,
    handoffP50Ms: r.lock_handoff_us.count ? r.lock_handoff_us.p50 / 1000 : null,
    exactlyOnce: inv.all_jobs_done && inv.no_double_claims && inv.no_lost_jobs,
    claimedTwice: Array(r.jobs.double_claimed + r.jobs.claimed_twice).fill(0),
    lost: Array(r.jobs.lost).fill(0),
    notDone: r.jobs.seeded - r.jobs.done,
    integrity: r.integrity_check,
    journal: r.journal_mode,
    version: r.sqlite_version,
  };
}

async function peerRun({ peer, busyTimeout = 5000 }, workers) {
  return peersPage.evaluate((o) => window.peers.run(o),
    { peer, workers, jobs: JOBS, busyTimeout, synchronous: "normal", limitMs: LIMIT_S * 1000 });
}

const ms = (x) => (x == null ? "-" : x < 10 ? x.toFixed(2) : x.toFixed(1));
const rows = [...LOCKLAB.map((l) => ({ ...l, run: locklabRun })), ...PEERS.map((p) => ({ ...p, run: peerRun }))];

/** A run's verdict on exactly once, in words. */
function onceWords(r) {
  if (r.failure && !r.completed && r.done === undefined) return `failed: ${r.failure}`;
  const wrong = [];
  if (r.claimedTwice?.length) wrong.push(`${r.claimedTwice.length} claimed twice`);
  if (r.doneTwice?.length) wrong.push(`${r.doneTwice.length} done twice`);
  if (r.lost?.length) wrong.push(`${r.lost.length} lost`);
  if (r.unreadable) wrong.push(`audit: ${r.unreadable}`);
  if (wrong.length) return wrong.join(", ");
  if (r.exactlyOnce) return "yes";
  return r.completed ? `no (${r.notDone} not done)` : "none doubled or lost so far";
}

const figures = {};
console.log(`${RUNS} runs of each row, alternating; ${JOBS} jobs, busy_timeout 5000 unless said, WAL asked for, ` +
  `peers at synchronous normal; each run bounded by ${LIMIT_S} s`);
for (const workers of WORKERS) {
  console.log(`\n== ${workers} worker${workers > 1 ? "s" : ""}: each run as it ends`);
  const results = new Map(rows.map((r) => [r.row, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const row of rows) {
      const r = await row.run(row, workers);
      results.get(row.row).push(r);
      const time = r.completed ? `in ${(r.elapsedMs / 1000).toFixed(1)} s` : `not done within ${LIMIT_S} s (${r.done ?? 0} jobs)`;
      console.log(`  run ${i + 1} ${row.row.padEnd(42)} ${(r.jobsPerS ?? 0).toFixed(1).padStart(8)} jobs/s  ${time}; ` +
        `exactly once: ${onceWords(r)}; integrity ${r.integrity}${r.failure ? `; ${r.failure}` : ""}`);
    }
  }

  console.log(`\n== ${workers} worker${workers > 1 ? "s" : ""}: median of ${RUNS} runs (min-max)`);
  console.log(`${"row".padEnd(42)} ${"journal".padEnd(7)} ${"jobs/s".padStart(20)} ${"in time".padStart(7)} ` +
    `${"ms/tx".padStart(6)} ${"BUSY".padStart(5)} ${"hand-offs / write tx".padStart(25)} ${"p50 ms".padStart(7)}  exactly once; integrity`);
  const group = {};
  for (const row of rows) {
    const rs = results.get(row.row);
    const rates = rs.map((r) => r.jobsPerS ?? 0);
    const journals = [...new Set(rs.map((r) => r.journal ?? "?"))].join("/");
    const inTime = `${rs.filter((r) => r.completed).length}/${rs.length}`;
    // Each different verdict once, with how many runs had it.
    const tally = (words) => [...new Set(words)].map((w) => {
      const n = words.filter((x) => x === w).length;
      return n === words.length ? w : `${n}x ${w}`;
    }).join(" | ");
    const once = tally(rs.map(onceWords));
    const integrity = tally(rs.map((r) => r.integrity));
    const handoffs = median(rs.map((r) => r.handoffs ?? 0));
    const tx = median(rs.map((r) => r.transactions ?? 0));
    const p50s = rs.map((r) => r.handoffP50Ms).filter((x) => x != null);
    const rate = `${median(rates).toFixed(1)} (${Math.min(...rates).toFixed(0)}-${Math.max(...rates).toFixed(0)})`;
    const perTx = median(rs.map((r) => (r.transactions ? r.elapsedMs / r.transactions : Infinity)));
    const share = tx ? ` (${(100 * handoffs / tx).toFixed(0)}%)` : "";
    console.log(`${row.row.padEnd(42)} ${journals.padEnd(7)} ${rate.padStart(20)} ${inTime.padStart(7)} ` +
      `${ms(perTx).padStart(6)} ${String(median(rs.map((r) => r.busy ?? 0))).padStart(5)} ` +
      `${`${handoffs} / ${tx}${share}`.padStart(25)} ${(p50s.length ? ms(median(p50s)) : "-").padStart(7)}  ${once}; ${integrity}`);
    group[row.row] = { jobs_per_s: median(rates), min: Math.min(...rates), max: Math.max(...rates),
      done_in_time: rs.filter((r) => r.completed).length, runs: rs.length, journal_mode: journals,
      busy: median(rs.map((r) => r.busy ?? 0)), handoffs, write_transactions: tx, ms_per_write_tx: perTx,
      handoff_p50_ms: p50s.length ? median(p50s) : null, exactly_once: rs.filter((r) => r.exactlyOnce).length,
      claimed_twice: rs.map((r) => r.claimedTwice?.length ?? 0), lost: rs.map((r) => r.lost?.length ?? 0),
      integrity: rs.map((r) => r.integrity), version: rs[0].version };
  }
  console.log("  ms/tx: the run's time over its committed write transactions (with 1 worker, a transaction's own cost). " +
    "Hand-offs: locklab's from its trace (a release of the write lock to its grant to another worker that was waiting); " +
    "the peers' as their workers saw them (two committed write transactions in a row by different workers, from the " +
    "first's COMMIT returning to the second's BEGIN IMMEDIATE returning). BUSY: SQLITE_BUSY errors that reached the application.");
  if (workers > 1) {
    const share = (r) => (r.write_transactions ? r.handoffs / r.write_transactions : 0);
    const said = (pick) => Object.entries(group).filter(([, r]) => pick(share(r)))
      .map(([k, r]) => `${k} (${(100 * share(r)).toFixed(0)}%)`).join(", ") || "none";
    console.log(`  Measured: the write lock stayed with one worker for many transactions in a row (hand-offs on under 10% ` +
      `of write transactions) on ${said((x) => x < 0.1)}; it changed hands on most transactions (over 50%) on ` +
      `${said((x) => x > 0.5)}; in between: ${said((x) => x >= 0.1 && x <= 0.5)}.`);
  }
  // What went wrong, run by run, with the evidence.
  for (const row of rows) {
    results.get(row.row).forEach((r, i) => {
      if (r.exactlyOnce || (!r.claimedTwice?.length && !r.lost?.length && !r.doneTwice?.length && !r.unreadable &&
        (r.integrity === "ok") && !r.failure)) return;
      console.log(`  ${row.row}, run ${i + 1}: ${onceWords(r)}; integrity ${r.integrity}` +
        `${r.failure ? `; error: ${r.failure}` : ""}`);
      for (const d of (r.twiceDetail ?? []).slice(0, 3)) {
        const rel = (x) => (x >= 0 ? `${ms(x)} ms after` : `${ms(-x)} ms before`);
        console.log(`    job ${d.job} claimed by workers ${d.workers.join(" and ")}: the second claim's BEGIN IMMEDIATE was called ` +
          `${rel(d.beginCalledMs)} and returned ${rel(d.beginReturnedMs)} the first claim's COMMIT returned`);
      }
      if (r.lost?.length) console.log(`    committed DONE by a worker but not DONE by it in the database: jobs ${r.lost.slice(0, 8).join(", ")}`);
    });
  }
  figures[workers] = group;
}

// The probe of host.mjs: does a transaction that waited for the write lock see
// the commit that went before it? (v = the number of increments committed.)
console.log("\n== lost-update probe (host.mjs probe): B reads in a deferred transaction; A asks BEGIN IMMEDIATE; " +
  "B increments v and commits; A then increments v and commits");
const probes = {};
for (const peer of [...new Set(PEERS.map((p) => p.peer))]) {
  const p = await peersPage.evaluate((o) => window.peers.probe(o), { peer });
  probes[peer] = { v: p.v ?? null, committed: p.committed ?? [], lost_update: p.lostUpdate ?? null, error: p.error ?? null };
  const verdict = p.error ? `probe failed: ${p.error}` : p.lostUpdate
    ? `LOST UPDATE: ${p.committed.join(" and ")} committed an increment, v = ${p.v}`
    : `correct: ${p.committed.join(" and ")} committed, v = ${p.v}`;
  console.log(`  ${peer.padEnd(20)} ${verdict}`);
  console.log(`  ${"".padEnd(20)} ${p.steps.filter((s) => !s.startsWith("seed")).join("; ")}`);
}

const fastest = (group) => Object.entries(group).filter(([k]) => !k.startsWith("locklab"))
  .sort((a, b) => b[1].jobs_per_s - a[1].jobs_per_s)[0];
const target = {};
for (const workers of WORKERS) {
  const [name, best] = fastest(figures[workers]);
  const full = figures[workers]["locklab OPFS, sync full"].jobs_per_s;
  const normal = figures[workers]["locklab OPFS, sync normal"].jobs_per_s;
  target[workers] = { fastest_peer: name, fastest_jobs_per_s: best.jobs_per_s, full_ratio: full / best.jobs_per_s,
    normal_ratio: normal / best.jobs_per_s };
  const met = full / best.jobs_per_s >= 10 && normal / best.jobs_per_s >= 10;
  console.log(`\n${workers} worker${workers > 1 ? "s" : ""}: the fastest peer is ${name}, ${best.jobs_per_s.toFixed(1)} jobs/s; ` +
    `locklab on OPFS ${(full / best.jobs_per_s).toFixed(1)}x it with synchronous full, ` +
    `${(normal / best.jobs_per_s).toFixed(1)}x with normal` +
    (workers === 4 ? ` (target: at least 10x both): ${met ? "met" : "NOT met"}` : ""));
}
console.log(JSON.stringify({ runs: RUNS, jobs: JOBS, limit_s: LIMIT_S, workers: figures, target, probes }));
await browser.close();
locklabSite.server.close();
peersSite.server.close();
