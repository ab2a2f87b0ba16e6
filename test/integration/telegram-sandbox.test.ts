/**
 * The sandbox's own Telegram emulator across a backend restart: the emulator keeps its state in
 * memory, so the start-up work attaches the stored bot again (webhook and Telegram channel), and
 * the Telegram pane keeps working without a reconnect.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { emulators, widget } from '../support/amocrm.js';
import { startTestBackend, type TestBackend } from '../support/server.js';
import { waitFor } from './bridge-helpers.js';
import { ACCOUNT } from './telegram-support.js';

const running: TestBackend[] = [];
afterEach(async () => {
  for (const b of running.splice(0)) {
    await b.services.stop?.();
    await b.stop();
  }
});

async function startSandbox(databaseUrl?: string): Promise<TestBackend> {
  const backend = await startTestBackend(databaseUrl ? { databaseUrl } : {});
  running.push(backend);
  await backend.services.start?.();
  await backend.services.sandbox!.startupInstall();
  return backend;
}

describe('the sandbox Telegram bot after a restart', () => {
  it('has its webhook set again and carries the user’s message to amoCRM', async () => {
    const first = await startSandbox();
    const token = first.services.sandbox!.telegram.bot.token;
    expect((await widget(first, 'POST', '/widget/telegram', { body: { bot_token: token } })).status).toBe(200);
    running.splice(running.indexOf(first), 1);
    await first.services.stop?.();
    await first.stop({ keepData: true });

    const second = await startSandbox(first.databaseUrl);
    const { emulator, bot, userId } = second.services.sandbox!.telegram;
    expect(emulator.webhookInfo(bot.id).url).toBe(`${second.url}/telegram/webhook/${bot.id}`);
    emulator.sendAsUser({ botId: bot.id, userId, text: 'still here after the restart' });
    const link = await second.services.store.channelLinks.get(ACCOUNT, 'telegram');
    const amojo = emulators(second).amojo;
    const arrived = await waitFor(
      () => amojo.chats(link!.scopeId!).flatMap((c) => amojo.messages(c.id)).find((m) => m.content.text === 'still here after the restart'),
      8000,
      'message in amoCRM',
    );
    expect(arrived.direction).toBe('incoming');
  });
});
