// One Web Worker of a peer's run (bench-peers.mjs): one connection through one of
// the peers' VFSes, and locklab's job queue on it, statement for statement as
// src/engine runs the short-wal-work0 preset (short IMMEDIATE transactions, work 0,
// result_batch 1, claim index, retry_delay 5 ms, only lock errors retried). Roles:
// "seed" creates and fills the queue, "work" runs the job loop, "audit" reads the
// queue back and runs integrity_check. Every committed write transaction is
// reported with its times (performance.timeOrigin + now(), one clock for all
// workers), from which the page counts the hand-offs.
const LIB = "./node_modules/";

const CREATE_JOBS = `CREATE TABLE IF NOT EXISTS jobs(
    id INTEGER PRIMARY KEY, queue TEXT, status TEXT, created_at INTEGER,
    heartbeat_at INTEGER, worker INTEGER, result TEXT, error TEXT)`;
const CREATE_CLAIM_INDEX = `CREATE INDEX IF NOT EXISTS idx_jobs_queue_status_created_at
    ON jobs(queue, status, created_at)`;
const INSERT_JOB = "INSERT INTO jobs(id, queue, status, created_at) VALUES (?1, 'default', 'QUEUED', ?1)";
const SELECT_QUEUED =
  "SELECT id FROM jobs WHERE queue = 'default' AND status = 'QUEUED' ORDER BY created_at LIMIT 1";
const CLAIM =
  "UPDATE jobs SET status = 'RUNNING', worker = ?1, heartbeat_at = ?2 WHERE id = ?3 AND status = 'QUEUED'";
const MARK_DONE = "UPDATE jobs SET status = 'DONE', result = ?1, heartbeat_at = ?2 " +
  "WHERE id = ?3 AND worker = ?4 AND status = 'RUNNING'";
const RETRY_DELAY_MS = 5;

/** The peers: which library, which build, which VFS. */
const PEERS = {
  "opfs": { lib: "official", vfs: "opfs" },
  "opfs-wl": { lib: "official", vfs: "opfs-wl" },
  "OPFSCoopSyncVFS": { lib: "wa", build: "wa-sqlite.mjs" },
  "OPFSWriteAheadVFS": { lib: "wa", build: "wa-sqlite.mjs" },
  "OPFSAdaptiveVFS": { lib: "wa", build: "wa-sqlite-async.mjs" },
  "OPFSPermutedVFS": { lib: "wa", build: "wa-sqlite-async.mjs" },
};

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class TimeLimit extends Error {}

/** A connection with one small interface over either library. Errors are thrown
 *  as { code, message } with SQLite's extended result code. */
async function open(peerName, path) {
  const peer = PEERS[peerName];
  if (!peer) throw new Error(`no peer ${peerName}`);
  return peer.lib === "official" ? openOfficial(peer, path) : openWa(peerName, peer, path);
}

async function openOfficial(peer, path) {
  // Only the VFS asked for starts its async proxy worker.
  const others = ["opfs", "opfs-wl", "opfs-sahpool"].filter((v) => v !== peer.vfs);
  globalThis.sqlite3ApiConfig = {
    disable: { vfs: Object.fromEntries(others.map((v) => [v, true])) },
    warn: () => {},
  };
  const { default: init } = await import(`${LIB}@sqlite.org/sqlite-wasm/dist/index.mjs`);
  const sqlite3 = await init();
  if (!sqlite3.capi.sqlite3_vfs_find(peer.vfs)) throw new Error(`sqlite-wasm has no VFS ${peer.vfs} here`);
  const db = new sqlite3.oo1.DB({ filename: `/${path}`, flags: "c", vfs: peer.vfs });
  const wrap = (f) => {
    try {
      return f();
    } catch (e) {
      throw { code: e.resultCode ?? -1, message: String(e.message ?? e) };
    }
  };
  const cached = new Map();
  return {
    version: sqlite3.version.libVersion,
    exec: async (sql) => wrap(() => db.exec(sql)),
    one: async (sql) => wrap(() => db.selectValue(sql) ?? null),
    rows: async (sql) => wrap(() => db.selectArrays(sql)),
    run: async (sql, params) =>
      wrap(() => {
        let stmt = cached.get(sql);
        if (!stmt) cached.set(sql, (stmt = db.prepare(sql)));
        try {
          if (params.length > 0) stmt.bind(params);
          const row = stmt.step() ? stmt.get(0) : null;
          return { row, changes: db.changes() };
        } finally {
          try {
            stmt.reset(true);
          } catch {
            // The step's error again; it was thrown already.
          }
        }
      }),
    autocommit: () => sqlite3.capi.sqlite3_get_autocommit(db.pointer) !== 0,
    close: async () => {
      for (const s of cached.values()) s.finalize();
      db.close();
    },
  };
}

