/**
 * The whole product on the sandbox page, in headless Chromium: a visitor in the chat bubble of the demo
 * website and a manager in the emulated amoCRM inbox, through the real backend and both emulators.
 * Text, typing both ways, read receipts, pictures both ways, quoted replies, edits, reactions, quick replies.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled, CHROMIUM_ARGS, CHROMIUM_PATH, launchBrowser } from '../support/browser.js';
import { eventually, tinyPng, withSandboxPage, writtenText } from './support/sandbox.js';

describe.runIf(browserTestsEnabled())('the sandbox page: visitor ⇄ manager', () => {
  let browser: Promise<Browser> | undefined;
  const getBrowser = () => (browser ??= launchBrowser());
  afterAll(async () => void (await (await browser?.catch(() => undefined))?.close()));

  it('a message goes from the bubble to the inbox, the answer comes back, and the read status reaches amoCRM', async () => {
    await withSandboxPage(await getBrowser(), 'e2e-conversation', async ({ backend, page, bubble, inbox, scopeId }) => {
      await bubble.open();
      await bubble.send('Hello from the website');
      await inbox.waitForMessage('Hello from the website');

      // Typing, both ways.
      await bubble.frame.type('amo-webchat textarea', 'Are');
      await page.waitForSelector('[data-testid=inbox-typing]:text("Visitor is typing")');
      await bubble.frame.fill('amo-webchat textarea', '');
      await page.type('[data-testid=inbox-reply]', 'Hi');
      await bubble.frame.waitForSelector('amo-webchat .typing:text("Manager is typing")');

      await inbox.reply('Hi! How can we help?');
      await bubble.waitForMessage('manager', 'Hi! How can we help?');

      // The bubble is open and visible: the manager's message is read, and amoCRM learns it.
      const amojo = backend.services.sandbox!.amojo;
      const chat = amojo.chats(scopeId)[0]!;
      await eventually(
        () => amojo.messages(chat.id).find((m) => m.direction === 'outgoing')?.deliveryStatuses.map((s) => s.status) ?? [],
        (statuses) => statuses.includes(2),
      );
      await page.waitForSelector('[data-testid=inbox-message][data-direction=outgoing][data-status="2"]');
      // amoCRM took the visitor's message, and the manager's answer shows it was read.
      await bubble.frame.waitForSelector(`${bubble.item('Hello from the website')} .ticks[aria-label=Read]`);
      expect(await bubble.messages()).toEqual(['visitor:Hello from the website', 'manager:Hi! How can we help?']);
      expect(await inbox.texts()).toEqual(['incoming:Hello from the website', 'outgoing:Hi! How can we help?']);
    });
  }, 90_000);

  it('pictures go both ways and are shown', async () => {
    await withSandboxPage(await getBrowser(), 'e2e-pictures', async ({ page, bubble }) => {
      await bubble.open();
      await bubble.frame.setInputFiles('amo-webchat input[type=file]', { name: 'blue.png', mimeType: 'image/png', buffer: tinyPng([37, 99, 235]) });
      const inboxPicture = '[data-testid=inbox-message][data-direction=incoming] img';
      await page.waitForSelector(inboxPicture, { timeout: 20_000 });
      await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLImageElement | null)?.naturalWidth === 48, inboxPicture);

      await page.setInputFiles('[data-testid=inbox-file]', { name: 'red.png', mimeType: 'image/png', buffer: tinyPng([220, 38, 38]) });
      const bubblePicture = 'amo-webchat li.msg[data-author=manager][data-kind=picture] img';
      await bubble.frame.waitForSelector(bubblePicture, { timeout: 20_000 });
      await bubble.frame.waitForFunction(
        () => (document.querySelector('amo-webchat')?.shadowRoot?.querySelector('li.msg[data-author=manager] img') as HTMLImageElement | null)?.naturalWidth === 48,
      );
      expect(await bubble.messages()).toEqual(['visitor:[picture]', 'manager:[picture]']);
    });
  }, 90_000);

  it('quoted replies go both ways', async () => {
    await withSandboxPage(await getBrowser(), 'e2e-quotes', async ({ page, bubble, inbox }) => {
      await bubble.open();
      await bubble.send('What sizes do you have?');
      await inbox.waitForMessage('What sizes do you have?');
      await page.click(`${inbox.message('What sizes do you have?')} [data-action=reply]`);
      await inbox.reply('S, M and L');
      await bubble.waitForMessage('manager', 'S, M and L');
      expect(await bubble.frame.textContent(`${bubble.item('S, M and L')} .quote`)).toContain('What sizes do you have?');

      await bubble.frame.click(`${bubble.item('S, M and L')} [data-action=reply]`);
      expect(await bubble.frame.textContent('amo-webchat .context')).toContain('S, M and L');
      await bubble.send('M, please');
      await inbox.waitForMessage('M, please');
      expect(await page.textContent(`${inbox.message('M, please')} [data-testid=inbox-quote]`)).toBe('S, M and L');
    });
  }, 90_000);

  it('the visitor edits a message and amoCRM shows the new text', async () => {
    await withSandboxPage(await getBrowser(), 'e2e-edit', async ({ backend, page, bubble, inbox, scopeId }) => {
      await bubble.open();
      await bubble.send('Helo');
      await inbox.waitForMessage('Helo');
      await bubble.frame.click(`${bubble.item('Helo')}[data-msgid] [data-action=edit]`);
      expect(await bubble.frame.inputValue('amo-webchat textarea')).toBe('Helo');
      await bubble.frame.fill('amo-webchat textarea', 'Hello, corrected');
      await bubble.frame.press('amo-webchat textarea', 'Enter');
      await inbox.waitForMessage('Hello, corrected');
      expect(await page.textContent(`${inbox.message('Hello, corrected')} .meta`)).toContain('edited');
      const amojo = backend.services.sandbox!.amojo;
      const [m] = amojo.messages(amojo.chats(scopeId)[0]!.id);
      expect([writtenText(m!.content.text), m!.edits.length]).toEqual(['Hello, corrected', 1]);
      expect(await bubble.messages()).toEqual(['visitor:Hello, corrected']);
      await bubble.frame.waitForSelector(`${bubble.item('Hello, corrected')} .edited`);
    });
  }, 90_000);

  it('reactions go both ways, and quick-reply buttons answer with their text', async () => {
    await withSandboxPage(await getBrowser(), 'e2e-reactions', async ({ backend, page, bubble, inbox, scopeId }) => {
      await bubble.open();
      await bubble.send('Thanks!');
      await inbox.waitForMessage('Thanks!');
      await page.click(`${inbox.message('Thanks!')} [data-action=react]`);
      await page.click(`${inbox.message('Thanks!')} [data-emoji="👍"]`);
      await bubble.frame.waitForSelector(`${bubble.item('Thanks!')} .reactions [role=img][aria-label="👍 from Manager"]`);

      await page.check('[data-testid=inbox-with-buttons]');
      await inbox.reply('Shall we call you back?');
      await bubble.waitForMessage('manager', 'Shall we call you back?');
      await bubble.frame.click(`${bubble.item('Shall we call you back?')} [data-action=react]`);
      await bubble.frame.click(`${bubble.item('Shall we call you back?')} .picker button:text-is("❤️")`);
      await page.waitForSelector(`${inbox.message('Shall we call you back?')} [data-testid=inbox-reactions] span:text-is("❤️")`);
      const amojo = backend.services.sandbox!.amojo;
      expect(amojo.reactions(scopeId).filter((r) => r.origin === 'integration').map((r) => [r.type, r.emoji])).toEqual([['react', '❤️']]);

      await bubble.frame.click(`${bubble.item('Shall we call you back?')} .quick button:text-is("Yes, please")`);
      await inbox.waitForMessage('Yes, please');
      expect(await bubble.messages()).toEqual(['visitor:Thanks!', 'manager:Shall we call you back?', 'visitor:Yes, please']);
    });
  }, 90_000);

  it('a voice note recorded in the bubble arrives in amoCRM as a voice message', async () => {
    await launchBrowser().then((b) => b.close()); // fails clearly where Chromium is missing
    // Chromium's fake microphone (a beep), allowed without a prompt.
    const withMic = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'] });
    try {
      await withSandboxPage(withMic, 'e2e-voice', async ({ backend, page, bubble, scopeId }) => {
        await bubble.open();
        await bubble.frame.click('amo-webchat [data-action=record]');
        await bubble.frame.waitForSelector('amo-webchat .recording:not([hidden])');
        await new Promise((resolve) => setTimeout(resolve, 1200));
        await bubble.frame.click('amo-webchat [data-action=stop-recording]');
        await page.waitForSelector('[data-testid=inbox-message][data-direction=incoming] audio', { timeout: 20_000 });
        const amojo = backend.services.sandbox!.amojo;
        const [m] = amojo.messages(amojo.chats(scopeId)[0]!.id);
        expect(m!.content.type).toBe('voice');
        expect(m!.content.fileName).toMatch(/^voice-.+\.(webm|ogg)$/);
        expect(await bubble.messages()).toEqual(['visitor:[voice]']);
      });
    } finally {
      await withMic.close();
    }
  }, 90_000);
});
