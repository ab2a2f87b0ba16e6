/**
 * The sandbox page's Telegram side: the fourth pane, "Telegram (emulated)", where you are a Telegram
 * user writing to the account's bot through the Bot API emulator, and the widget pane's Telegram section
 * with the sandbox's ready bot token. The full loop runs through the backend's Telegram platform
 * (token → connect → Telegram pane ↔ amoCRM inbox); the other cases drive the emulator's Bot API
 * themselves, as the platform would, to show every kind the pane draws.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOX_TELEGRAM_BOT } from '../../server/sandbox/sandbox-telegram.js';
import { browserTestsEnabled, launchBrowser } from '../support/browser.js';
import type { TestBackend } from '../support/server.js';
import { eventually, frameNamed, tinyPng, withSandboxPage } from './support/sandbox.js';

const BOT = SANDBOX_TELEGRAM_BOT;

/** Calls a Bot API method of the emulated Telegram as the backend's Telegram platform would. */
async function botApi(b: TestBackend, method: string, body: Record<string, unknown> | FormData): Promise<Record<string, unknown>> {
  const init = body instanceof FormData ? { method: 'POST', body } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const res = await fetch(`${b.url}/sandbox/telegram/bot${BOT.token}/${method}`, init);
  const answer = (await res.json()) as { ok: boolean; result?: Record<string, unknown>; description?: string };
  if (!answer.ok) throw new Error(`${method}: ${answer.description}`);
  return answer.result ?? {};
}

