/**
 * A sandbox backend with the Telegram platform pointed at a Telegram Bot API emulator of its own
 * (listening on 127.0.0.1), the account installed and its bot connected through
 * `POST /widget/telegram`. Webhook posts of the emulator are recorded, so a test can replay one.
 */
import { createTelegramEmulator, type BotApiUser, type BotRecord, type TelegramEmulator } from '../../server/sandbox/telegram/index.js';
import { SANDBOX_ACCOUNT } from '../../server/sandbox/amocrm/index.js';
import { startTestBackend, type TestBackend, type TestBackendOptions } from '../support/server.js';
import { emulators, install, widget } from '../support/amocrm.js';
import { waitFor } from './bridge-helpers.js';

export const ACCOUNT = SANDBOX_ACCOUNT.id;

export interface PostedUpdate {
  url: string;
  body: Buffer;
  headers: Record<string, string>;
}

export interface TelegramBackend {
  backend: TestBackend;
  tg: TelegramEmulator;
  bot: BotRecord;
  otherBot: BotRecord;
  user: BotApiUser;
  posted: PostedUpdate[];
  /** The account's scope on the Telegram channel. */
  scopeId(): Promise<string>;
  /** The amojo chat of the user's conversation, once amoCRM has it. */
  amojoChat(userChatId?: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startTelegramBackend(opts: TestBackendOptions = {}): Promise<TelegramBackend> {
  const posted: PostedUpdate[] = [];
  const tg = createTelegramEmulator({
    bots: [
      { firstName: 'Shop bot', username: 'shop_test_bot' },
      { firstName: 'Other bot', username: 'other_test_bot' },
    ],
    postUpdate: async (url, body, headers) => {
      posted.push({ url, body, headers });
      const res = await fetch(url, { method: 'POST', body: new Uint8Array(body), headers, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      return res.status;
    },
  });
  const server = await tg.listen();
  const backend = await startTestBackend({ ...opts, env: { TELEGRAM_API_BASE_URL: server.url, ...opts.env } });
  if ((await install(backend, ACCOUNT)).status !== 200) throw new Error('install failed');
  const [bot, otherBot] = tg.bots() as [BotRecord, BotRecord];
  const connected = await widget(backend, 'POST', '/widget/telegram', { body: { bot_token: bot.token } });
  if (connected.status !== 200) throw new Error(`telegram connect: ${connected.status} ${JSON.stringify(connected.body)}`);
  const user = tg.createUser({ firstName: 'Ivan', lastName: 'Petrov', username: 'ivan_p' });

  async function scopeId(): Promise<string> {
    const link = await backend.services.store.channelLinks.get(ACCOUNT, 'telegram');
    if (!link?.scopeId) throw new Error('telegram channel not connected');
    return link.scopeId;
  }

  return {
    backend,
    tg,
    bot,
    otherBot,
    user,
    posted,
    scopeId,
    async amojoChat(userChatId = user.id) {
      const scope = await scopeId();
      const conversation = await waitFor(() => backend.services.store.bridge.conversations.findByPlatformChat(ACCOUNT, 'telegram', String(userChatId)), 5000, 'conversation');
      const chat = await waitFor(() => emulators(backend).amojo.chats(scope).find((c) => c.conversationId === conversation.id), 5000, 'amojo chat');
      return chat.id;
    },
    async stop() {
      await backend.stop();
      await server.close();
    },
  };
}
