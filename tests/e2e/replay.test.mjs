// Replay a finished run for narration: play at 1/10, pause, step; the playhead's
// time and the lock states listed there agree with the run's own Chrome trace.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { openPage } from "./session.mjs";

const here = dirname(fileURLToPath(import.meta.url));
let session, page;

before(async () => {
  session = await openPage();
  [page] = session.pages;
});

after(async () => session?.close());

// Per worker, its lock-level track's slices (lock levels and busy waits) from a
// Chrome trace, and every moment anything happened.
function readTrace(doc) {
  const tracks = new Map();
  for (const e of doc.traceEvents) {
    if (e.ph === "M" && e.name === "thread_name" && e.args.name === "queue: lock level") tracks.set(`${e.pid}/${e.tid}`, e.pid - 1);
  }
  const slices = new Map();
  const moments = new Set();
  for (const e of doc.traceEvents) {
    if (e.ph === "X" || e.ph === "i") moments.add(Math.round(e.ts));
    if (e.ph === "X") moments.add(Math.round(e.ts + e.dur));
    const worker = tracks.get(`${e.pid}/${e.tid}`);
    if (e.ph !== "X" || worker === undefined) continue;
    if (!slices.has(worker)) slices.set(worker, []);
    slices.get(worker).push({ name: e.name, from: e.ts, to: e.ts + e.dur });
  }
  return { slices, moments };
}

// What the trace says worker `w` was doing at `t`: a busy wait, a lock level, or
// no lock; null when `t` is within 2 µs of a boundary (either side is right).
function stateAt(slices, t) {
  if (slices.some((s) => Math.abs(s.from - t) <= 2 || Math.abs(s.to - t) <= 2)) return null;
  const inside = slices.filter((s) => s.from < t && t < s.to);
  if (inside.some((s) => s.name === "busy wait")) return "busy wait";
  return inside.find((s) => s.name !== "busy wait")?.name ?? "no lock";
}

const playhead = async () => Number(await page.getByTestId("replay").getAttribute("data-playhead-us"));

test("replay at 1/10: pause, step, and the states listed at the playhead are the trace's", async () => {
  await page.getByTestId("preset").selectOption("wall-of-red");
  await page.getByTestId("run").click();
  await page.getByTestId("run-report").waitFor({ timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-trace.json").click()]);
  const { slices, moments } = readTrace(JSON.parse(await readFile(await download.path(), "utf8")));

  await page.getByTestId("replay-speed").selectOption({ label: "1/10" });
  await page.getByTestId("replay-play").click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="replay"]').dataset.playheadUs) > 20_000, null, { timeout: 30_000 });
  await page.getByTestId("replay-play").click();
  assert.equal(await page.getByTestId("replay").getAttribute("data-playing"), "false");
  let checked = 0;
  for (let step = 0; step < 40; step++) {
    const t = await playhead();
    const shown = Number((await page.getByTestId("replay-time").innerText()).match(/^([\d.]+) ms of /)[1]);
    // Shown to 10 µs: within 5 µs, and a hair for the float product.
    assert.ok(Math.abs(shown * 1000 - t) <= 5.001, `the time shown, ${shown} ms, is the playhead's ${t} µs`);
    const lines = await page.getByTestId("replay-moment").locator("li").allInnerTexts();
    assert.equal(lines.length, 4, "one line per worker");
    for (const [w, line] of lines.entries()) {
      const expected = stateAt(slices.get(w) ?? [], t);
      if (expected === null) continue;
      assert.ok(line.startsWith(`worker ${w}: ${expected}`), `at ${t} µs: "${line}", the trace says ${expected}`);
      checked++;
    }
    // `.` steps to the next moment the trace has.
    await page.locator("body").press(".");
    const next = await playhead();
    assert.ok(next > t, `a step forward from ${t} went to ${next}`);
    const skipped = [...moments].filter((m) => t + 1 < m && m < next - 1);
    assert.deepEqual(skipped, [], `a step from ${t} to ${next} µs passed over moments of the trace`);
  }
  assert.ok(checked >= 80, `${checked} lane states compared`);
  const t = await playhead();
  await page.locator("body").press(",");
  assert.ok((await playhead()) < t, "a step back goes back");
  await page.locator("body").press(" ");
  assert.equal(await page.getByTestId("replay").getAttribute("data-playing"), "true", "Space plays");
  await page.locator("body").press(" ");
  assert.equal(await page.getByTestId("replay").getAttribute("data-playing"), "false", "and pauses");
  await page.getByTestId("replay").screenshot({ path: join(here, "artifacts", "replay.png") });
});