async function openWa(name, peer, path) {
  const base = `${LIB}@journeyapps/wa-sqlite/`;
  const { default: factory } = await import(`${base}dist/${peer.build}`);
  const SQLite = await import(`${base}src/sqlite-api.js`);
  const { [name]: Vfs } = await import(`${base}src/examples/${name}.js`);
  const module = await factory();
  const sqlite3 = SQLite.Factory(module);
  const vfs = await Vfs.create(name, module);
  sqlite3.vfs_register(vfs, true);
  const wrap = async (f) => {
    try {
      return await f();
    } catch (e) {
      throw { code: e.code ?? -1, message: String(e.message ?? e) };
    }
  };
  const db = await wrap(() => sqlite3.open_v2(path));
  const cached = new Map();
  const prepare = async (sql) => {
    for await (const stmt of sqlite3.statements(db, sql, { unscoped: true })) return stmt;
  };
  const all = async (sql) => {
    const rows = [];
    await sqlite3.exec(db, sql, (row) => rows.push([...row]));
    return rows;
  };
  return {
    version: sqlite3.libversion(),
    exec: (sql) => wrap(() => sqlite3.exec(db, sql)),
    one: (sql) => wrap(async () => (await all(sql))[0]?.[0] ?? null),
    rows: (sql) => wrap(() => all(sql)),
    run: (sql, params) =>
      wrap(async () => {
        let stmt = cached.get(sql);
        if (!stmt) cached.set(sql, (stmt = await prepare(sql)));
        try {
          sqlite3.bind_collection(stmt, params);
          const row = (await sqlite3.step(stmt)) === SQLite.SQLITE_ROW ? sqlite3.column(stmt, 0) : null;
          return { row, changes: sqlite3.changes(db) };
        } finally {
          try {
            await sqlite3.reset(stmt);
          } catch {
            // The step's error again; it was thrown already.
          }
        }
      }),
    autocommit: () => sqlite3.get_autocommit(db) !== 0,
    close: async () => {
      for (const s of cached.values()) await sqlite3.finalize(s);
      await sqlite3.close(db);
    },
  };
}

const isLockError = (code) => (code & 0xff) === 5 || (code & 0xff) === 6;

/** SQLite's name of the primary result codes the runs meet. */
const NAMES = { 1: "SQLITE_ERROR", 5: "SQLITE_BUSY", 6: "SQLITE_LOCKED", 10: "SQLITE_IOERR", 11: "SQLITE_CORRUPT",
  14: "SQLITE_CANTOPEN", 26: "SQLITE_NOTADB" };
const codeName = (code) => (NAMES[code & 0xff] ?? `code ${code & 0xff}`) + ((code & ~0xff) ? ` (extended ${code})` : "");
/** An error in words: its code's name, then the library's message (sqlite-wasm's
 *  starts with the name already). */
const describe = (e) => (String(e.message).startsWith("SQLITE_") ? e.message : `${codeName(e.code)}: ${e.message}`);

async function seed(conn, { jobs }) {
  await conn.exec("PRAGMA busy_timeout = 5000");
  const journal = await conn.one("PRAGMA journal_mode = wal");
  await conn.exec("BEGIN IMMEDIATE");
  await conn.exec(CREATE_JOBS);
  await conn.exec(CREATE_CLAIM_INDEX);
  for (let id = 1; id <= jobs; id++) await conn.run(INSERT_JOB, [id]);
  await conn.exec("COMMIT");
  return { journal };
}

async function audit(conn) {
  const out = {};
  try {
    out.rows = await conn.rows("SELECT id, status, worker FROM jobs ORDER BY id");
  } catch (e) {
    out.rowsError = describe(e);
  }
  try {
    out.integrity = (await conn.rows("PRAGMA integrity_check")).map((r) => r[0]).join("; ");
  } catch (e) {
    out.integrity = `integrity_check failed: ${describe(e)}`;
  }
  return out;
}

/** The job loop of locklab's short style, until the queue is empty or the time
 *  limit; what it committed goes to the page in batches. */
