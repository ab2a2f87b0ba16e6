/**
 * The visitor's network goes away mid-conversation and comes back: nothing written on either side is lost
 * or doubled. Also, a reload keeps the conversation. The visitor is on the demo website in a browser
 * context of its own (so only its network is cut); the manager acts through the Chats API emulator.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled, launchBrowser } from '../support/browser.js';
import { startTestBackend, type TestBackend } from '../support/server.js';
import { ARTIFACTS, BubbleDriver, eventually, writtenText } from './support/sandbox.js';

describe.runIf(browserTestsEnabled())('the bubble across network loss and reloads', () => {
  let browser: Promise<Browser> | undefined;
  const getBrowser = () => (browser ??= launchBrowser());
  afterAll(async () => void (await (await browser?.catch(() => undefined))?.close()));

  async function world(run: (w: { backend: TestBackend; bubble: BubbleDriver; setOffline(v: boolean): Promise<void>; reload(): Promise<void> }) => Promise<void>, name: string) {
    const backend = await startTestBackend();
    const context = await (await getBrowser()).newContext({ viewport: { width: 900, height: 800 } });
    const page = await context.newPage();
    try {
      await backend.services.sandbox!.installDefaultAccount();
      await page.goto(`${backend.url}/sandbox/page/demo?lang=en`);
      await run({
        backend,
        bubble: new BubbleDriver(page),
        setOffline: (v) => context.setOffline(v),
        reload: async () => void (await page.reload()),
      });
    } finally {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) }).catch(() => undefined);
      await context.close();
      await backend.stop();
    }
  }

  const incomingTexts = (backend: TestBackend) => {
    const amojo = backend.services.sandbox!.amojo;
    const scope = amojo.connections()[0]!.scopeId;
    return amojo.chats(scope).flatMap((c) => amojo.messages(c.id).filter((m) => m.direction === 'incoming').map((m) => writtenText(m.content.text)));
  };

  it('loses and doubles nothing when the network is cut and restored mid-conversation', async () => {
    await world(async ({ backend, bubble, setOffline }) => {
      const amojo = backend.services.sandbox!.amojo;
      await bubble.open();
      await bubble.send('one');
      await eventually(() => incomingTexts(backend), (t) => t.length === 1);
      const scopeId = amojo.connections()[0]!.scopeId;
      const chatId = amojo.chats(scopeId)[0]!.id;

      await setOffline(true);
      await bubble.send('two');
      await bubble.send('three');
      await amojo.sendManagerMessage({ scopeId, chatId, text: 'four (written while the visitor was offline)' });
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(incomingTexts(backend)).toEqual(['one']);
      expect(await bubble.frame.isVisible('amo-webchat .notice')).toBe(true);
      await setOffline(false);

      await eventually(() => incomingTexts(backend), (t) => t.length >= 3);
      await bubble.waitForMessage('manager', 'four (written while the visitor was offline)');
      await bubble.frame.waitForSelector(`${bubble.item('three')} .ticks[aria-label=Delivered]`);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // room for a late duplicate to show up
      expect(incomingTexts(backend)).toEqual(['one', 'two', 'three']);
      const shown = await bubble.messages();
      expect([...shown].sort()).toEqual(['manager:four (written while the visitor was offline)', 'visitor:one', 'visitor:three', 'visitor:two']);
      expect(shown.filter((m) => m.startsWith('visitor:'))).toEqual(['visitor:one', 'visitor:two', 'visitor:three']);
      expect(await bubble.frame.isHidden('amo-webchat .notice')).toBe(true);
    }, 'e2e-network');
  }, 90_000);

  it('keeps the conversation (and the chat in amoCRM) across a page reload', async () => {
    await world(async ({ backend, bubble, reload }) => {
      const amojo = backend.services.sandbox!.amojo;
      await bubble.open();
      await bubble.send('before the reload');
      await eventually(() => incomingTexts(backend), (t) => t.length === 1);
      const scopeId = amojo.connections()[0]!.scopeId;
      await amojo.sendManagerMessage({ scopeId, chatId: amojo.chats(scopeId)[0]!.id, text: 'answer' });
      await bubble.waitForMessage('manager', 'answer');

      await reload();
      // The panel was open when the page went away, so it is open again, with the whole conversation.
      await bubble.frame.waitForSelector('amo-webchat #awc-panel:not([hidden])');
      await bubble.waitForMessage('manager', 'answer');
      await bubble.send('after the reload');
      await eventually(() => incomingTexts(backend), (t) => t.length === 2);
      expect(amojo.chats(scopeId)).toHaveLength(1);
      expect(await bubble.messages()).toEqual(['visitor:before the reload', 'manager:answer', 'visitor:after the reload']);
    }, 'e2e-reload');
  }, 90_000);
});
