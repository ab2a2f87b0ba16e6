/**
 * Shared switch for browser tests: headless Chromium from the system (Debian's `chromium` package) driven by
 * playwright-core. Where Chromium is missing the tests are skipped with a loud notice, unless
 * REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];

/** True when the Chromium binary exists. */
export const browserAvailable: boolean = existsSync(CHROMIUM_PATH);
/** True when a missing browser must fail the run instead of skipping. */
export const browserRequired: boolean = process.env.REQUIRE_BROWSER === '1';

let warned = false;

/**
 * Whether browser tests should run: `describe.runIf(browserTestsEnabled())(…)`. When Chromium is missing
 * but required, they still run so that `launchBrowser()` fails them.
 */
export function browserTestsEnabled(): boolean {
  if (browserAvailable || browserRequired) return true;
  if (!warned) {
    warned = true;
    console.warn(
      `\n!!! browser tests skipped: Chromium not found at ${CHROMIUM_PATH} ` +
        '(install the Debian package "chromium", or set REQUIRE_BROWSER=1 to make this a failure) !!!\n',
    );
  }
  return false;
}

/** Launches headless Chromium; throws a clear error when the binary is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!browserAvailable) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}` + (browserRequired ? ' and REQUIRE_BROWSER=1 requires browser tests' : ''),
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** `launchBrowser()` when browser tests are enabled, otherwise null (the caller skips). */
export async function launchBrowserOrSkip(): Promise<Browser | null> {
  return browserTestsEnabled() ? launchBrowser() : null;
}
