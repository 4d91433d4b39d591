// Ad-hoc: open the page, run the lesson, screenshot. node look.mjs HASH OUT [W H] [dark]
import { openPage } from "./session.mjs";
const [hash = "", out = "/tmp/shots/page.png", w = "1280", h = "720", scheme = "light", run = "run"] = process.argv.slice(2);
const s = await openPage();
const page = s.pages[0];
await page.emulateMedia({ colorScheme: scheme });
await page.setViewportSize({ width: +w, height: +h });
await page.goto(new URL(hash, page.url()).href);
await page.reload();
await page.waitForFunction(() => window.locklab !== undefined);
if (run === "run") {
  await page.getByTestId("run").click();
  await page.getByTestId("run-report").first().waitFor({ timeout: 120000 });
}
await page.screenshot({ path: out });
await page.screenshot({ path: out.replace(".png", "-full.png"), fullPage: true });
console.log(await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]));
await s.close();
