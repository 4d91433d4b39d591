// Host anywhere, work offline: dist/ served by a plain static server that sends
// no COOP/COEP headers becomes cross-origin isolated through its service worker
// (static/sw.js) and completes a run; with the server stopped, a reload still
// loads the page from the service worker's cache and completes a run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { dist } from "./session.mjs";
import { eventually } from "./wait.mjs";

let site, browser, page;

before(async () => {
  site = await serve(dist, { isolated: false });
  browser = await launch();
  page = await browser.newPage();
  page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
});

after(async () => {
  await browser?.close();
  site?.server.close();
});

/** Wait until the page is cross-origin isolated and `window.locklab` is there,
 *  through the one reload the first visit makes. */
async function ready() {
  for (let attempt = 0; ; attempt++) {
    try {
      await page.waitForFunction(() => window.crossOriginIsolated && window.locklab !== undefined, null, {
        timeout: 30_000,
      });
      return;
    } catch (e) {
      // The reload destroyed the context the condition was evaluated in.
      if (attempt >= 3 || !/destroyed|navigat/i.test(e.message)) throw e;
    }
  }
}

const run = () => page.evaluate(() => locklab.run({ name: "offline", workers: 2, jobs: 20, transaction: "short" }));

test("served without COOP/COEP, the page becomes cross-origin isolated and completes a run", async () => {
  const first = await page.goto(site.url);
  assert.equal(first.headers()["cross-origin-opener-policy"], undefined, "the server sends no COOP");
  assert.equal(first.headers()["cross-origin-embedder-policy"], undefined, "nor COEP");
  await ready();
  assert.equal(await page.evaluate(() => navigator.serviceWorker.controller !== null), true);
  const report = await run();
  assert.equal(report.outcome, "completed");
  assert.equal(report.jobs.done, report.jobs.seeded);
  assert.equal(report.integrity_check, "ok");
});

test("with the server stopped, a reload still loads the page and completes a run", async () => {
  // Everything the page and its Web Workers need is in the service worker's cache.
  await eventually(() => page.evaluate(async () => {
    const urls = (await (await caches.open("locklab-app")).keys()).map((r) => new URL(r.url).pathname);
    const wanted = [/\/$/, /\/app-[0-9a-f]+\.js$/, /\/app-[0-9a-f]+_bg\.wasm$/, /\/style-[0-9a-f]+\.css$/,
      /\/worker_start\.js$/, /\/worker\.js$/, /\/worker_bg\.wasm$/];
    return wanted.every((w) => urls.some((u) => w.test(u)));
  }), { what: "the app's files in the service worker's cache", timeout: 30_000 });
  site.server.closeAllConnections();
  await new Promise((resolve) => site.server.close(resolve));
  const reachable = await fetch(site.url).then(() => true, () => false);
  assert.equal(reachable, false, "the server is gone");

  await page.reload();
  await ready();
  const report = await run();
  assert.equal(report.outcome, "completed");
  assert.equal(report.jobs.done, report.jobs.seeded);
  // The page's own files came from the cache: the network answers nothing.
  const network = await page.evaluate(() => fetch(`./missing-${Date.now()}`).then(() => "answered", () => "failed"));
  assert.equal(network, "failed");
});
