// Waiting in the end-to-end tests and benchmarks, in one place: always for a
// condition (the machine is shared and slow at times), never for a duration
// that a slow moment could outlast.
import assert from "node:assert/strict";

/** Wait until the page's `window.locklab` is installed. */
export async function ready(page, { isolated = false, timeout = 30_000 } = {}) {
  await page.waitForFunction(
    (isolated) => window.locklab !== undefined && (!isolated || window.crossOriginIsolated),
    isolated,
    { timeout },
  );
}

/** Wait until `probe` (run in the page, with `arg`) returns something truthy, and return it. */
export async function until(page, probe, arg, { timeout = 60_000, polling = 50 } = {}) {
  const handle = await page.waitForFunction(probe, arg, { timeout, polling });
  return handle.jsonValue();
}

/** Wait until the Run button can be pressed. */
export async function runEnabled(page) {
  await page.waitForFunction(() => !document.querySelector('[data-testid="run"]').disabled);
}

/** Wait until the live view of the run in progress shows more than `done` jobs done. */
export async function liveDoneAbove(page, done, timeout = 60_000) {
  await page.waitForFunction(
    (done) => Number(document.querySelector('[data-testid="run-running"]')?.dataset.liveDone) > done,
    done,
    { timeout },
  );
}

/**
 * Wait until `probe()` (in Node, and it may be async) gives something truthy, and
 * return it; fail after `timeout` ms naming `what`. For a condition only the page's
 * promises can answer: `waitForFunction` takes a promise for a truthy answer.
 */
export async function eventually(probe, { what, timeout = 60_000, every = 20 }) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const answer = await probe();
    if (answer) return answer;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

/** Wait until the tab's run in progress (locklab.progress) has more than `done` jobs done. */
export async function jobsDoneAbove(page, done, timeout = 60_000) {
  const doneNow = () => page.evaluate(async () => (await window.locklab.progress())[0]?.jobs_done ?? 0);
  await eventually(async () => (await doneNow()) > done, { what: `more than ${done} jobs done`, timeout });
}

/** Wait until `locator`'s text matches `pattern`, and return it. */
export async function textMatching(locator, pattern, timeout = 5_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = await locator.innerText();
    if (pattern.test(text) || Date.now() > deadline) {
      assert.match(text, pattern);
      return text;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
