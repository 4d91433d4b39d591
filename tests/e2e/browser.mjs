// Debian's Chromium, headless, driven by playwright-core (no browser download).
import { chromium } from "playwright-core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function launch(extraArgs = [], options = {}) {
  const profile = await mkdtemp(join(tmpdir(), "locklab-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
    ...options,
  });
  // Where it is (the benchmarks find the browser's processes by it).
  context.profile = profile;
  // The profile (OPFS, caches) is thrown away with the browser: runs of the
  // suite would otherwise leave hundreds of megabytes in the temp directory.
  const close = context.close.bind(context);
  context.close = async (...args) => {
    await close(...args);
    await rm(profile, { recursive: true, force: true });
  };
  return context;
}