/** A webhook receiver standing in for the backend's Telegram route: records each update and its secret header. */
async function webhookReceiver(): Promise<{ url: string; updates: { secret: string | undefined; update: Record<string, unknown> }[]; close(): Promise<void> }> {
  const updates: { secret: string | undefined; update: Record<string, unknown> }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      updates.push({ secret: req.headers['x-telegram-bot-api-secret-token'] as string | undefined, update: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, updates, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const tgMessage = (text: string) => `[data-testid=tg-message]:has(.text:text-is(${JSON.stringify(text)}))`;

async function box(page: Page, selector: string) {
  const found = await (await page.$(selector))!.boundingBox();
  return found!;
}

describe.runIf(browserTestsEnabled())('the sandbox page: Telegram', () => {
  let browser: Promise<Browser> | undefined;
  const getBrowser = () => (browser ??= launchBrowser());
  afterAll(async () => void (await (await browser?.catch(() => undefined))?.close()));

  it('the Telegram pane writes to the bot and shows what the bot sends: text, picture, file, buttons, reactions, typing', async () => {
    await withSandboxPage(await getBrowser(), 'e2e-sandbox-telegram-pane', async ({ backend, page }) => {
      await page.setViewportSize({ width: 1440, height: 900 });
      const tg = backend.services.sandbox!.telegram;
      const emulator = tg.emulator;
      const hook = await webhookReceiver();
      try {
        // Four panes fit a 1440×900 screen; the website pane keeps the width the bubble needs beside the site.
        await page.waitForSelector('[data-testid=tg-status][data-connected=false]');
        expect(await page.textContent('#pane-telegram-title')).toBe('Telegram (emulated)');
        const [site, pane] = [await box(page, '#pane-site'), await box(page, '#pane-telegram')];
        expect(site.width).toBeGreaterThanOrEqual(480);
        expect(pane.x + pane.width).toBeLessThanOrEqual(1440);
        expect(pane.y + pane.height).toBeLessThanOrEqual(900);
        expect(pane.height).toBeGreaterThanOrEqual(300);
        expect(await page.textContent('[data-testid=tg-status]')).toContain(`@${BOT.username}`);

        // Attached the way the backend attaches it: a webhook with a secret token.
        // Reactions come only when listed (telegram.md §2).
        await botApi(backend, 'setWebhook', { url: hook.url, secret_token: 'sandbox-test-secret', allowed_updates: ['message', 'edited_message', 'callback_query', 'message_reaction'] });
        await page.waitForSelector('[data-testid=tg-status][data-connected=true]');

        await page.fill('[data-testid=tg-input]', 'Hello, do you repair e-bikes?');
        await page.press('[data-testid=tg-input]', 'Enter');
        await page.waitForSelector(`${tgMessage('Hello, do you repair e-bikes?')}[data-direction=to_bot]`);
        const first = await eventually(() => hook.updates, (u) => u.length >= 1);
        expect(first[0]!.secret).toBe('sandbox-test-secret');
        const userMessage = (first[0]!.update['message'] as { message_id: number; text: string; chat: { id: number; type: string } });
        expect([userMessage.text, userMessage.chat]).toMatchObject(['Hello, do you repair e-bikes?', { id: tg.userId, type: 'private' }]);

        // The bot answers: typing, a text with buttons, a picture, a file, a reaction on the user's message.
        await botApi(backend, 'sendChatAction', { chat_id: tg.userId, action: 'typing' });
        await page.waitForSelector('[data-testid=tg-typing]:text("is typing")');
        await botApi(backend, 'sendMessage', {
          chat_id: tg.userId,
          text: 'Yes! When would suit you?',
          reply_parameters: { message_id: userMessage.message_id },
          reply_markup: { inline_keyboard: [[{ text: 'Today', callback_data: 'Today' }, { text: 'Tomorrow', callback_data: 'Tomorrow' }]] },
        });
        await page.waitForSelector(`${tgMessage('Yes! When would suit you?')}[data-direction=from_bot] [data-testid=tg-quote]:text("Hello, do you repair e-bikes?")`);
        expect(await page.textContent('[data-testid=tg-typing]')).toBe('');
        const photo = new FormData();
        photo.set('chat_id', String(tg.userId));
        photo.set('caption', 'Our workshop');
        photo.set('photo', new Blob([new Uint8Array(tinyPng([220, 38, 38], 120))], { type: 'image/png' }), 'workshop.png');
        await botApi(backend, 'sendPhoto', photo);
        const doc = new FormData();
        doc.set('chat_id', String(tg.userId));
        doc.set('document', new Blob(['%PDF-1.4\n%%EOF\n'], { type: 'application/pdf' }), 'price-list.pdf');
        await botApi(backend, 'sendDocument', doc);
        await botApi(backend, 'setMessageReaction', { chat_id: tg.userId, message_id: userMessage.message_id, reaction: [{ type: 'emoji', emoji: '👍' }] });

        await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid=tg-message] img')].some((i) => i.complete && i.naturalWidth > 0), undefined, { timeout: 20_000 });
        await page.waitForSelector(`${tgMessage('Our workshop')} img`);
        await page.waitForSelector('[data-testid=tg-message] a.file:text-is("price-list.pdf")');
        await page.waitForSelector(`${tgMessage('Hello, do you repair e-bikes?')} [data-testid=tg-reactions] span:text-is("👍")`);

        // Pressing a button becomes a callback query to the bot.
        await page.click(`${tgMessage('Yes! When would suit you?')} [data-testid=tg-button]:text-is("Tomorrow")`);
        const pressed = await eventually(() => hook.updates, (u) => u.some((x) => x.update['callback_query']));
        expect((pressed.find((x) => x.update['callback_query'])!.update['callback_query'] as { data: string }).data).toBe('Tomorrow');

        // A reaction and a quoted reply from the user.
        const answer = tgMessage('Yes! When would suit you?');
        await page.click(`${answer} [data-action=react]`);
        await page.click(`${answer} .picker [data-emoji="🔥"]`);
        const reacted = await eventually(() => hook.updates, (u) => u.some((x) => x.update['message_reaction']));
        expect(reacted.find((x) => x.update['message_reaction'])!.update['message_reaction']).toMatchObject({ new_reaction: [{ type: 'emoji', emoji: '🔥' }] });
        await page.click(`${answer} [data-action=reply]`);
        await page.fill('[data-testid=tg-input]', 'Tomorrow at 10, please');
        await page.click('[data-testid=tg-send]');
        await page.waitForSelector(`${tgMessage('Tomorrow at 10, please')} [data-testid=tg-quote]:text("Yes! When would suit you?")`);

        // A picture from the user goes as a photo.
        await page.setInputFiles('[data-testid=tg-file]', { name: 'my-bike.png', mimeType: 'image/png', buffer: tinyPng([37, 99, 235], 90) });
        const records = await eventually(() => emulator.messages(BOT.id, tg.userId), (m) => m.some((r) => r.direction === 'to_bot' && r.message.photo));
        expect(records.filter((r) => r.direction === 'to_bot').map((r) => r.message.text ?? (r.message.photo ? '[photo]' : '?'))).toEqual([
          'Hello, do you repair e-bikes?',
          'Tomorrow at 10, please',
          '[photo]',
        ]);
        await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid=tg-message][data-direction=to_bot] img')].some((i) => i.complete && i.naturalWidth > 0));
        // The chat keeps showing the newest message once the picture has its height.
        expect(await page.$eval('[data-testid=tg-messages]', (el) => Math.round(el.scrollHeight - el.scrollTop - el.clientHeight))).toBe(0);
      } finally {
        await hook.close();
      }
    });
  }, 180_000);

  it('the widget pane offers the sandbox bot token, and its Telegram section connects with POST and disconnects with DELETE /widget/telegram', async () => {
    await withSandboxPage(await getBrowser(), 'e2e-sandbox-telegram-widget', async ({ page }) => {
      // The real routes of the backend's Telegram platform; the page's requests to them are recorded.
      const calls: { method: string; body: unknown; hasToken: boolean }[] = [];
      page.on('request', (request) => {
        if (!/\/widget\/telegram$/.test(request.url())) return;
        calls.push({ method: request.method(), body: request.postData() ? JSON.parse(request.postData()!) : undefined, hasToken: !!request.headers()['x-auth-token'] });
      });

      const widget = await frameNamed(page, 'widget');
      await widget.waitForSelector('[data-awc-telegram=not_connected]', { timeout: 60_000 });
      expect(await widget.textContent('[data-testid=sandbox-bot-token] code')).toBe(BOT.token);
      await widget.click('#tg-paste-token');
      expect(await widget.inputValue('[data-awc-telegram-token]')).toBe(BOT.token);
      await widget.click('[data-awc-action=telegram_connect]');
      await widget.waitForSelector(`[data-awc-telegram=connected] [data-awc-telegram-bot="${BOT.username}"]`);
      expect(calls).toEqual([{ method: 'POST', body: { bot_token: BOT.token }, hasToken: true }]);
      expect(await widget.$eval('[data-awc-panel]', (el) => el.innerHTML)).not.toContain(BOT.token);

      await widget.click('[data-awc-action=telegram_disconnect]');
      await widget.click('[data-awc-action=telegram_disconnect_confirmed]');
      await widget.waitForSelector('[data-awc-telegram=not_connected] [data-awc-telegram-token]');
      expect(calls.map((c) => [c.method, c.body, c.hasToken])).toEqual([
        ['POST', { bot_token: BOT.token }, true],
        ['DELETE', undefined, true],
      ]);
    });
  }, 120_000);

  it('the full loop: paste the token, connect, write in the Telegram pane, answer in the inbox, read it in the pane', async () => {
    await withSandboxPage(await getBrowser(), 'e2e-sandbox-telegram-loop', async ({ page, inbox }) => {
      const widget = await frameNamed(page, 'widget');
      await widget.waitForSelector('[data-awc-telegram=not_connected]', { timeout: 60_000 });
      await widget.fill('[data-awc-telegram-token]', BOT.token);
      await widget.click('[data-awc-action=telegram_connect]');
      await widget.waitForSelector(`[data-awc-telegram=connected] [data-awc-telegram-bot="${BOT.username}"]`, { timeout: 30_000 });
      await page.waitForSelector('[data-testid=tg-status][data-connected=true]');

      await page.fill('[data-testid=tg-input]', 'Hi from Telegram');
      await page.press('[data-testid=tg-input]', 'Enter');
      await inbox.waitForMessage('Hi from Telegram', 30_000);
      await page.click('[data-testid=inbox-chat]:has([data-testid=inbox-chat-channel]:text-is("Telegram"))');
      await inbox.reply('Hello from amoCRM');
      await page.waitForSelector(`${tgMessage('Hello from amoCRM')}[data-direction=from_bot]`, { timeout: 30_000 });
    });
  }, 180_000);
});
