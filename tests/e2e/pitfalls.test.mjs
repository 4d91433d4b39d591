// The article's pitfalls in the page, each run by keyboard as a learner runs a
// lesson (1 predicts, R runs): the page's numbers are the run's, and what the
// run showed agrees with the lesson. A dashboard's long reads grow the WAL, drawn
// as the WAL's length over each run; four tasks on one connection fail with
// SQLITE_ERROR where a lock around it does every job once; a busy handler that
// keeps the interpreter lock stalls its own process.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { openPage } from "./session.mjs";
import { ready, runEnabled } from "./wait.mjs";

const artifacts = join(dirname(fileURLToPath(import.meta.url)), "artifacts");
let session, page;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  session = await openPage();
  page = session.pages[0];
});
after(async () => session?.close());

/** Open lesson `id`, predict the first choice and run it, by keyboard; wait for its verdict. */
async function runLesson(id) {
  await page.goto(new URL(`#lesson=${id}`, page.url()).href);
  await page.waitForFunction((id) => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === id, id);
  await ready(page);
  await runEnabled(page);
  await page.keyboard.press("1");
  await page.keyboard.press("r");
  await page.getByTestId("lesson-explanation").waitFor({ timeout: 180_000 });
  const check = page.getByTestId("check");
  assert.equal(await check.getAttribute("data-appeared"), "true", `${id}: ${await check.innerText()}`);
  return check.innerText();
}

test("a dashboard's long reads grow the WAL: each run's WAL drawn, its length and restarts from the run", async () => {
  await runLesson("wal-growth");
  const charts = page.getByTestId("compared").getByTestId("wal-chart");
  assert.equal(await charts.count(), 2, "one WAL chart per run");
  const said = await page.getByTestId("compared").getByTestId("wal").allInnerTexts();
  const [long, short] = said.map((s) => s.match(/grew to ([\d.]+) (MB|KB); (\d+) checkpoints ran, and the log started over (\d+) times/));
  assert.ok(long && short, said.join(" | "));
  const mb = (m) => Number(m[1]) * (m[2] === "MB" ? 1 : 0.001);
  assert.ok(mb(long) >= 4 * mb(short), said.join(" | "));
  assert.equal(long[4], "0", "long reads: the log never started over");
  assert.ok(Number(short[4]) > 0, "short reads: it started over");
  await charts.first().locator("polyline").waitFor();
  await page.getByTestId("compared").screenshot({ path: join(artifacts, "wal-growth-compared.png") });
});

test("four tasks on one connection: SQLITE_ERROR and jobs left RUNNING; a lock around it does every job once", async () => {
  const said = await runLesson("shared-connection");
  const [, errors, , , done, seeded, stuck] = said.match(/(\d+) SQLITE_ERROR, (\d+) SQLITE_LOCKED, (\d+) COMMITs .*?, (\d+) of (\d+) jobs done and (\d+) left RUNNING/);
  assert.ok(Number(errors) > 0 && Number(done) < Number(seeded) && Number(stuck) >= 0, said);
  assert.match(said, /With a lock around the connection: 0 errors, (\d+) of \1 done/);
});

test("a busy handler that keeps the interpreter lock stalls its own process; the yielding one does not", async () => {
  const said = await runLesson("interpreter-lock");
  const [, busy, waited] = said.match(/(\d+) SQLITE_BUSY; a worker waited (\d+) ms for the interpreter lock/);
  assert.ok(Number(busy) > 0 && Number(waited) >= 900, said);
  assert.match(said, /The yielding handler: 0 lock errors/);
  // The lane says whom its worker waited for.
  const legend = await page.getByTestId("compared").getByTestId("legend").innerText();
  assert.match(legend, /interpreter wait: waiting for its process's interpreter lock/);
});
