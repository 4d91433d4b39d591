// Who blocks whom in the page (issue 10): a refused lock's mark says in words who
// held the lock in the way; every refused lock of a wall of red names a holder that
// held a lock refusing it at that moment, checked event by event in the run's own
// Chrome trace; the report's wait-for matrix adds up; and a screenshot of the
// wait-for edges is kept for a person to look at.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { openPage, openDrawer, closeDrawer } from "./session.mjs";
import { jobsDoneAbove, textMatching } from "./wait.mjs";

const artifacts = join(dirname(fileURLToPath(import.meta.url)), "artifacts");
const LANE = 34;
const NAMES = 76;
const EDGE = [0x00, 0x72, 0xb2];
let session, page;

before(async () => {
  session = await openPage();
  page = session.pages[0];
  await mkdir(artifacts, { recursive: true });
});

after(async () => {
  await session?.close();
});

// The canvas's blue pixels: refusal dots (5 px wide, 4 px below a lane's top) and
// the edges' pixels in lanes other than `except`.
function blue(page, except = -1) {
  return page.getByTestId("timeline-canvas").evaluate((canvas, [edge, lane, names, except]) => {
    const { width, height } = canvas;
    const data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
    const isBlue = (x, y) => {
      const i = (y * width + x) * 4;
      return data[i] === edge[0] && data[i + 1] === edge[1] && data[i + 2] === edge[2];
    };
    const dots = [];
    let elsewhere = 0;
    for (let l = 0; (l + 1) * lane <= height - 18; l++) {
      const y = l * lane + 4;
      for (let x = names + 2; x < width - 2; x++) {
        if ([-2, -1, 0, 1, 2].every((d) => isBlue(x + d, y))) dots.push({ lane: l, x, y });
      }
      if (l !== except) {
        for (let yy = l * lane + 8; yy < (l + 1) * lane; yy++) {
          for (let x = names; x < width; x++) if (isBlue(x, yy)) elsewhere++;
        }
      }
    }
    return { dots, elsewhere };
  }, [EDGE, LANE, NAMES, except]);
}

// The unix VFS's rules, written out again: whether a lock level held by another
// connection refuses a request for `wanted`.
function refuses(held, wanted) {
  const level = ["NONE", "SHARED", "RESERVED", "PENDING", "EXCLUSIVE"].indexOf(held);
  if (wanted === "SHARED") return level >= 3;
  if (wanted === "RESERVED") return level >= 2;
  if (wanted === "PENDING" || wanted === "EXCLUSIVE") return level >= 1;
  return false;
}

