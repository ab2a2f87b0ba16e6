/**
 * The chat bubble in Chromium, measured rather than assumed: WCAG contrast of the colours it uses (light and
 * dark), touch targets and text size on a phone, the limit of a refused file, an old snippet known at load.
 * The bubble runs cross-origin on a page of its own, against the real backend in sandbox mode.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled } from '../support/browser.js';
import { bubbleWorld, snippetTag } from './support/host-pages.js';
import { ARTIFACTS, BubbleDriver } from './support/sandbox.js';

/** WCAG 2 contrast ratio of two `rgb(…)` / `rgba(…)` colours (alpha ignored: the colours used are opaque). */
function contrast(a: string, b: string): number {
  const lum = (c: string): number => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** Colour and background of the first element matching `selector` in the bubble. */
function coloursOf(page: Page, selector: string): Promise<{ color: string; background: string }> {
  return page.$eval(`amo-webchat ${selector}`, (el) => ({ color: getComputedStyle(el).color, background: getComputedStyle(el).backgroundColor }));
}

describe.runIf(browserTestsEnabled())('the bubble in the first minutes', () => {
  const pageHtml = (tag: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head><body><h1>Shop</h1>${tag}</body></html>`;
  const shared = bubbleWorld(({ backendUrl, siteKey }) => ({
    '/shop.html': pageHtml(snippetTag(backendUrl, siteKey)),
    '/old-snippet.html': pageHtml(snippetTag(backendUrl, 'sk_replaced_long_ago')),
  }));
  afterAll(() => shared.stop());

  async function open(path: string, options: { width?: number; height?: number; dark?: boolean } = {}) {
    const settingsRequests: string[] = [];
    const { page, close } = await shared.open(path, { ...options, beforeLoad: (p) => void p.on('request', (r) => void (r.url().includes('/webchat/v1/settings') && settingsRequests.push(r.url()))) });
    const bubble = new BubbleDriver(page);
    await bubble.open();
    return { page, bubble, settingsRequests, close };
  }

  /** A file over the limit, refused before upload, so a failed mark shows on the visitor's bubble. */
  async function sendTooLarge(page: Page): Promise<void> {
    // Made in the page: handing 21 MB over the browser protocol is slow and proves nothing more.
    await page.$eval('amo-webchat input[type=file]', (input) => {
      const files = new DataTransfer();
      files.items.add(new File([new Uint8Array(21_000_000)], 'film.mp4', { type: 'video/mp4' }));
      (input as HTMLInputElement).files = files.files;
      input.dispatchEvent(new Event('change'));
    });
    await page.waitForSelector('amo-webchat li.msg.failed .error');
  }

  for (const dark of [false, true]) {
    it(`meets WCAG AA contrast in ${dark ? 'dark' : 'light'} mode: header, visitor messages, the failed mark`, async () => {
      const { page, bubble, close } = await open('/shop.html', { dark });
      try {
        await bubble.send('Contrast check');
        await page.waitForSelector(`${bubble.item('Contrast check')} .ticks`);
        await sendTooLarge(page);
        const header = await coloursOf(page, 'header');
        const title = await coloursOf(page, 'header h2');
        const own = await coloursOf(page, 'li.msg.own .bubble');
        const mark = await coloursOf(page, 'li.msg.failed .ticks');
        const failedBubble = await coloursOf(page, 'li.msg.failed .bubble');
        expect(contrast(title.color, header.background)).toBeGreaterThanOrEqual(4.5);
        expect(contrast(own.color, own.background)).toBeGreaterThanOrEqual(4.5);
        expect(contrast(mark.color, mark.background)).toBeGreaterThanOrEqual(4.5);
        expect(contrast(mark.background, failedBubble.background)).toBeGreaterThanOrEqual(4.5);
        await page.screenshot({ path: join(ARTIFACTS, `e2e-contrast-${dark ? 'dark' : 'light'}.png`) });
      } finally {
        await close();
      }
    }, 90_000);
  }

  it('states the file limit and the refused size in the same units', async () => {
    const { page, close } = await open('/shop.html');
    try {
      expect(await page.getAttribute('amo-webchat [data-action=attach]', 'aria-label')).toBe('Attach a file (up to 20.0 MB)');
      await sendTooLarge(page);
      expect(await page.textContent('amo-webchat li.msg.failed .error')).toBe('Not sent. The file is too large: 21.0 MB, files up to 20.0 MB can be sent.');
      expect(await page.$$('amo-webchat li.msg.failed .error button')).toHaveLength(0);
    } finally {
      await close();
    }
  }, 90_000);

  it('on a phone: every control is at least 44 px and the message box uses 16 px text', async () => {
    const { page, bubble, close } = await open('/shop.html', { width: 375, height: 667 });
    try {
      await bubble.send('Thumbs only');
      await page.waitForSelector(`${bubble.item('Thumbs only')}[data-msgid] [data-action=react]`);
      await page.click(`${bubble.item('Thumbs only')} [data-action=react]`);
      await page.waitForSelector('amo-webchat .picker button');
      expect(await page.$eval('amo-webchat textarea', (el) => getComputedStyle(el).fontSize)).toBe('16px');
      const small = await page.$$eval('amo-webchat button, amo-webchat summary, amo-webchat a', (els) =>
        els
          .map((el) => ({ el, box: el.getBoundingClientRect() }))
          .filter(({ box }) => box.width > 0 && box.height > 0)
          .filter(({ box }) => box.width < 44 || box.height < 44)
          .map(({ el, box }) => `${el.tagName.toLowerCase()}.${(el as HTMLElement).className}[${el.getAttribute('aria-label') ?? el.textContent}] ${Math.round(box.width)}×${Math.round(box.height)}`),
      );
      expect(small).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-phone-touch-targets.png') });
    } finally {
      await close();
    }
  }, 90_000);

  it('knows at load that an old snippet’s chat is unavailable, from one settings request', async () => {
    const { page, settingsRequests, close } = await open('/old-snippet.html');
    try {
      await page.waitForSelector('amo-webchat .notice:not([hidden])');
      expect(await page.textContent('amo-webchat .notice')).toBe('The chat is unavailable right now.');
      expect(await page.$eval('amo-webchat textarea', (el) => (el as HTMLTextAreaElement).disabled)).toBe(true);
      expect(settingsRequests).toHaveLength(1);
    } finally {
      await close();
    }
  }, 90_000);
});
