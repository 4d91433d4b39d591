// The page's side of a peer's run (bench-peers.mjs calls window.peers.run): seed
// the queue in one Web Worker, start one Web Worker per worker, each with its own
// connection, start them together, wait for them (never past the time limit and a
// grace), then audit the database from a fresh worker and compute the figures.
const GRACE_MS = 10000;

const now = () => performance.timeOrigin + performance.now();

/** Run `peer` once; resolves to the run's figures (never rejects). */
async function run({ peer, workers = 4, jobs = 2000, busyTimeout = 5000, synchronous = "normal", limitMs = 60000 }) {
  const path = `peer-${peer}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.db`;
  const spawned = [];
  const spawn = () => {
    const w = new Worker(new URL("./worker.mjs", import.meta.url), { type: "module" });
    spawned.push(w);
    return w;
  };
  // Ask a worker and wait for its "end" (or "opened"), at most `ms`.
  const ask = (w, message, until, ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ type: "timeout" }), ms);
      w.onmessage = ({ data }) => {
        if (until.includes(data.type) || data.type === "error") {
          clearTimeout(timer);
          resolve(data);
        }
      };
      w.onerror = (e) => {
        clearTimeout(timer);
        resolve({ type: "error", message: e.message ?? "worker error" });
      };
      w.postMessage(message);
    });
  const out = { peer, workers, jobs, busyTimeout, synchronous, limitMs, path };
  try {
    const seeded = await ask(spawn(), { type: "open", role: "seed", peer, path, jobs }, ["end"], 60000);
    if (seeded.type !== "end") return { ...out, failure: `seeding: ${seeded.message ?? seeded.type}` };
    out.version = seeded.version;
    out.seedJournal = seeded.journal;

    const ws = Array.from({ length: workers }, spawn);
    const opened = await Promise.all(ws.map((w, i) =>
      ask(w, { type: "open", role: "work", peer, path, worker: i + 1, busyTimeout, synchronous }, ["opened"], 60000)));
    const bad = opened.find((o) => o.type !== "opened");
    if (bad) return { ...out, failure: `opening: ${bad.message ?? bad.type}` };
    out.journal = [...new Set(opened.map((o) => o.journal))].join("/");

    const claims = [];
    const done = [];
    const txs = [];
    let leaseLost = 0;
    const start = now();
    const deadline = start + limitMs;
    const ends = await Promise.all(ws.map((w, i) => new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ exit: "hung", end: now() }), limitMs + GRACE_MS);
      w.onmessage = ({ data }) => {
        if (data.type === "progress") {
          for (const [job, tb, t0, t1] of data.claims) claims.push([job, i + 1, tb, t0, t1]);
          for (const job of data.done) done.push([job, i + 1]);
          for (const [t0, t1] of data.txs) txs.push([t0, t1, i + 1]);
          leaseLost += data.leaseLost ?? 0;
        } else if (data.type === "end" || data.type === "error") {
          clearTimeout(timer);
          resolve({ ...data, exit: data.exit ?? "failed", failure: data.failure ?? data.message, end: now() });
        }
      };
      w.postMessage({ type: "go", start, deadline });
    })));
    const elapsedMs = Math.max(...ends.map((e) => e.end)) - start;
    // A hung worker may still hold its handles and locks: only its end frees them.
    for (const w of spawned) w.terminate();

    const audited = await ask(spawn(), { type: "open", role: "audit", peer, path }, ["end"], 30000);
    return { ...out, ...figures({ jobs, claims, done, txs, ends, elapsedMs, audited, leaseLost }) };
  } catch (e) {
    return { ...out, failure: String(e?.stack ?? e) };
  } finally {
    for (const w of spawned) w.terminate();
    await removeFiles(path);
  }
}

/** Does SQLite's lock keep a writer's view of the database current? Worker B
 *  reads in a deferred transaction (SHARED). Worker A asks for BEGIN IMMEDIATE
 *  (SHARED, then RESERVED, which it cannot have while B reads). B then writes
 *  and commits v = 1. A, once its BEGIN returns, adds 1 to v and commits. Done
 *  right, v = 2 (or A's BEGIN is refused with SQLITE_BUSY); v = 1 with both
 *  committed is a lost update: A's transaction read the database as it was
 *  before B's commit. */
async function probe({ peer, limitMs = 15000 }) {
  const path = `probe-${peer}-${Date.now()}.db`;
  const raw = [];
  const steps = [];
  const spawn = (name) => {
    const w = new Worker(new URL("./worker.mjs", import.meta.url), { type: "module" });
    raw.push(w);
    const waiting = [];
    w.onmessage = ({ data }) => waiting.shift()?.(data);
    // Send one message; its answer (in order), or an error after limitMs.
    const ask = (message) => {
      const answer = new Promise((r) => waiting.push(r));
      w.postMessage(message);
      return Promise.race([answer, new Promise((r) => setTimeout(() => r({ error: "no answer in time" }), limitMs))]);
    };
    // Run `text`; its value, or (with `fatal`) throw its error.
    const sql = async (text, fatal = true) => {
      const r = await ask({ type: "sql", sql: text });
      steps.push(`${name}: ${text} -> ${r.error ?? (r.value === null ? "ok" : r.value)}`);
      if (r.error && fatal) throw new Error(`${name}: ${text}: ${r.error}`);
      return r;
    };
    return { open: () => ask({ type: "open", role: "session", peer, path }), sql };
  };
  const out = { peer, steps };
  try {
    const seed = spawn("seed");
    await seed.open();
    await seed.sql("CREATE TABLE t(v INTEGER)");
    await seed.sql("INSERT INTO t VALUES (0)");
    const [a, b] = [spawn("A"), spawn("B")];
    await a.open();
    await b.open();
    // A has read t before: its page is in A's cache, as a worker's would be.
    await a.sql("SELECT v FROM t");
    await b.sql("BEGIN");
    await b.sql("SELECT v FROM t");
    const aBegin = a.sql("BEGIN IMMEDIATE", false);
    await new Promise((r) => setTimeout(r, 300));
    let bCommit = { error: "not tried" };
    if ((await b.sql("UPDATE t SET v = v + 1", false)).error) await b.sql("ROLLBACK", false);
    else bCommit = b.sql("COMMIT", false);
    let aCommit = { error: "not tried" };
    if (!(await aBegin).error && !(await a.sql("UPDATE t SET v = v + 1", false)).error) aCommit = await a.sql("COMMIT", false);
    else await a.sql("ROLLBACK", false);
    bCommit = await bCommit;
    const check = spawn("check");
    await check.open();
    out.v = (await check.sql("SELECT v FROM t")).value;
    out.committed = [!aCommit.error && "A", !bCommit.error && "B"].filter(Boolean);
    out.lostUpdate = out.v !== out.committed.length;
  } catch (e) {
    out.error = String(e.message ?? e);
  } finally {
    for (const w of raw) w.terminate();
    await removeFiles(path);
  }
  return out;
}

