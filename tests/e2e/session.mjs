// The built page (dist/) served with COOP/COEP, open in `tabs` tabs of one
// headless Chromium, each ready (window.locklab installed). What a page complains
// about goes into the test log, for whoever reads a failure.
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { ready } from "./wait.mjs";

export const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist");

/**
 * Open the page in `tabs` tabs at `at` (an address's hash). The tests begin at
 * the wall of red, a lesson of one run whose scenario they change and run; the
 * first visit's own lesson (the lock ladder, a comparison) has a test of its own.
 */
export async function openPage({ tabs = 1, at = "#lesson=wall-of-red" } = {}) {
  const site = await serve(dist);
  const browser = await launch();
  const pages = [];
  for (let i = 0; i < tabs; i++) {
    const page = await browser.newPage();
    page.on("console", (m) => ["error", "warning"].includes(m.type()) && console.log(`page ${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
    await page.goto(`${site.url}${at}`);
    await ready(page);
    pages.push(page);
  }
  const close = async () => {
    await browser.close();
    site.server.close();
  };
  return { site, browser, pages, close };
}

/** Open the page's drawer `name` (scenario, console, about) unless it is open. */
export async function openDrawer(page, name) {
  const toggle = page.getByTestId(`open-${name}`);
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  await page.getByTestId(`drawer-${name}`).waitFor();
}

/** Close the page's drawer `name` (with its own Close button) if it is open. */
export async function closeDrawer(page, name) {
  if (await page.getByTestId(`drawer-${name}`).isVisible()) await page.getByTestId(`close-${name}`).click();
  await page.getByTestId(`drawer-${name}`).waitFor({ state: "hidden" });
}
