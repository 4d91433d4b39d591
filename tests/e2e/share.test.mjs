// Share links: the address holds the lesson and the scenario's changes, a link
// opens the page as it was, `&run` runs it at once, and a link from another
// version that names a field this one lacks opens with a message.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openPage } from "./session.mjs";
import { ready } from "./wait.mjs";

let session, page;
before(async () => {
  session = await openPage();
  page = session.pages[0];
});
after(async () => session?.close());

const scenario = {
  name: "shared run", workers: 6, jobs: 90, transaction: "short", begin: "immediate",
  journal_mode: "wal", busy_timeout_ms: 250, work_ms: [2, 9], claim_index: false,
  faults: [{ kill: 2, at_ms: 50, holding: "wal_write" }], stale_after_ms: 200,
};

test("a shared link restores the lesson and the scenario exactly", async () => {
  await page.goto(new URL("#lesson=busy-timeout", page.url()).href);
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === "busy-timeout");
  const loaded = await page.evaluate((s) => window.locklab.load(s), scenario);
  assert.equal(loaded.workers, 6);
  // The knobs show it, as if typed.
  await page.waitForFunction(() => document.querySelector("#field-workers")?.value === "6");
  const current = await page.evaluate(() => window.locklab.current());
  const link = await page.evaluate(() => window.locklab.share());
  console.log(`# share link (${link.length} characters): ${link}`);
  assert.match(link, /#lesson=busy-timeout&s=/);
  assert.ok(link.length < 400, `${link.length} characters`);
  // The address bar holds the same state.
  assert.equal(new URL(page.url()).hash, new URL(link).hash);

  const other = await session.browser.newPage();
  await other.goto(link);
  await ready(other);
  await other.waitForFunction(() => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === "busy-timeout");
  assert.deepEqual(await other.evaluate(() => window.locklab.current()), current);
  // The Share button shows the same link.
  await other.getByTestId("share").click();
  assert.equal(await other.getByTestId("share-link").inputValue(), link);
  await other.close();
});

test("the API refuses a scenario it cannot load, naming the field", async () => {
  const refused = await page.evaluate(() => window.locklab.load({ workers: NaN }).then(() => "loaded", (e) => String(e)));
  assert.match(refused, /scenario field `workers`: expected .*got NaN/);
  const missing = await page.evaluate(() => window.locklab.load().then(() => "loaded", (e) => String(e)));
  assert.match(missing, /locklab.load\(scenario\): `scenario` is missing/);
});

test("a link with an unknown field opens with a message; &run runs at once", async () => {
  const other = await session.browser.newPage();
  await other.goto(new URL("#lesson=wall-of-red&s=workers:3;turbo_mode:9", page.url()).href);
  await ready(other);
  const said = await other.getByTestId("link-problem").innerText();
  assert.match(said, /scenario field `turbo_mode` that this version of locklab does not have/);
  assert.equal((await other.evaluate(() => window.locklab.current())).workers, 4, "the lesson's own scenario");
  await other.goto(new URL("#lesson=wall-of-red&s=workers:2;jobs:12&run", page.url()).href);
  await other.reload();
  await other.getByTestId("verdict").waitFor({ timeout: 60_000 });
  assert.match(await other.getByTestId("jobs").innerText(), /^12 of 12 done/);
  assert.doesNotMatch(new URL(other.url()).hash, /run/, "the address no longer says run");
  // Zoomed in, the address holds the window, and a link restores it.
  const view = other.getByTestId("run-report").getByTestId("timeline-view");
  await view.getByRole("button", { name: "Zoom in" }).click();
  await other.waitForFunction(() => /&t=[\d.]+-[\d.]+/.test(location.hash));
  const zoomed = await other.evaluate(() => window.locklab.share());
  assert.match(zoomed, /&t=[\d.]+-[\d.]+/);
  const axis = async (p) => p.getByTestId("run-report").getByTestId("timeline-view").getAttribute("data-window");
  const third = await session.browser.newPage();
  await third.goto(zoomed.replace("#", "#run&").replace("&t=", "&t="));
  await third.getByTestId("verdict").waitFor({ timeout: 60_000 });
  assert.equal(new URL(third.url()).hash.match(/t=[^&]*/)[0], new URL(zoomed).hash.match(/t=[^&]*/)[0]);
  console.log(`# zoomed link (${zoomed.length} characters); windows: ${await axis(other)} / ${await axis(third)}`);
  await third.close();
  await other.close();
});

test("a comparison with an edited copy goes through a link: A and B as they were", async () => {
  await page.goto(new URL("#lesson=wall-of-red", page.url()).href);
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === "wall-of-red");
  await page.getByTestId("compare-edited-copy").click();
  await page.locator("#b-field-busy_timeout_ms").fill("5000");
  await page.waitForFunction(() => /&b=busy_timeout_ms:5000/.test(location.hash));
  const link = await page.evaluate(() => window.locklab.share());
  assert.match(link, /#lesson=wall-of-red&b=busy_timeout_ms:5000/);
  const other = await session.browser.newPage();
  await other.goto(link);
  await ready(other);
  await other.getByTestId("edited-copy").waitFor();
  assert.equal(await other.locator("#b-field-busy_timeout_ms").inputValue(), "5000");
  assert.match(await other.getByTestId("b-changes").innerText(), /busy_timeout_ms: 0 -> 5000/);
  await other.close();
});
