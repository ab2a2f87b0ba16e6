/**
 * The built widget in headless Chromium against the real backend (sandbox mode, both emulators): a fake
 * CRM page loads RequireJS and jQuery from npm, mints one-time tokens like amoCRM, and loads script.js
 * from the unpacked widget.zip as amoCRM does. Settings → Connect → "Connected" with the snippet.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import JSZip from 'jszip';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { buildWidget } from '../../scripts/widget/build.js';
import { SANDBOX_ACCOUNT } from '../../server/sandbox/amocrm/sandbox-account.js';
import { seriousViolations } from '../support/axe.js';
import { browserTestsEnabled, launchBrowser } from '../support/browser.js';
import { startTestBackend, type TestBackend } from '../support/server.js';
import { openCrmPage, startCrmHost, type CrmHost } from './support/crm-host.js';
import { installAccount } from './support/sandbox-install.js';

const rootDir = join(import.meta.dirname, '../..');
const artifacts = join(rootDir, 'test/artifacts');

async function unzipTo(zipPath: string, dir: string): Promise<void> {
  const zip = await JSZip.loadAsync(await readFile(zipPath));
  for (const entry of Object.values(zip.files)) {
    if (entry.dir) continue;
    const target = join(dir, entry.name);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await entry.async('nodebuffer'));
  }
}

const settledState = '[data-awc-state]:not([data-awc-state="loading"])';
const stateOf = (page: Page) => page.getAttribute(settledState, 'data-awc-state');

describe.runIf(browserTestsEnabled())('widget in Chromium against the sandbox backend', () => {
  let backend: TestBackend | undefined;
  let host: CrmHost | undefined;
  let browser: Browser | undefined;
  let workDir: string | undefined;
  let scriptBytes = 0;

  // Set up inside the test, not in beforeAll: a hook failure would count the test as skipped, and a
  // missing Chromium under REQUIRE_BROWSER=1 must show as a failed test.
  async function setUp(): Promise<void> {
    browser = await launchBrowser();
    backend = await startTestBackend();
    const admin = SANDBOX_ACCOUNT.users.find((u) => u.isAdmin)!;
    await installAccount(backend, SANDBOX_ACCOUNT.id, admin.id);

    // Built for this backend, then loaded from the unpacked archive, exactly what an admin uploads.
    workDir = await mkdtemp(join(tmpdir(), 'widget-browser-'));
    const built = await buildWidget({ rootDir, outDir: workDir, backendUrl: backend.url });
    scriptBytes = built.scriptBytes;
    const unpacked = join(workDir, 'unpacked');
    await unzipTo(built.zipPath, unpacked);

    host = await startCrmHost({
      widgetDir: unpacked,
      widgetCode: 'awc_browser_test',
      version: built.version,
      lang: 'en',
      account: { id: SANDBOX_ACCOUNT.id, host: SANDBOX_ACCOUNT.host, amojoId: SANDBOX_ACCOUNT.amojoId },
      user: { id: admin.id, isAdmin: true },
      oauth: backend.config.oauth,
    });
  }

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await backend?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('opens settings, connects, and shows Connected with the website snippet', async () => {
    await setUp();
    const { page } = await openCrmPage(browser!, host!);
    // Every step fails on its own well inside the test's minute, so a failure names the step.
    page.setDefaultTimeout(15_000);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });

    await page.goto(host!.pageUrl);
    await page.waitForSelector(settledState, { timeout: 15_000 });
    const timing = await page.evaluate(() => (window as unknown as { __awcTiming: Record<string, number> }).__awcTiming);
    const loadToRender = timing.rendered! - timing.requireStart!;
    console.log(
      `[widget] script.js ${scriptBytes} bytes; Chromium: script request → rendered settings ${loadToRender.toFixed(0)} ms ` +
        `(script loaded after ${(timing.scriptLoaded! - timing.requireStart!).toFixed(0)} ms)`,
    );
    await mkdir(artifacts, { recursive: true });
    await writeFile(join(artifacts, 'widget-browser-timing.json'), JSON.stringify({ scriptBytes, loadToRenderMs: loadToRender, timing }, null, 2));

    // Installing connects the channel already; take it down first so the Connect button is what we test.
    if ((await stateOf(page)) === 'connected') {
      await page.click('[data-awc-action="disconnect"]');
      await page.waitForSelector('[data-awc-state="not_connected"], [data-awc-state="disconnected"]', { timeout: 15_000 });
      expect(await page.locator('[data-awc-snippet]').count()).toBe(0);
    }
    expect(['not_connected', 'disconnected']).toContain(await stateOf(page));

    await page.click('[data-awc-action="connect"], [data-awc-action="reconnect"]');
    await page.waitForSelector('[data-awc-state="connected"]', { timeout: 15_000 });
    expect(await page.textContent('[data-awc-state]')).toBe('Connected');
    const snippet = await page.inputValue('[data-awc-snippet]');
    expect(snippet).toContain('/webchat/embed.js');
    expect(snippet).toContain(backend!.url);
    expect(await page.locator('[data-awc-action="copy"]').count()).toBe(1);
    expect(await page.locator('[data-awc-error]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __awcInstallStatus?: string }).__awcInstallStatus)).toBe('installed');

    // Every call carried a fresh one-time token for this account and user.
    expect(host!.minted.length).toBeGreaterThanOrEqual(2);
    for (const claims of host!.minted) expect(claims).toMatchObject({ account_id: SANDBOX_ACCOUNT.id, is_admin: true });

    // The emulated Chats API saw the account connected.
    const connections = backend!.services.sandbox!.amojo.connections();
    expect(connections.some((c) => c.accountId === SANDBOX_ACCOUNT.amojoId && c.isActive)).toBe(true);

    // Playwright answers preflights itself while it routes the page, so ask the backend directly.
    const preflight = await fetch(`${backend!.url}/widget/connect`, {
      method: 'OPTIONS',
      headers: { Origin: host!.accountOrigin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-auth-token' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(host!.accountOrigin);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-auth-token');

    await page.screenshot({ path: join(artifacts, 'widget-settings-connected.png'), fullPage: true });
    expect(problems).toEqual([]);
    // axe over the settings page as the admin sees it, connected, with the snippet.
    expect(await seriousViolations(page)).toEqual([]);
    // …and with the website chat's settings open, a day with two ranges of hours.
    await page.click('[data-awc-bubble-action="load"]');
    await page.click('[data-awc-day-row="mon"] [data-awc-bubble-action="add_range"]');
    await page.waitForSelector('[data-awc-ranges="mon"] [data-awc-range]:nth-child(2)');
    expect(await seriousViolations(page)).toEqual([]);
  }, 60_000);
});
