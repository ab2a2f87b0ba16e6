/**
 * The sandbox page as a newcomer sees it after `npm start`: three panes that all work. The widget pane
 * runs the real widget (dist/widget) under RequireJS with one-time tokens from the emulated amoCRM, and
 * disconnecting / reconnecting there changes the demo website. Makes the README's screenshot,
 * docs/sandbox.png (only when missing or with UPDATE_SCREENSHOTS=1, so ordinary runs leave git clean).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled, launchBrowser } from '../support/browser.js';
import { BubbleDriver, frameNamed, ROOT, withSandboxPage } from './support/sandbox.js';

const SCREENSHOT = join(ROOT, 'docs/sandbox.png');

describe.runIf(browserTestsEnabled())('the sandbox page', () => {
  let browser: Promise<Browser> | undefined;
  const getBrowser = () => (browser ??= launchBrowser());
  afterAll(async () => void (await (await browser?.catch(() => undefined))?.close()));

  it('shows the connected widget with the snippet; disconnect and reconnect there take the chat off the website and back', async () => {
    await withSandboxPage(await getBrowser(), 'e2e-sandbox-widget', async ({ backend, page, bubble }) => {
      const widget = await frameNamed(page, 'widget');
      await widget.waitForSelector('[data-awc-state=connected]', { timeout: 60_000 });
      const siteKey = (await backend.services.store.accounts.listConnected())[0]!.site_key!;
      const snippet = await widget.inputValue('[data-awc-snippet]');
      expect(snippet).toContain(`data-site-key="${siteKey}"`);
      expect(snippet).toContain('/webchat/embed.js');
      await bubble.frame.waitForSelector('amo-webchat button.launcher');

      await widget.click('[data-awc-action=disconnect]');
      await widget.waitForSelector('[data-awc-state=disconnected]');
      const site = () => page.frame({ name: 'site' })!;
      await page.waitForFunction(() => !!(document.querySelector('iframe[name=site]') as HTMLIFrameElement).contentDocument?.querySelector('.waiting'), undefined, { timeout: 15_000 });
      expect(await site().$('amo-webchat')).toBeNull();

      await widget.click('[data-awc-action=reconnect]');
      await widget.waitForSelector('[data-awc-state=connected]');
      await page.waitForFunction(() => !!(document.querySelector('iframe[name=site]') as HTMLIFrameElement).contentDocument?.querySelector('amo-webchat'), undefined, { timeout: 15_000 });
      const again = new BubbleDriver(site());
      await again.open();
      await again.send('Back online');
      await page.waitForSelector('[data-testid=inbox-message]:has(.text:text-is("Back online"))', { timeout: 20_000 });
    });
  }, 120_000);

  it('a manager who is not an admin sees the status but no buttons', async () => {
    await withSandboxPage(await getBrowser(), 'e2e-sandbox-non-admin', async ({ page }) => {
      const widget = await frameNamed(page, 'widget');
      await widget.waitForSelector('[data-awc-state=connected]', { timeout: 60_000 });
      await widget.selectOption('#user', { index: 1 });
      await widget.waitForSelector('[data-awc-note]');
      expect(await widget.$$('[data-awc-action=disconnect]')).toHaveLength(0);
    });
  }, 120_000);

  it('speaks Russian in all three panes', async () => {
    await withSandboxPage(
      await getBrowser(),
      'e2e-sandbox-ru',
      async ({ page, bubble }) => {
        expect(await page.textContent('#pane-inbox-title')).toBe('Входящие amoCRM (эмулятор)');
        expect(await bubble.frame.getAttribute('amo-webchat button.launcher', 'aria-label')).toBe('Открыть чат');
        const widget = await frameNamed(page, 'widget');
        await widget.waitForSelector('[data-awc-state=connected]', { timeout: 60_000 });
        expect(await widget.textContent('[data-awc-state=connected]')).toMatch(/[А-Яа-я]/);
      },
      'ru',
    );
  }, 120_000);

  it('makes the README screenshot of a conversation in progress', async () => {
    await withSandboxPage(await getBrowser(), 'e2e-sandbox', async ({ page, bubble, inbox }) => {
      const widget = await frameNamed(page, 'widget');
      await widget.waitForSelector('[data-awc-state=connected]', { timeout: 60_000 });
      await bubble.open();
      await bubble.send('Hi! Do you deliver on Saturdays?');
      await inbox.waitForMessage('Hi! Do you deliver on Saturdays?');
      await page.check('[data-testid=inbox-with-buttons]');
      await inbox.reply('Yes, from 10:00 to 18:00. Shall we book a slot for you?');
      await bubble.waitForMessage('manager', 'Yes, from 10:00 to 18:00. Shall we book a slot for you?');
      await page.waitForSelector('[data-testid=inbox-message][data-status="2"]');
      await bubble.frame.type('amo-webchat textarea', 'Saturday at 12, please');
      await page.waitForSelector('[data-testid=inbox-typing]:text("Visitor is typing")');
      await page.mouse.move(0, 0);
      if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(SCREENSHOT)) {
        mkdirSync(join(ROOT, 'docs'), { recursive: true });
        await page.screenshot({ path: SCREENSHOT });
      }
    });
  }, 120_000);
});
