/**
 * Shared set-up of the browser tests: the real backend in sandbox mode with the sandbox account installed
 * (as `npm start` does), headless Chromium, and helpers that drive the chat bubble (inside its shadow root;
 * Playwright's CSS selectors pierce open shadow roots) and the emulated inbox of the sandbox page.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { expect } from 'vitest';
import { launchBrowser } from '../../support/browser.js';
import { startTestBackend, type TestBackend } from '../../support/server.js';

export const ROOT = join(import.meta.dirname, '../../..');
export const ARTIFACTS = join(ROOT, 'test/artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

export interface Sandbox {
  backend: TestBackend;
  browser: Browser;
  stop(): Promise<void>;
}

/**
 * Started inside a test, never in a hook: a failing hook marks tests skipped, and a missing Chromium under
 * REQUIRE_BROWSER=1 must show as a failure.
 */
export function lazySandbox(): { get(): Promise<Sandbox>; stop(): Promise<void> } {
  let started: Promise<Sandbox> | undefined;
  return {
    get() {
      started ??= (async () => {
        const browser = await launchBrowser();
        const backend = await startTestBackend();
        await backend.services.sandbox!.installDefaultAccount();
        return { backend, browser, stop: async () => void (await Promise.allSettled([browser.close(), backend.stop()])) };
      })();
      return started;
    },
    async stop() {
      if (started) await (await started.catch(() => undefined))?.stop();
    },
  };
}

/** The chat bubble on a page (or in the sandbox page's website frame). */
export class BubbleDriver {
  constructor(readonly frame: Frame | Page) {}

  async open(): Promise<void> {
    await this.frame.waitForSelector('amo-webchat button.launcher', { timeout: 30_000 });
    if ((await this.frame.getAttribute('amo-webchat button.launcher', 'aria-expanded')) !== 'true') await this.frame.click('amo-webchat button.launcher');
    await this.frame.waitForSelector('amo-webchat #awc-panel:not([hidden])');
  }

  async send(text: string): Promise<void> {
    await this.frame.fill('amo-webchat textarea', text);
    await this.frame.press('amo-webchat textarea', 'Enter');
  }

  /** The rendered messages, in order: `author:text` (or `author:[kind]` without text). */
  messages(): Promise<string[]> {
    return this.frame.$$eval('amo-webchat li.msg', (items) =>
      items.map((li) => `${(li as HTMLElement).dataset.author}:${li.querySelector('.text')?.textContent ?? `[${(li as HTMLElement).dataset.kind}]`}`),
    );
  }

  async waitForMessage(author: string, text: string, timeout = 20_000): Promise<void> {
    await this.frame.waitForFunction(
      ([a, t]) => [...(document.querySelector('amo-webchat')?.shadowRoot?.querySelectorAll('li.msg') ?? [])].some((li) => (li as HTMLElement).dataset.author === a && li.querySelector('.text')?.textContent === t),
      [author, text] as const,
      { timeout },
    );
  }

  /** The list item of the message with this text. */
  item(text: string): string {
    return `amo-webchat li.msg:has(.text:text-is(${JSON.stringify(text)}))`;
  }
}

/** The emulated amoCRM inbox of the sandbox page. */
export class InboxDriver {
  constructor(readonly page: Page) {}

  message(text: string): string {
    return `[data-testid=inbox-message]:has(.text:text-is(${JSON.stringify(text)}))`;
  }

  async waitForMessage(text: string, timeout = 20_000): Promise<void> {
    await this.page.waitForSelector(this.message(text), { timeout });
  }

  async reply(text: string): Promise<void> {
    await this.page.fill('[data-testid=inbox-reply]', text);
    await this.page.click('[data-testid=inbox-send]');
  }

  texts(): Promise<string[]> {
    return this.page.$$eval('[data-testid=inbox-message]', (items) => items.map((li) => `${(li as HTMLElement).dataset.direction}:${li.querySelector('.text')?.textContent ?? '[file]'}`));
  }
}

/** What the visitor wrote, without the page line the bubble adds for the manager (server/bridge/page-line.ts). */
export function writtenText(textAtAmo: string): string {
  return textAtAmo.replace(/(?:^|\n\n)🔗 [^\n]+$/u, '');
}

/** Polls `read` until `check` accepts its value (for state inside the emulators). */
export async function eventually<T>(read: () => T | Promise<T>, check: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > until) {
      expect.fail(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)?.slice(0, 600)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

/** A small one-colour PNG for the picture scenarios. */
export function tinyPng(rgb: [number, number, number] = [37, 99, 235], size = 48): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let i = 0; i < size * size; i++) png.data.set([...rgb, 255], i * 4);
  return PNG.sync.write(png);
}

export interface SandboxPage {
  backend: TestBackend;
  page: Page;
  bubble: BubbleDriver;
  inbox: InboxDriver;
  scopeId: string;
}

/**
 * One test's world: a fresh backend (so the inbox holds only this test's chat), the sandbox page open in a
 * new browser context, the bubble in its website pane. Screenshots `test/artifacts/<name>.png` at the end,
 * also when the test fails.
 */
export async function withSandboxPage(browser: Browser, name: string, run: (s: SandboxPage) => Promise<void>, lang: 'en' | 'ru' = 'en'): Promise<void> {
  const backend = await startTestBackend();
  const context = await browser.newContext({ viewport: { width: 1500, height: 900 }, locale: lang === 'ru' ? 'ru-RU' : 'en-US' });
  const page = await context.newPage();
  try {
    await backend.services.sandbox!.installDefaultAccount();
    const scopeId = backend.services.sandbox!.amojo.connections().find((c) => c.isActive)!.scopeId;
    await page.goto(`${backend.url}/?lang=${lang}`);
    const site = await frameNamed(page, 'site');
    await run({ backend, page, bubble: new BubbleDriver(site), inbox: new InboxDriver(page), scopeId });
  } finally {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) }).catch(() => undefined);
    await context.close();
    await backend.stop();
  }
}

export async function frameNamed(page: Page, name: string): Promise<Frame> {
  const until = Date.now() + 10_000;
  for (;;) {
    const frame = page.frame({ name });
    if (frame) {
      await frame.waitForLoadState('domcontentloaded');
      return frame;
    }
    if (Date.now() > until) throw new Error(`no frame named ${name}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