async function work(conn, { worker, start, deadline }) {
  const errors = {};
  let pending = { claims: [], done: [], txs: [] };
  let flushed = now();
  const flush = () => {
    postMessage({ type: "progress", ...pending });
    pending = { claims: [], done: [], txs: [] };
    flushed = now();
  };
  const runClock = () => Math.round((now() - start) * 1000);
  const checkTime = () => {
    if (now() - flushed > 100) flush();
    if (now() >= deadline) throw new TimeLimit();
  };
  const failed = (e) => {
    errors[codeName(e.code)] = (errors[codeName(e.code)] ?? 0) + 1;
  };
  const commit = async () => {
    for (;;) {
      try {
        return await conn.exec("COMMIT");
      } catch (e) {
        if (e.code === undefined) throw e;
        failed(e);
        if ((e.code & 0xff) !== 5 || conn.autocommit()) throw e;
        checkTime();
        await sleep(RETRY_DELAY_MS);
      }
    }
  };
  // One step in a BEGIN IMMEDIATE transaction, retried after lock errors.
  const transaction = async (body) => {
    for (;;) {
      checkTime();
      const tb = now();
      try {
        await conn.exec("BEGIN IMMEDIATE");
        const t0 = now();
        const value = await body();
        await commit();
        const t1 = now();
        pending.txs.push([t0, t1]);
        return { ...value, tb, t0, t1 };
      } catch (e) {
        if (e instanceof TimeLimit || e.code === undefined) throw e;
        failed(e);
        if (!conn.autocommit()) {
          try {
            await conn.exec("ROLLBACK");
          } catch (r) {
            failed(r);
          }
        }
        if (!isLockError(e.code)) throw e;
        await sleep(RETRY_DELAY_MS);
      }
    }
  };

  let exit = "completed";
  let failure = null;
  try {
    for (;;) {
      const claim = await transaction(async () => {
        const { row: job } = await conn.run(SELECT_QUEUED, []);
        if (job === null) return { empty: true };
        const { changes } = await conn.run(CLAIM, [worker, runClock(), job]);
        return { job, got: changes === 1 };
      });
      if (claim.empty) break;
      if (!claim.got) {
        await sleep(RETRY_DELAY_MS);
        continue;
      }
      pending.claims.push([claim.job, claim.tb, claim.t0, claim.t1]);
      const text = `job ${claim.job} processed by worker ${worker}`;
      const { changes } = await transaction(() => conn.run(MARK_DONE, [text, runClock(), claim.job, worker]));
      if (changes === 1) pending.done.push(claim.job);
      else pending.leaseLost = (pending.leaseLost ?? 0) + 1;
    }
  } catch (e) {
    if (e instanceof TimeLimit) exit = "time limit";
    else {
      exit = "failed";
      failure = e.code === undefined ? String(e.stack ?? e) : describe(e);
    }
  }
  flush();
  try {
    await conn.close();
  } catch (e) {
    errors[`close: ${codeName(e.code)}`] = 1;
  }
  return { exit, failure, errors };
}

/** The connection's PRAGMAs, as the engine's configure(): retried after lock
 *  errors (another connection may hold a lock journal_mode needs). Returns what
 *  journal_mode answered. */
async function configure(conn, { busyTimeout, synchronous }) {
  const until = now() + 20000;
  for (;;) {
    try {
      await conn.exec(`PRAGMA busy_timeout = ${busyTimeout}`);
      await conn.exec(`PRAGMA synchronous = ${synchronous}`);
      return await conn.one("PRAGMA journal_mode = wal");
    } catch (e) {
      if (e.code === undefined || !isLockError(e.code) || now() > until) throw e;
      await sleep(RETRY_DELAY_MS);
    }
  }
}

let conn = null;
let task = null;
onmessage = async ({ data }) => {
  try {
    if (data.type === "open") {
      conn = await open(data.peer, data.path);
      if (data.role === "seed") {
        const seeded = await seed(conn, data);
        await conn.close();
        postMessage({ type: "end", version: conn.version, ...seeded });
      } else if (data.role === "session") {
        // A connection that runs what it is sent, one statement at a time (the
        // upgrade probe of host.mjs).
        await conn.exec("PRAGMA busy_timeout = 5000");
        postMessage({ type: "opened" });
      } else if (data.role === "audit") {
        const audited = await audit(conn);
        await conn.close();
        postMessage({ type: "end", ...audited });
      } else {
        task = data;
        postMessage({ type: "opened", journal: await configure(conn, data) });
      }
    } else if (data.type === "sql") {
      try {
        postMessage({ type: "result", value: await conn.one(data.sql), at: now() });
      } catch (e) {
        postMessage({ type: "result", error: e.code !== undefined ? codeName(e.code) : String(e), at: now() });
      }
    } else if (data.type === "go") {
      postMessage({ type: "end", ...(await work(conn, { ...task, ...data })) });
    }
  } catch (e) {
    const message = e?.code !== undefined ? describe(e) : String(e?.stack ?? e);
    postMessage({ type: "error", message });
  }
};
