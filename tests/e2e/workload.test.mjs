// A workload of one's own in the page (docs/workload.md): the gallery's counter,
// whose read is outside its write transaction, run through locklab.run and
// through the page's Run button: its check catches the lost updates, its lanes
// are named by role, its key numbers are transactions; a malformed workload is
// refused at the path of its field; a workload of the gallery can be picked
// beside the knobs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { openPage } from "./session.mjs";
import { runEnabled, textMatching } from "./wait.mjs";

const counter = JSON.parse(await readFile(new URL("../../static/workloads/counter.json", import.meta.url)));
let session, page;

before(async () => {
  session = await openPage();
  [page] = session.pages;
});
after(async () => session?.close());

test("locklab.run takes a workload: its check catches the lost updates, its workers play their roles", async () => {
  const r = await page.evaluate((w) => window.locklab.run(w, { storage: "opfs" }), counter);
  assert.equal(r.outcome, "completed");
  assert.equal(r.transactions.committed, 200, "every write committed");
  assert.equal(r.checks.length, 1);
  assert.equal(r.checks[0].expected, 200);
  assert.ok(r.checks[0].got < 200, `${r.checks[0].got} of 200 increments counted`);
  assert.equal(r.checks[0].ok, false);
  assert.equal(r.invariants.checks_pass, false);
  assert.deepEqual(r.workers.map((w) => w.plays), ["incrementer", "incrementer", "incrementer", "incrementer"]);
  assert.equal(r.integrity_check, "ok");
});

test("a malformed workload is refused at the path of its field", async () => {
  const said = await page.evaluate(() =>
    window.locklab.run({ roles: [{ name: "a", steps: [{ sql: ["SELECT 1", 3] }] }] }).then(() => "ran", String));
  assert.match(said, /scenario field `roles\[0\]\.steps\[0\]\.sql\[1\]`: expected an object with sql/);
});

test("loaded into the page and run with its button: the check under the invariants, lanes by role, transactions in the key numbers", async () => {
  await page.evaluate((w) => window.locklab.load(w), counter);
  await runEnabled(page);
  await page.getByTestId("run").click();
  await page.getByTestId("workload-not-judged").waitFor({ timeout: 120_000 });
  const invariants = await page.getByTestId("invariants").innerText();
  assert.match(invariants, /FAILED: every increment counted \(expected 200, got \d+\)/);
  assert.match(await page.getByTestId("key-done").innerText(), /committed\s*200/);
  // The timeline's first lane, reached by keyboard, is named by its role.
  await page.getByTestId("timeline-canvas").first().focus();
  await page.keyboard.press("ArrowRight");
  await textMatching(page.getByTestId("timeline-details").first(), /^incrementer 0 at [\d.]+ ms/);
});

test("a workload of the gallery picked beside the knobs is the scenario Run runs", async () => {
  await page.getByTestId("preset").selectOption("workload:session-store");
  const current = await page.evaluate(() => window.locklab.current());
  assert.equal(current.roles?.[0]?.name !== undefined, true, "the draft is the workload");
  const session = JSON.parse(await readFile(new URL("../../static/workloads/session-store.json", import.meta.url)));
  assert.deepEqual(current.roles.map((r) => r.name), session.roles.map((r) => r.name));
  await runEnabled(page);
  await page.getByTestId("run").click();
  await page.getByTestId("invariants").waitFor({ timeout: 120_000 });
  assert.match(await page.getByTestId("key-done").innerText(), /committed\s*\d+/);
});
