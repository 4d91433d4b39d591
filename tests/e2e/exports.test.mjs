// Exports of the last finished run, from the page's buttons and from
// `locklab.export(kind)`: every kind, checked by a reader that is not the page's
// own code: the database by Debian's sqlite3 command (integrity and counts), the
// trace by scripts/check-chrome-trace.py (a track per worker), the PNG by its
// header (at least 1200 px wide), the SVG by the browser's XML parser.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { openPage } from "./session.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, "artifacts", "exports");
const KINDS = ["timeline.png", "timeline.svg", "report.json", "metrics.csv", "trace.json", "database.db"];
let session, page;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  session = await openPage();
  [page] = session.pages;
});

after(async () => session?.close());

/** What Debian's sqlite3 says of the database file at `path`. */
function sqlite3(path) {
  const ask = (sql) => execFileSync("sqlite3", [path, sql], { encoding: "utf8" }).trim();
  return {
    integrity: ask("PRAGMA integrity_check"),
    jobs: Number(ask("SELECT count(*) FROM jobs")),
    done: Number(ask("SELECT count(*) FROM jobs WHERE status = 'DONE'")),
  };
}

/** Check the file of each kind against `report`, the run's report. */
async function check(kind, bytes, report, prefix) {
  const path = join(artifacts, `${prefix}-${kind}`);
  await writeFile(path, bytes);
  const text = () => bytes.toString("utf8");
  switch (kind) {
    case "timeline.png": {
      assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG signature");
      assert.equal(bytes.subarray(12, 16).toString("latin1"), "IHDR");
      const [width, height] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
      assert.ok(width >= 1200, `${width} px wide`);
      assert.ok(height >= 200, `${height} px high`);
      break;
    }
    case "timeline.svg": {
      const parsed = await page.evaluate((svg) => {
        const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
        return {
          error: doc.querySelector("parsererror")?.textContent ?? null,
          root: doc.documentElement.localName,
          lanes: [...doc.querySelectorAll("g[data-lane]")].map((g) => g.dataset.lane),
          title: doc.querySelector('[data-role="title"]')?.textContent,
        };
      }, text());
      assert.equal(parsed.error, null);
      assert.equal(parsed.root, "svg");
      assert.deepEqual(parsed.lanes, report.workers.map((w) => `${w.role === "reader" ? "reader" : "worker"} ${w.id}`));
      assert.equal(parsed.title, `locklab: ${report.scenario.name}`);
      break;
    }
    case "report.json":
      assert.deepEqual(JSON.parse(text()), report);
      break;
    case "metrics.csv": {
      const rows = text().trim().split("\r\n").map((line) => line.split(","));
      assert.equal(rows.length, 1 + report.workers.length, "a header and a row per worker");
      const done = rows[0].indexOf("jobs_done");
      assert.deepEqual(rows.slice(1).map((r) => Number(r[done])), report.workers.map((w) => w.jobs_done));
      break;
    }
    case "trace.json": {
      const doc = JSON.parse(text());
      const processes = doc.traceEvents.filter((e) => e.ph === "M" && e.name === "process_name").map((e) => e.args.name);
      for (const w of report.workers) {
        assert.ok(processes.some((name) => name.includes(`${w.id}`)), `a track for worker ${w.id}: ${processes}`);
      }
      execFileSync("python3", [join(here, "..", "..", "scripts", "check-chrome-trace.py"), path], { encoding: "utf8" });
      break;
    }
    case "database.db": {
      assert.equal(bytes.subarray(0, 16).toString("latin1"), "SQLite format 3\0");
      const read = sqlite3(path);
      assert.equal(read.integrity, "ok");
      assert.equal(read.jobs, report.jobs.seeded);
      assert.equal(read.done, report.jobs.done);
      break;
    }
  }
}

test("each export of a run started from the page downloads from its button", async () => {
  await page.getByTestId("preset").selectOption("wall-of-red");
  await page.getByTestId("run").click();
  await page.getByTestId("run-report").waitFor({ timeout: 60_000 });
  const report = await page.evaluate(() => locklab.export("report.json").then((b) => b.text()).then(JSON.parse));
  assert.equal(report.scenario.name, "wall-of-red");
  for (const kind of KINDS) {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId(`export-${kind}`).click()]);
    assert.equal(download.suggestedFilename(), `locklab-wall-of-red-${kind}`);
    await check(kind, await readFile(await download.path()), report, "page");
    await page.getByTestId("export-status").getByText(`${kind} saved`).waitFor();
  }
});

test("each export of a run started from the API comes from locklab.export as a Blob", async () => {
  // WAL on memory storage: the database file comes out checkpointed.
  const report = await page.evaluate(() =>
    locklab.run({ name: "api <run> & co", workers: 3, readers: 1, jobs: 60, journal_mode: "wal", busy_timeout_ms: 2000 }, { storage: "memory" }),
  );
  assert.equal(report.outcome, "completed");
  assert.equal(report.journal_mode, "wal");
  for (const kind of KINDS) {
    const blob = await page.evaluate(async (kind) => {
      const blob = await locklab.export(kind);
      return { type: blob.type, bytes: [...new Uint8Array(await blob.arrayBuffer())], isBlob: blob instanceof Blob };
    }, kind);
    assert.ok(blob.isBlob, kind);
    assert.notEqual(blob.type, "", `${kind} has a media type`);
    await check(kind, Buffer.from(blob.bytes), report, "api");
  }
});

test("a bad kind is refused with the kinds allowed", async () => {
  for (const bad of ["timeline.gif", 42, undefined]) {
    const refused = await page.evaluate((bad) => locklab.export(bad).then(() => "resolved", (e) => String(e)), bad);
    assert.match(refused, /^locklab\.export: /);
    for (const kind of KINDS) assert.ok(refused.includes(`"${kind}"`), `${refused} names ${kind}`);
  }
});
