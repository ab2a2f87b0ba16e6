/**
 * The sandbox page at a common laptop size (1440×900), as a newcomer tries it: the bubble opens as a panel
 * beside the demo site, not full-screen; the inbox shows no reply box before a chat is chosen and names
 * chats in full; both sides keep following the conversation while pictures load; the visitor sees "Read".
 */
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled, launchBrowser } from '../support/browser.js';
import { tinyPng, withSandboxPage } from './support/sandbox.js';

/** Pixels of content below the visible part of a scrolled list (0 = showing the newest message). */
function gapUnder(where: Page | Frame, selector: string): Promise<number> {
  return where.$eval(selector, (el) => Math.round(el.scrollHeight - el.scrollTop - el.clientHeight));
}

/** Waits until every picture in the list has loaded. */
async function picturesLoaded(where: Page | Frame, selector: string, count: number): Promise<void> {
  await where.waitForFunction(
    ([sel, n]) => {
      const root = sel.startsWith('amo-webchat') ? document.querySelector('amo-webchat')?.shadowRoot : document;
      const imgs = [...(root?.querySelectorAll<HTMLImageElement>(sel.replace(/^amo-webchat /, '')) ?? [])];
      return imgs.length >= n && imgs.every((i) => i.complete && i.naturalWidth > 0);
    },
    [selector, count] as const,
    { timeout: 30_000 },
  );
}

describe.runIf(browserTestsEnabled())('the sandbox page in the first minutes', () => {
  let browser: Promise<Browser> | undefined;
  const getBrowser = () => (browser ??= launchBrowser());
  afterAll(async () => void (await (await browser?.catch(() => undefined))?.close()));

  it('at 1440×900: a panel beside the site, no reply box without a chat, full names, pictures followed on both sides, "Read"', async () => {
    await withSandboxPage(await getBrowser(), 'e2e-sandbox-1440', async ({ page, bubble, inbox }) => {
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.waitForSelector('[data-testid=inbox-messages]', { state: 'attached' });
      expect(await page.isVisible('[data-testid=inbox-reply]')).toBe(false);

      await bubble.open();
      const panel = (await bubble.frame.$('amo-webchat #awc-panel'))!;
      expect((await panel.boundingBox())!.width).toBe(380);

      await bubble.send('Hello, here are the photos');
      await inbox.waitForMessage('Hello, here are the photos');
      const name = await page.$eval('[data-testid=inbox-chat] b', (el) => ({ text: el.textContent, isCut: el.scrollWidth > el.clientWidth }));
      expect(name.text).toMatch(/^Website visitor \S{4}$/);
      expect(name.isCut).toBe(false);

      // Visitor → inbox: the inbox keeps showing the newest picture.
      for (let i = 1; i <= 5; i++) {
        await bubble.frame.setInputFiles('amo-webchat input[type=file]', { name: `photo-${i}.png`, mimeType: 'image/png', buffer: tinyPng([20 * i, 99, 235], 160) });
        await page.waitForFunction((n) => document.querySelectorAll('[data-testid=inbox-message][data-direction=incoming] img').length >= n, i, { timeout: 30_000 });
      }
      await picturesLoaded(page, '[data-testid=inbox-message] img', 5);
      expect(await gapUnder(page, '[data-testid=inbox-messages]')).toBe(0);

      // Manager → bubble: the bubble keeps showing the newest picture, and the visitor's messages are read.
      await page.click('[data-testid=inbox-chat]');
      for (let i = 1; i <= 5; i++) {
        await page.setInputFiles('[data-testid=inbox-file]', { name: `answer-${i}.png`, mimeType: 'image/png', buffer: tinyPng([220, 20 * i, 38], 200) });
        await bubble.frame.waitForFunction(
          (n) => (document.querySelector('amo-webchat')?.shadowRoot?.querySelectorAll('li.msg[data-author=manager] img').length ?? 0) >= n,
          i,
          { timeout: 30_000 },
        );
      }
      await picturesLoaded(bubble.frame, 'amo-webchat li.msg[data-author=manager] img', 5);
      expect(await gapUnder(bubble.frame, 'amo-webchat .messages')).toBe(0);
      await bubble.frame.waitForSelector(`${bubble.item('Hello, here are the photos')} .ticks[aria-label=Read]`);
    });
  }, 180_000);
});
