// Benchmark, not a test: a cold load of the built page (dist/) on localhost, to a
// ready page: window.locklab installed (the API, set just before the first render)
// and the page's first element in the document. Each run is a fresh Chromium
// profile (no HTTP cache, no compiled-wasm cache, no service worker yet), the
// files served with COOP/COEP and `no-store`. Prints each figure's median over
// RUNS runs (default 7) in ms from navigation start, and the bytes of wasm fetched.
// DIST=dir loads another build (e.g. one kept from before a change); JSON=1 prints
// one line of JSON instead (for scripts/bench-size.sh).
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { median } from "./figures.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const RUNS = Number(process.env.RUNS ?? 7);

// Runs before the page's own scripts: notes when window.locklab is set and when
// the body first gets an element.
const probe = () => {
  Object.defineProperty(window, "locklab", {
    configurable: true,
    set(value) {
      window.__locklabReadyMs = performance.now();
      Object.defineProperty(window, "locklab", { value, writable: true, configurable: true });
    },
  });
  new MutationObserver((_, observer) => {
    if (document.body && document.body.firstElementChild) {
      window.__locklabRenderedMs = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
};

async function once(url) {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.addInitScript(probe);
    await page.goto(url);
    await page.waitForFunction(() => window.__locklabReadyMs !== undefined && window.__locklabRenderedMs !== undefined);
    return await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const wasm = performance.getEntriesByType("resource").filter((r) => r.name.endsWith(".wasm"));
      return {
        ready: window.__locklabReadyMs,
        rendered: window.__locklabRenderedMs,
        domContentLoaded: nav.domContentLoadedEventEnd,
        wasmFetched: Math.max(...wasm.map((r) => r.responseEnd)),
        wasmBytes: wasm.reduce((n, r) => n + r.encodedBodySize, 0),
      };
    });
  } finally {
    await browser.close();
  }
}

const site = await serve(process.env.DIST ?? join(root, "dist"));
const runs = [];
for (let i = 0; i < RUNS; i++) runs.push(await once(site.url));
site.server.close();

const figures = {};
for (const key of ["domContentLoaded", "wasmFetched", "ready", "rendered"]) {
  figures[key] = median(runs.map((r) => r[key]));
}
if (process.env.JSON) {
  console.log(JSON.stringify({ runs: RUNS, ...figures, wasmBytes: runs[0].wasmBytes }));
} else {
  console.log(`cold load on localhost, median of ${RUNS} runs, ms from navigation start`);
  console.log(`  DOMContentLoaded        ${figures.domContentLoaded.toFixed(1).padStart(7)}`);
  console.log(`  page's wasm fetched     ${figures.wasmFetched.toFixed(1).padStart(7)}  (${runs[0].wasmBytes} bytes, uncompressed)`);
  console.log(`  window.locklab set      ${figures.ready.toFixed(1).padStart(7)}  (ready; each run: ${runs.map((r) => r.ready.toFixed(0)).join(", ")})`);
  console.log(`  first element rendered  ${figures.rendered.toFixed(1).padStart(7)}`);
}
