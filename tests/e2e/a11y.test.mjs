// An automated accessibility audit (axe-core, injected into the page) of the views
// a learner and a presenter use: the page as it opens, a lesson after its run, a
// comparison after both runs, presenter mode, dark mode, embed mode, each drawer
// and the list of keys. No serious or critical violation may remain; the canvas
// timeline keeps its text alternative.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { openPage } from "./session.mjs";
import { ready, runEnabled } from "./wait.mjs";

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let session, page;

before(async () => {
  session = await openPage();
  page = session.pages[0];
});
after(async () => session?.close());

async function open(hash, colorScheme = "light", width = 1280, height = 720) {
  await page.emulateMedia({ colorScheme });
  await page.setViewportSize({ width, height });
  await page.goto(new URL(hash, page.url()).href);
  await page.reload();
  await ready(page);
}

async function runIt() {
  await runEnabled(page);
  await page.getByTestId("run").click();
  await page.getByTestId("verdict").waitFor({ state: "attached", timeout: 180_000 });
}

/** axe-core's serious and critical violations of the page as it is now. */
async function audit(view) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ path: axePath });
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const said = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 4).map((n) => n.target.join(" ")).join("\n    ")}`);
  assert.deepEqual(said, [], `${view}: axe-core found\n${said.join("\n")}`);
  return results;
}

test("the page as it opens", async () => {
  await open("#lesson=wall-of-red");
  const results = await audit("the page as it opens");
  assert.ok(results.passes.length > 10, "axe-core ran its rules");
});

test("a lesson after its run; its timeline has a text alternative", async () => {
  await open("#lesson=wall-of-red");
  await runIt();
  await audit("a lesson after its run");
  const canvas = page.getByTestId("run-report").getByTestId("timeline-canvas");
  assert.equal(await canvas.getAttribute("role"), "img");
  assert.match(await canvas.getAttribute("aria-label"), /One lane per worker/);
  assert.equal(await canvas.getAttribute("tabindex"), "0");
  // The details the keyboard steps through are read out.
  assert.equal(await page.getByTestId("run-report").getByTestId("timeline-details").getAttribute("aria-live"), "polite");
});

test("a comparison after both runs", async () => {
  await open("#lesson=readers-and-writer");
  await runIt();
  assert.equal(await page.getByTestId("run-report").count(), 2, "both runs are shown");
  await audit("a comparison");
});

test("presenter mode, dark mode, embed mode, after a run", async () => {
  await open("#lesson=wall-of-red&present");
  await runIt();
  await audit("presenter mode");
  await open("#lesson=wall-of-red&present", "dark");
  await runIt();
  await audit("presenter mode, dark");
  await open("#lesson=wall-of-red", "dark");
  await runIt();
  await audit("dark mode");
  await open("#lesson=wall-of-red&embed", "light", 800, 600);
  await runIt();
  await audit("embed mode");
});

test("each drawer and the list of keys", async () => {
  await open("#lesson=wall-of-red");
  for (const name of ["scenario", "console", "about"]) {
    await page.getByTestId(`open-${name}`).click();
    await page.getByTestId(`drawer-${name}`).waitFor();
    await audit(`the ${name} drawer`);
    await page.getByTestId(`close-${name}`).click();
  }
  await page.keyboard.press("?");
  await page.getByTestId("help").waitFor();
  await audit("the list of keys");
});
