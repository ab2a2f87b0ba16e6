/**
 * The bubble on someone else's website: cross-origin from the backend, on a page whose CSS is hostile
 * (global resets, `!important` everywhere). It must look and work as designed, leave the page's own
 * styles alone, be usable by keyboard, fit a phone and follow dark mode. Also measured here: the size of
 * embed.js and the time from its script tag to an interactive bubble (test/artifacts/embed-metrics.json).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled } from '../support/browser.js';
import { bubbleWorld, snippetTag } from './support/host-pages.js';
import { ARTIFACTS, BubbleDriver, eventually, writtenText } from './support/sandbox.js';

const HOSTILE_CSS = `
*, *::before, *::after { box-sizing: content-box !important; margin: 13px !important; padding: 7px !important;
  font: italic 31px/3 "Comic Sans MS", cursive !important; color: #0c0 !important; background: #ff0 !important;
  border: 3px dashed red !important; }
body > * { display: inline !important; position: static !important; width: 12px !important; height: 12px !important;
  transform: rotate(4deg) scale(.5) !important; opacity: .2 !important; visibility: hidden !important; z-index: -1 !important; }
div, section, button, textarea, ol, li, header, form, p, span, svg, input { display: block !important; float: left !important; }
button { all: unset !important; } [hidden] { display: block !important; } [role=dialog] { display: none !important; }
:root { --accent: red !important; --bg: #000 !important; --fg: #fff !important; }
html { font-size: 4px !important; } body { overflow: hidden !important; }
.host-btn { all: revert !important; color: rgb(1, 2, 3) !important; font-size: 17px !important; visibility: visible !important; }
`;

describe.runIf(browserTestsEnabled())('the bubble on a foreign website', () => {
  const shared = bubbleWorld(({ backendUrl, siteKey }) => {
    const tag = snippetTag(backendUrl, siteKey);
    return {
      '/hostile.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><style>${HOSTILE_CSS}</style></head><body><h1>Hostile shop</h1><button class="host-btn">Buy</button>${tag}</body></html>`,
      '/plain-ru.html': `<!doctype html><html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head><body><h1>Магазин</h1>${tag}</body></html>`,
      '/timing.html':
        `<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body><h1>Timing</h1><script>window.__t0 = performance.now();` +
        `new MutationObserver((_, o) => { const h = document.querySelector('amo-webchat'); if (h && h.shadowRoot && h.shadowRoot.querySelector('button.launcher')) { window.__ready = performance.now(); o.disconnect(); } })` +
        `.observe(document.documentElement, { childList: true, subtree: true });</script>${tag}</body></html>`,
    };
  });
  const world = shared.world;
  afterAll(() => shared.stop());

  async function open(path: string, options: { width?: number; height?: number; dark?: boolean } = {}): Promise<{ page: Page; close(): Promise<void> }> {
    const opened = await shared.open(path, options);
    await opened.page.waitForSelector('amo-webchat button.launcher');
    return opened;
  }

  it('looks and works as designed under hostile CSS, and leaves the page’s styles alone', async () => {
    const { page, close } = await open('/hostile.html');
    try {
      const { backend } = await world();
      const launcher = (await page.$('amo-webchat button.launcher'))!;
      expect(await launcher.boundingBox()).toEqual({ x: 1200 - 20 - 60, y: 800 - 20 - 60, width: 60, height: 60 });
      expect(await launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(37, 99, 235)');
      expect(await launcher.isVisible()).toBe(true);
      // The page's own button keeps the page's look: nothing of ours leaks out.
      expect(await page.$eval('.host-btn', (el) => [getComputedStyle(el).color, getComputedStyle(el).fontSize])).toEqual(['rgb(1, 2, 3)', '17px']);
      expect(await page.evaluate(() => document.styleSheets.length)).toBe(1);

      const bubble = new BubbleDriver(page);
      await bubble.open();
      const panel = (await page.$('amo-webchat #awc-panel'))!;
      const box = (await panel.boundingBox())!;
      expect([box.width, box.x + box.width, Math.round(box.y + box.height)]).toEqual([380, 1200 - 20, 800 - 92]);
      expect(await page.$eval('amo-webchat textarea', (el) => getComputedStyle(el).fontSize)).toBe('14px');
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-hostile-css.png') });

      await bubble.send('Hello from a hostile page');
      await eventually(
        () => {
          const amojo = backend.services.sandbox!.amojo;
          return amojo.chats(amojo.connections()[0]!.scopeId).flatMap((c) => amojo.messages(c.id).map((m) => writtenText(m.content.text)));
        },
        (texts) => texts.includes('Hello from a hostile page'),
      );
      await page.waitForSelector(`${bubble.item('Hello from a hostile page')} .ticks[aria-label=Delivered]`);
    } finally {
      await close();
    }
  }, 90_000);

  it('is usable by keyboard: Enter opens with focus in the text box, Enter sends, Escape closes back to the launcher', async () => {
    const { page, close } = await open('/hostile.html');
    try {
      await page.focus('amo-webchat button.launcher');
      await page.keyboard.press('Enter');
      await page.waitForSelector('amo-webchat #awc-panel:not([hidden])');
      expect(await page.evaluate(() => document.querySelector('amo-webchat')!.shadowRoot!.activeElement?.tagName)).toBe('TEXTAREA');
      await page.keyboard.type('typed, not clicked');
      await page.keyboard.press('Enter');
      await page.waitForSelector('amo-webchat li.msg .text:text-is("typed, not clicked")');
      await page.keyboard.press('Escape');
      await page.waitForSelector('amo-webchat #awc-panel[hidden]', { state: 'attached' });
      expect(await page.evaluate(() => document.querySelector('amo-webchat')!.shadowRoot!.activeElement?.className)).toBe('launcher');
    } finally {
      await close();
    }
  }, 90_000);

  it('fills a phone screen, speaks the page’s language and follows dark mode', async () => {
    const { page, close } = await open('/plain-ru.html', { width: 375, height: 667, dark: true });
    try {
      expect(await page.getAttribute('amo-webchat button.launcher', 'aria-label')).toBe('Открыть чат');
      await new BubbleDriver(page).open();
      expect(await (await page.$('amo-webchat #awc-panel'))!.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 });
      expect(await page.$eval('amo-webchat #awc-panel', (el) => getComputedStyle(el).backgroundColor)).toBe('rgb(28, 29, 33)');
      expect(await page.getAttribute('amo-webchat textarea', 'placeholder')).toBe('Напишите сообщение…');
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-phone-dark-ru.png') });
      await page.keyboard.press('Escape');
      await page.waitForSelector('amo-webchat button.launcher', { state: 'visible' });
    } finally {
      await close();
    }
  }, 90_000);

  it('measures embed.js (size, raw and gzip) and the time from its script tag to an interactive bubble', async () => {
    const { backend } = await world();
    const raw = Buffer.from(await (await fetch(`${backend.url}/webchat/embed.js`, { headers: { 'Accept-Encoding': 'identity' } })).arrayBuffer());
    const cold: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { page, close } = await open('/timing.html');
      try {
        await page.waitForFunction(() => (window as { __ready?: number }).__ready !== undefined);
        cold.push(await page.evaluate(() => (window as unknown as { __ready: number; __t0: number }).__ready - (window as unknown as { __t0: number }).__t0));
      } finally {
        await close();
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const metrics = { embedBytes: raw.length, embedGzipBytes: gzipSync(raw, { level: 9 }).length, scriptTagToInteractiveMs: { median: Math.round(median(cold)), runs: cold.map(Math.round) } };
    await writeFile(join(ARTIFACTS, 'embed-metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
    console.log(`embed.js: ${metrics.embedBytes} bytes, ${metrics.embedGzipBytes} gzipped; script tag → interactive bubble: median ${metrics.scriptTagToInteractiveMs.median} ms (cold cache, local server)`);
    expect(metrics.embedGzipBytes).toBeLessThan(40 * 1024);
    expect(metrics.scriptTagToInteractiveMs.median).toBeLessThan(2000);
  }, 90_000);
});
