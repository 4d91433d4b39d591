// From a cold load to the first run's report, online and offline: a fresh
// browser profile opens dist/ from a plain static server (no COOP/COEP: the
// service worker makes the page isolated, so the first visit reloads once) at
// `#lesson=wall-of-red&run`, and the time until the lesson's verdict is shown is
// taken; then the server is stopped and the page reloaded: the time until the
// verdict again, from the service worker's cache. Prints the figures (median of
// RUNS, default 3). A benchmark, not a test: node tests/e2e/bench-cold.mjs [RUNS]
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { dist } from "./session.mjs";
import { eventually } from "./wait.mjs";
import { median } from "./figures.mjs";

const runs = Number(process.argv[2] ?? 3);
const online = [], offline = [], ready = [];

for (let i = 0; i < runs; i++) {
  const site = await serve(dist, { isolated: false });
  const browser = await launch();
  const page = await browser.newPage();
  let t0 = performance.now();
  await page.goto(`${site.url}#lesson=wall-of-red&run`);
  // The first visit reloads once, when the service worker takes over.
  for (;;) {
    try {
      await page.waitForFunction(() => window.locklab !== undefined && crossOriginIsolated, null, { timeout: 60_000 });
      break;
    } catch (e) {
      if (!/destroyed|navigat/i.test(e.message)) throw e;
    }
  }
  ready.push(performance.now() - t0);
  await page.getByTestId("verdict").waitFor({ timeout: 120_000 });
  online.push(performance.now() - t0);
  await eventually(() => page.evaluate(async () => (await (await caches.open("locklab-app")).keys()).length >= 7),
    { what: "the app's files in the service worker's cache" });
  site.server.close();
  site.server.closeAllConnections?.();
  await page.evaluate(() => { location.hash = "lesson=wall-of-red&run"; });
  t0 = performance.now();
  await page.reload();
  await page.getByTestId("verdict").waitFor({ timeout: 120_000 });
  offline.push(performance.now() - t0);
  await browser.close();
}
const ms = (xs) => `${median(xs).toFixed(0)} ms (runs: ${xs.map((x) => x.toFixed(0)).join(", ")})`;
console.log(`cold load to a ready, isolated page (first visit, service worker reload included): ${ms(ready)}`);
console.log(`cold load to the first run's report (wall of red), online:  ${ms(online)}`);
console.log(`reload to the first run's report with the server stopped (offline): ${ms(offline)}`);
