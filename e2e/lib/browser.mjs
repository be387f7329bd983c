// Shared helpers for the end-to-end tests: launch Debian's Chromium headless
// with flags that keep it off the network, and fail (never skip) when it is
// missing — `make test` installs it with apt.
import { chromium } from "playwright-core";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CHROMIUM = process.env.SEALPAY_CHROMIUM || "/usr/bin/chromium";

/**
 * launch starts headless Chromium with a fresh profile; close() removes it.
 * options are more of playwright's persistent-context options (viewport,
 * deviceScaleFactor, …).
 */
export async function launch(options = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run 'make test' (it installs chromium with apt)`);
  }
  const profile = mkdtempSync(join(tmpdir(), "sealpay-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    ...options,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}
