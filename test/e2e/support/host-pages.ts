/**
 * A second web server for the browser tests: serves "someone else's website" on another port of
 * 127.0.0.1, so the bubble runs cross-origin from the backend, as it does on a real site; and the
 * world such tests share (browser, backend, pages) with a page-opening helper.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../../support/browser.js';
import { startTestBackend, type TestBackend } from '../../support/server.js';

export interface HostPages {
  url: string;
  close(): Promise<void>;
}

export async function serveHostPages(pages: Record<string, string>): Promise<HostPages> {
  const server = http.createServer((req, res) => {
    const html = pages[(req.url ?? '/').split('?')[0]!];
    if (html === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The snippet an admin pastes: the bubble's script tag for a site key. */
export const snippetTag = (backendUrl: string, siteKey: string): string => `<script async src="${backendUrl}/webchat/embed.js" data-site-key="${siteKey}"></script>`;

export interface BubbleWorld {
  browser: Browser;
  backend: TestBackend;
  host: HostPages;
  siteKey: string;
}

export interface PageOptions {
  width?: number;
  height?: number;
  dark?: boolean;
  /** Runs before the page loads (listeners that must see its first requests). */
  beforeLoad?: (page: Page) => void;
}

/**
 * Chromium, the sandbox backend with its default account installed, and foreign pages made from its
 * site key, started on first use. `open` loads a page in a fresh browser context (its own viewport
 * and colour scheme); `stop` (after all tests) closes what was started.
 */
export function bubbleWorld(pages: (w: { backendUrl: string; siteKey: string }) => Record<string, string>) {
  let started: Promise<BubbleWorld> | undefined;
  const world = (): Promise<BubbleWorld> =>
    (started ??= (async () => {
      const browser = await launchBrowser();
      const backend = await startTestBackend();
      await backend.services.sandbox!.installDefaultAccount();
      const siteKey = (await backend.services.store.accounts.listConnected())[0]!.site_key!;
      const host = await serveHostPages(pages({ backendUrl: backend.url, siteKey }));
      return { browser, backend, host, siteKey };
    })());
  return {
    world,
    async open(path: string, options: PageOptions = {}): Promise<{ page: Page; close(): Promise<void> }> {
      const { browser, host } = await world();
      const context = await browser.newContext({ viewport: { width: options.width ?? 1200, height: options.height ?? 800 }, colorScheme: options.dark ? 'dark' : 'light' });
      const page = await context.newPage();
      options.beforeLoad?.(page);
      await page.goto(`${host.url}${path}`);
      return { page, close: () => context.close() };
    },
    async stop(): Promise<void> {
      const w = await started?.catch(() => undefined);
      await Promise.allSettled([w?.browser.close(), w?.backend.stop(), w?.host.close()]);
    },
  };
}
