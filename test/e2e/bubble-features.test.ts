/**
 * The bubble's features for the site that embeds it, in Chromium against the real backend (sandbox mode),
 * cross-origin on pages of their own: the page a visitor writes from reaches amoCRM once per page change;
 * `window.AmoChat` drives the bubble and hears its events; the title flashes while the page is hidden and the
 * optional tone plays; several files, a pasted screenshot and a drop each become messages in order; axe finds
 * no serious or critical problem in either theme, open or closed, with messages. Makes the README's bubble
 * screenshots (docs/bubble-*.png, only when missing or with UPDATE_SCREENSHOTS=1).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../support/axe.js';
import { browserTestsEnabled, launchBrowser } from '../support/browser.js';
import { startTestBackend, type TestBackend } from '../support/server.js';
import { serveHostPages, type HostPages } from './support/host-pages.js';
import { ARTIFACTS, BubbleDriver, eventually, ROOT, tinyPng } from './support/sandbox.js';

interface World {
  browser: Browser;
  backend: TestBackend;
  host: HostPages;
  scopeId: string;
}

const EVENTS_RECORDER = `<script>window.__events = []; window.AmoChat = [['on', 'opened', () => __events.push('opened')], ['on', 'closed', () => __events.push('closed')],
  ['on', 'message:sent', (m) => __events.push('sent:' + m.text)], ['on', 'message:received', (m) => __events.push('received:' + m.text)]];</script>`;

describe.runIf(browserTestsEnabled())('the bubble’s features for the site', () => {
  let started: Promise<World> | undefined;
  const world = () =>
    (started ??= (async () => {
      const browser = await launchBrowser();
      const backend = await startTestBackend();
      await backend.services.sandbox!.installDefaultAccount();
      const siteKey = (await backend.services.store.accounts.listConnected())[0]!.site_key!;
      const scopeId = backend.services.sandbox!.amojo.connections().find((c) => c.isActive)!.scopeId;
      const page = (title: string, extra = '', attrs = '') =>
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>` +
        `<body><main><h1>${title}</h1><p>A shop.</p></main>${extra}<script async src="${backend.url}/webchat/embed.js" data-site-key="${siteKey}"${attrs}></script></body></html>`;
      const host = await serveHostPages({
        '/pricing.html': page('Pricing'),
        '/cart.html': page('Cart'),
        '/api.html': page('API', EVENTS_RECORDER),
        '/sound.html': page('Sound', '', ' data-sound="on"'),
      });
      return { browser, backend, host, scopeId };
    })());
  afterAll(async () => {
    const w = await started?.catch(() => undefined);
    await Promise.allSettled([w?.browser.close(), w?.backend.stop(), w?.host.close()]);
  });

  async function newContext(options: { width?: number; height?: number; dark?: boolean } = {}): Promise<{ w: World; context: BrowserContext }> {
    const w = await world();
    const context = await w.browser.newContext({ viewport: { width: options.width ?? 1200, height: options.height ?? 800 }, colorScheme: options.dark ? 'dark' : 'light', locale: 'en-US' });
    return { w, context };
  }

  async function visit(context: BrowserContext, path: string): Promise<{ page: Page; bubble: BubbleDriver }> {
    const { host } = await world();
    const page = await context.newPage();
    await page.goto(`${host.url}${path}`);
    await page.waitForSelector('amo-webchat button.launcher');
    return { page, bubble: new BubbleDriver(page) };
  }

  /** The emulated amoCRM chat whose messages include one starting with `text`. */
  async function chatWith(w: World, text: string) {
    const amojo = w.backend.services.sandbox!.amojo;
    return eventually(
      () => amojo.chats(w.scopeId).find((c) => amojo.messages(c.id).some((m) => m.content.text.startsWith(text))),
      (c) => c !== undefined,
    ).then((c) => c!);
  }
  /** The emulated amoCRM chat of the conversation this page's bubble keeps. */
  async function chatOfPage(w: World, page: Page) {
    const amojo = w.backend.services.sandbox!.amojo;
    const conversationOf = () =>
      page.evaluate(() => {
        const key = Object.keys(localStorage).find((k) => k.startsWith('amo-webchat:'));
        return key ? (JSON.parse(localStorage.getItem(key)!) as { session?: { conversationId: string } }).session?.conversationId : undefined;
      });
    const find = async () => {
      const id = await conversationOf();
      return id ? amojo.chats(w.scopeId).find((c) => c.conversationId === id) : undefined;
    };
    return eventually(find, (c) => c !== undefined).then((c) => c!);
  }
  const textsAtAmo = (w: World, chatId: string) => w.backend.services.sandbox!.amojo.messages(chatId).filter((m) => m.direction === 'incoming').map((m) => m.content.text);

  it('shows the manager the page the visitor wrote from, once per page change, without the query', async () => {
    const { w, context } = await newContext();
    try {
      const first = await visit(context, '/pricing.html?reset_token=s3cr3t#plans');
      await first.bubble.open();
      await first.bubble.send('How much is Pro?');
      const chat = await chatWith(w, 'How much is Pro?');
      await first.bubble.send('And with support?');
      await eventually(() => textsAtAmo(w, chat.id), (t) => t.length === 2);
      await first.page.close();
      const second = await visit(context, '/cart.html?coupon=x');
      await second.bubble.open();
      await second.bubble.send('Is delivery free?');
      const texts = await eventually(() => textsAtAmo(w, chat.id), (t) => t.length === 3);
      expect(texts).toEqual([
        `How much is Pro?\n\n🔗 Pricing — ${w.host.url}/pricing.html`,
        'And with support?',
        `Is delivery free?\n\n🔗 Cart — ${w.host.url}/cart.html`,
      ]);
      expect(JSON.stringify(w.backend.services.sandbox!.amojo.messages(chat.id))).not.toContain('s3cr3t');
      // The visitor sees what they wrote.
      expect(await second.bubble.messages()).toEqual(['visitor:How much is Pro?', 'visitor:And with support?', 'visitor:Is delivery free?']);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('lets the site open, close and toggle the bubble, set the visitor’s name and hear its events, queued before load', async () => {
    const { w, context } = await newContext();
    try {
      const { page, bubble } = await visit(context, '/api.html');
      await page.waitForFunction(() => typeof (window as unknown as { AmoChat?: { open?: unknown } }).AmoChat?.open === 'function');
      await page.evaluate(() => {
        const api = (window as unknown as { AmoChat: { open(): void; setVisitor(p: object): Promise<void> } }).AmoChat;
        void api.setVisitor({ name: 'Anna Petrova', email: 'anna@example.com' });
        api.open();
      });
      await page.waitForSelector('amo-webchat #awc-panel:not([hidden])');
      await bubble.send('Hello from the API page');
      const chat = await chatWith(w, 'Hello from the API page');
      expect(chat.participants.find((p) => p.kind === 'client')).toMatchObject({ name: 'Anna Petrova', email: 'anna@example.com' });
      await page.waitForFunction(() => (window as unknown as { __events: string[] }).__events.includes('sent:Hello from the API page'));
      await w.backend.services.sandbox!.amojo.sendManagerMessage({ scopeId: w.scopeId, chatId: chat.id, text: 'Hi Anna!' });
      await page.waitForFunction(() => (window as unknown as { __events: string[] }).__events.includes('received:Hi Anna!'));
      await page.evaluate(() => (window as unknown as { AmoChat: { toggle(): void } }).AmoChat.toggle());
      await page.waitForSelector('amo-webchat #awc-panel[hidden]', { state: 'attached' });
      await page.click('amo-webchat button.launcher');
      expect(await page.evaluate(() => (window as unknown as { AmoChat: { isOpen(): boolean } }).AmoChat.isOpen())).toBe(true);
      expect(await page.evaluate(() => (window as unknown as { __events: string[] }).__events)).toEqual(['opened', 'sent:Hello from the API page', 'received:Hi Anna!', 'closed', 'opened']);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('counts unread messages on the launcher, flashes the title while the page is hidden, and plays the tone only when asked', async () => {
    const { w, context } = await newContext();
    // Counts the tones the page plays (WebAudio oscillators started), in every page of the context.
    await context.addInitScript(() => {
      const w = window as unknown as { __tones: number };
      w.__tones = 0;
      const start = OscillatorNode.prototype.start;
      OscillatorNode.prototype.start = function (...args: Parameters<typeof start>) {
        w.__tones++;
        return start.apply(this, args);
      };
    });
    const hide = (page: Page, hidden: boolean) =>
      page.evaluate((h) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    try {
      for (const path of ['/sound.html', '/pricing.html']) {
        const { page, bubble } = await visit(context, path);
        const text = `Hello from ${path}`;
        await bubble.open();
        await bubble.send(text);
        const chat = await chatWith(w, text);
        await page.click('amo-webchat button.launcher'); // closed; the click also lets the page make sound
        await hide(page, true);
        await w.backend.services.sandbox!.amojo.sendManagerMessage({ scopeId: w.scopeId, chatId: chat.id, text: 'First answer' });
        await w.backend.services.sandbox!.amojo.sendManagerMessage({ scopeId: w.scopeId, chatId: chat.id, text: 'Second answer' });
        await page.waitForSelector('amo-webchat .badge:text-is("2")');
        expect(await page.getAttribute('amo-webchat button.launcher', 'aria-label')).toBe('Open chat. 2 unread');
        await page.waitForFunction(() => document.title === '(2) New message');
        await hide(page, false);
        await page.waitForFunction((t) => document.title === t, path === '/sound.html' ? 'Sound' : 'Pricing');
        const tones = await page.evaluate(() => (window as unknown as { __tones: number }).__tones);
        expect(tones, path).toBe(path === '/sound.html' ? 2 : 0);
        await page.close();
      }
    } finally {
      await context.close();
    }
  }, 90_000);

  it('sends several picked files, a pasted screenshot and dropped files as messages in order, and states the limit', async () => {
    const { w, context } = await newContext();
    try {
      const { page, bubble } = await visit(context, '/pricing.html');
      await bubble.open();
      await bubble.send('Files follow');
      const chat = await chatWith(w, 'Files follow');
      expect(await page.getAttribute('amo-webchat [data-action=attach]', 'aria-label')).toBe('Attach a file (up to 20.0 MB)');
      await page.setInputFiles('amo-webchat input[type=file]', [
        { name: 'one.txt', mimeType: 'text/plain', buffer: Buffer.from('1') },
        { name: 'two.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 two') },
        { name: 'three.png', mimeType: 'image/png', buffer: tinyPng() },
      ]);
      const png = tinyPng([200, 30, 30]).toString('base64');
      await page.evaluate((b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const data = new DataTransfer();
        data.items.add(new File([bytes], 'screenshot.png', { type: 'image/png' }));
        const box = document.querySelector('amo-webchat')!.shadowRoot!.querySelector('textarea')!;
        box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true, composed: true }));
      }, png);
      const dropped = await page.evaluate(() => {
        const data = new DataTransfer();
        data.items.add(new File(['a'], 'dropped-a.txt', { type: 'text/plain' }));
        data.items.add(new File(['b'], 'dropped-b.txt', { type: 'text/plain' }));
        const panel = document.querySelector('amo-webchat')!.shadowRoot!.querySelector<HTMLElement>('#awc-panel')!;
        const overlay = panel.querySelector<HTMLElement>('.drop')!;
        panel.dispatchEvent(new DragEvent('dragenter', { dataTransfer: data, bubbles: true, cancelable: true }));
        const shown = { hidden: overlay.hidden, text: overlay.textContent };
        panel.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
        return shown;
      });
      expect(dropped).toEqual({ hidden: false, text: 'Drop files here to send them (up to 20.0 MB)' });
      const names = ['one.txt', 'two.pdf', 'three.png', 'screenshot.png', 'dropped-a.txt', 'dropped-b.txt'];
      const atAmo = await eventually(
        () => w.backend.services.sandbox!.amojo.messages(chat.id).filter((m) => m.content.fileName).map((m) => m.content.fileName),
        (n) => n.length === names.length,
      );
      expect(atAmo).toEqual(names);
    } finally {
      await context.close();
    }
  }, 90_000);

  const looks = [
    { name: 'light-desktop', dark: false, width: 1200, height: 800 },
    { name: 'dark-desktop', dark: true, width: 1200, height: 800 },
    { name: 'light-phone', dark: false, width: 390, height: 844 },
    { name: 'dark-phone', dark: true, width: 390, height: 844 },
  ];
  for (const look of looks) {
    it(`has no serious or critical accessibility problem, closed and open with messages (${look.name})`, async () => {
      const { w, context } = await newContext(look);
      try {
        const { page, bubble } = await visit(context, '/pricing.html');
        const problems: Record<string, unknown> = {};
        problems['closed, empty'] = await seriousViolations(page, 'amo-webchat');
        await bubble.open();
        await bubble.send('Hi, do you ship to Lisbon?');
        const chat = await chatOfPage(w, page);
        const amojo = w.backend.services.sandbox!.amojo;
        await amojo.sendManagerMessage({ scopeId: w.scopeId, chatId: chat.id, text: 'Yes, in 2–3 days. Here is the price list:', senderName: 'Anna' });
        await amojo.sendManagerMessage({ scopeId: w.scopeId, chatId: chat.id, type: 'picture', file: { fileName: 'prices.png', contentType: 'image/png', bytes: tinyPng([16, 120, 80], 96) }, senderName: 'Anna' });
        await bubble.waitForMessage('manager', 'Yes, in 2–3 days. Here is the price list:');
        await page.waitForSelector('amo-webchat li.msg img');
        await page.setInputFiles('amo-webchat input[type=file]', [{ name: 'order.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 order') }]);
        await page.waitForSelector('amo-webchat li.msg[data-author=visitor][data-kind=file]');
        await page.mouse.move(0, 0);
        problems['open, with messages'] = await seriousViolations(page, 'amo-webchat');
        const shot = join(ARTIFACTS, `bubble-${look.name}.png`);
        await page.screenshot({ path: shot });
        const docShot = join(ROOT, `docs/bubble-${look.name}.png`);
        if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(docShot)) {
          mkdirSync(join(ROOT, 'docs'), { recursive: true });
          await page.screenshot({ path: docShot });
        }
        // The header's close button: on a phone the open panel covers the launcher.
        await page.click('amo-webchat #awc-panel header button');
        await amojo.sendManagerMessage({ scopeId: w.scopeId, chatId: chat.id, text: 'Anything else?', senderName: 'Anna' });
        await page.waitForSelector('amo-webchat .badge:not([hidden])');
        problems['closed, unread'] = await seriousViolations(page, 'amo-webchat');
        expect(problems).toEqual({ 'closed, empty': [], 'open, with messages': [], 'closed, unread': [] });
      } finally {
        await context.close();
      }
    }, 90_000);
  }
});