/** What a run's records and its audit say. */
function figures({ jobs, claims, done, txs, ends, elapsedMs, audited, leaseLost }) {
  const count = (pairs) => {
    const m = new Map();
    for (const [job] of pairs) m.set(job, (m.get(job) ?? 0) + 1);
    return m;
  };
  const claimed = count(claims);
  const finished = count(done);
  const exits = ends.map((e) => e.exit);
  const completed = exits.every((e) => e === "completed");
  const errors = {};
  for (const e of ends) for (const [k, v] of Object.entries(e.errors ?? {})) errors[k] = (errors[k] ?? 0) + v;
  const busy = Object.entries(errors).filter(([k]) => k.startsWith("SQLITE_BUSY")).reduce((s, [, v]) => s + v, 0);

  // The lock's hand-offs, as the workers saw their write transactions: in the
  // order they began, each next transaction of another worker is a hand-off,
  // lasting from the previous one's COMMIT returning to this one's BEGIN
  // IMMEDIATE returning (0 when that BEGIN returned first: a VFS may release
  // the lock well before its COMMIT returns).
  txs.sort((a, b) => a[0] - b[0]);
  const gaps = [];
  for (let i = 1; i < txs.length; i++) {
    if (txs[i][2] !== txs[i - 1][2]) gaps.push(Math.max(0, txs[i][0] - txs[i - 1][1]));
  }
  gaps.sort((a, b) => a - b);

  // A job claimed by two workers: when the second claim's BEGIN IMMEDIATE was
  // called and when it returned, against the first claim's COMMIT returning. A
  // BEGIN called before that COMMIT and returning after it, that then still
  // finds the job QUEUED, read the database as it was before the commit.
  const byJob = new Map();
  for (const c of claims) byJob.set(c[0], [...(byJob.get(c[0]) ?? []), c]);
  const twiceDetail = [...byJob.values()].filter((cs) => cs.length > 1).map((cs) => {
    cs.sort((a, b) => a[3] - b[3]);
    const [first, second] = cs;
    return { job: first[0], workers: cs.map((c) => c[1]), beginCalledMs: second[2] - first[4],
      beginReturnedMs: second[3] - first[4] };
  });

  const audit = { integrity: audited.integrity ?? `not audited: ${audited.message ?? audited.type}` };
  const twice = [...claimed].filter(([, n]) => n > 1).map(([job]) => job);
  const doneTwice = [...finished].filter(([, n]) => n > 1).map(([job]) => job);
  let lost = [];
  let notDone = null;
  let running = null;
  if (audited.rows) {
    const rows = new Map(audited.rows.map(([id, status, worker]) => [id, { status, worker }]));
    // A job a worker committed as DONE that the database does not show DONE by
    // that worker: its commit was lost.
    lost = done.filter(([job, w]) => rows.get(job)?.status !== "DONE" || rows.get(job)?.worker !== w).map(([job]) => job);
    notDone = jobs - audited.rows.filter(([, status]) => status === "DONE").length;
    running = audited.rows.filter(([, status]) => status === "RUNNING").length;
    audit.rows = audited.rows.length;
  } else {
    audit.unreadable = audited.rowsError ?? audited.message ?? audited.type;
  }
  const exactlyOnce = completed && audited.rows !== undefined && audited.rows.length === jobs && notDone === 0 &&
    finished.size === jobs && doneTwice.length === 0 && twice.length === 0 && lost.length === 0;
  return {
    exits,
    completed,
    failure: ends.map((e) => e.failure).filter(Boolean)[0] ?? null,
    elapsedMs,
    done: done.length,
    jobsPerS: done.length / (elapsedMs / 1000),
    transactions: txs.length,
    busy,
    errors,
    handoffs: gaps.length,
    handoffP50Ms: gaps.length ? gaps[Math.floor(gaps.length / 2)] : null,
    claimedTwice: twice,
    twiceDetail,
    doneTwice,
    lost,
    leaseLost,
    notDone,
    running,
    exactlyOnce,
    ...audit,
  };
}

/** Remove the run's files from OPFS (the VFSes that keep more than the database
 *  and its journals name theirs after it). */
async function removeFiles(path) {
  try {
    const root = await navigator.storage.getDirectory();
    for await (const name of root.keys()) {
      if (name.startsWith(path)) await root.removeEntry(name, { recursive: true }).catch(() => {});
    }
  } catch {
    // Best effort: the profile is thrown away with the browser.
  }
}

window.peers = { run, probe };