test("pointing at a refused lock of the wall of red says who held the lock in the way", async () => {
  await page.getByTestId("preset").selectOption("wall-of-red");
  await page.getByTestId("run").click();
  await page.getByTestId("run-report").waitFor({ timeout: 60_000 });
  const canvas = page.getByTestId("timeline-canvas");
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const { dots } = await blue(page);
  assert.ok(dots.length > 10, `refusals are dots on the lanes: ${dots.length}`);
  const dot = dots[Math.floor(dots.length / 2)];
  await page.mouse.move(box.x + dot.x, box.y + dot.y);
  const details = page.getByTestId("timeline-details");
  const said = await textMatching(
    details,
    /worker (\d+) asked for (SHARED|RESERVED|PENDING|EXCLUSIVE) at ([\d.]+) ms; worker (\d+) holds (SHARED|RESERVED|PENDING|EXCLUSIVE) since ([\d.]+) ms(?: \(in the way since [\d.]+ ms\))?(, in `[^`]+`|, between statements of its transaction \([^)]+\))/,
  );
  const [, asker, wanted, at, holder, held, since] = said.match(
    /worker (\d+) asked for (\w+) at ([\d.]+) ms; worker (\d+) holds (\w+) since ([\d.]+) ms/,
  );
  assert.equal(Number(asker), dot.lane, "the sentence is about the lane pointed at");
  assert.notEqual(holder, asker);
  assert.ok(refuses(held, wanted), `${held} refuses ${wanted}`);
  assert.ok(Number(since) <= Number(at), "held since before the refusal");

  // The lane pointed at shows its edges to the holders' lanes, crowded as the
  // wall is; a screenshot for a person to look at.
  // (The details come with the pointer's move; the canvas is painted again in the
  // effect after that render, which may come a task later.)
  let elsewhere = 0;
  for (let i = 0; i < 50 && elsewhere === 0; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    ({ elsewhere } = await blue(page, dot.lane));
  }
  assert.ok(elsewhere > 0, "edges reach other lanes");
  await canvas.screenshot({ path: join(artifacts, "wait-for-edges.png") });
  // Zoomed in, every lane's edges stand apart.
  const view = page.getByTestId("timeline-view");
  for (let i = 0; i < 4; i++) await view.getByRole("button", { name: "Zoom in" }).click();
  await page.mouse.move(box.x + 2, box.y + 2);
  await view.screenshot({ path: join(artifacts, "wait-for-edges-zoomed.png") });
  await view.getByRole("button", { name: "Whole run" }).click();

  // The metrics panel shows the matrix, and its cells add up to the refusals.
  const matrix = page.getByTestId("run-report").getByTestId("wait-for-matrix");
  const refused = Number(await matrix.getAttribute("data-refused"));
  const cells = await matrix.locator("td[data-refusals]").evaluateAll((tds) =>
    tds.reduce((sum, td) => sum + Number(td.dataset.refusals), 0),
  );
  assert.equal(cells, refused);
  assert.ok(refused > 10, `${refused} refusals`);
});

test("every refused lock of the page's wall of red names a holder in the way, event by event", async () => {
  // The run of the test before: its Chrome trace, written by the page.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-trace.json").click()]);
  const trace = JSON.parse(await readFile(await download.path(), "utf8"));
  const events = trace.traceEvents;
  const trackName = new Map(
    events.filter((e) => e.ph === "M" && e.name === "thread_name").map((e) => [`${e.pid}/${e.tid}`, e.args.name]),
  );
  const holds = events.filter((e) => e.ph === "X" && trackName.get(`${e.pid}/${e.tid}`) === "queue: lock level");
  const refusals = events.filter((e) => e.ph === "i" && / refused/.test(e.name));
  assert.ok(refusals.length > 10);
  for (const r of refusals) {
    const holder = r.args.holder;
    assert.notEqual(holder, null, `a holder for ${r.name} at ${r.ts}`);
    assert.notEqual(holder + 1, r.pid, "not the worker refused");
    // The page's VFS names the worker in the way; the trace bears it out.
    assert.equal(r.args.by, holder, `the shared VFS's word for ${r.name} at ${r.ts}`);
    const inTheWay = holds.some(
      (h) => h.pid === holder + 1 && h.ts <= r.ts && r.ts <= h.ts + h.dur && refuses(h.name, r.args.wanted),
    );
    assert.ok(inTheWay, `worker ${holder} held no lock refusing ${r.args.wanted} at ${r.ts}`);
  }
  const flows = events.filter((e) => e.ph === "s");
  assert.equal(flows.length, refusals.length, "an arrow to each refusal");
  const refused = Number(
    await page.getByTestId("run-report").getByTestId("wait-for-matrix").getAttribute("data-refused"),
  );
  assert.equal(refusals.length, refused, "the trace's refusals are the report's");
});

test("a busy wait says whom it waits for", async () => {
  await page.getByTestId("preset").selectOption("busy-timeout");
  await openDrawer(page, "scenario");
  await page.locator("#field-jobs").fill("30");
  await closeDrawer(page, "scenario");
  await page.getByTestId("run").click();
  const report = page.getByTestId("run-report");
  await report.waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="run-report"] [data-testid="wait-for-matrix"]'));
  const canvas = page.getByTestId("timeline-canvas");
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  // A busy wait's grey, in a lane's bar.
  const wait = await canvas.evaluate((canvas, [lane, names]) => {
    const { width, height } = canvas;
    const data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
    for (let l = 0; (l + 1) * lane <= height - 18; l++) {
      const y = l * lane + 18;
      for (let x = names + 40; x < width; x++) {
        const i = (y * width + x) * 4;
        if (data[i] === 0xa8 && data[i + 1] === 0xa8 && data[i + 2] === 0xa8) return { x, y };
      }
    }
    return null;
  }, [LANE, NAMES]);
  assert.ok(wait, "busy waits are painted");
  await page.mouse.move(box.x + wait.x, box.y + wait.y);
  await textMatching(
    page.getByTestId("timeline-details"),
    /busy wait from [\d.]+ ms to [\d.]+ ms: .*; waits for worker \d+ \(refused (RESERVED|EXCLUSIVE|SHARED) at [\d.]+ ms: worker \d+ holds/,
  );
  await page.mouse.move(box.x + 2, box.y + box.height + 40);
  await report.getByTestId("timeline-view").screenshot({ path: join(artifacts, "wait-for-busy-waits.png") });
});

test("the report's wait-for matrix adds up to the refused locks and the busy wait", async () => {
  const presets = await page.evaluate(() => window.locklab.presets());
  for (const name of ["wall-of-red", "busy-timeout"]) {
    const { scenario } = presets.find((p) => p.name === name);
    const report = await page.evaluate((s) => window.locklab.run(s), { ...scenario, jobs: 30 });
    assert.equal(report.jobs.done, 30, name);
    let refused = 0;
    for (const w of report.workers) {
      const rows = w.blocked_by;
      const n = rows.reduce((sum, b) => sum + b.refusals, 0);
      const ms = rows.reduce((sum, b) => sum + b.wait_ms, 0);
      assert.equal(n, w.refused_locks, `${name}, worker ${w.id}`);
      assert.ok(Math.abs(ms - w.busy_wait_ms) < 1e-3, `${name}, worker ${w.id}: ${ms} of ${w.busy_wait_ms} ms`);
      assert.ok(rows.every((b) => b.by !== w.id), "nobody blocks itself");
      refused += n;
    }
    assert.equal(refused, report.refused_locks, name);
    assert.ok(report.refused_locks > 0, name);
    if (name === "wall-of-red") {
      const unknown = report.workers.flatMap((w) => w.blocked_by).filter((b) => b.by === null);
      assert.deepEqual(unknown, [], "every refusal of the wall of red names a holder");
    } else {
      const known = report.workers
        .flatMap((w) => w.blocked_by)
        .filter((b) => b.by !== null)
        .reduce((sum, b) => sum + b.wait_ms, 0);
      assert.ok(known > 0.9 * report.busy_wait_ms, `${known} of ${report.busy_wait_ms} ms waited for a known holder`);
    }
  }
});

test("while you hold the write lock from the console, the workers' refusals name you", async () => {
  await page.evaluate(() => {
    window.running = window.locklab.run({ workers: 2, jobs: 200, transaction: "short",
        begin: "immediate", journal_mode: "delete", busy_timeout_ms: 0, work_ms: [2, 6] });
  });
  await jobsDoneAbove(page, 10);
  const report = await page.evaluate(async () => {
    const running = window.running;
    await window.locklab.sql("BEGIN IMMEDIATE");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await window.locklab.sql("COMMIT");
    return running;
  });
  const you = report.workers.find((w) => w.role === "console");
  assert.ok(you, "the console's lane is in the report");
  for (const w of report.workers.filter((w) => w.role === "writer")) {
    const byYou = w.blocked_by.find((b) => b.by === you.id);
    assert.ok(byYou?.refusals > 0, `worker ${w.id} was refused while you held the lock: ${JSON.stringify(w.blocked_by)}`);
  }
  const refused = report.workers.reduce((sum, w) => sum + w.blocked_by.reduce((s, b) => s + b.refusals, 0), 0);
  assert.equal(refused, report.refused_locks);
});
