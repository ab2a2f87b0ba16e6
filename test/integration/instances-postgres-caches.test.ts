/**
 * Two real instances on one PostgreSQL database: what one instance caches of an account (the
 * bubble's settings, the connected bots) follows a change made on the other at once, not when the
 * cache's few seconds run out. B is asked first, so it holds the old answer when A changes it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createTelegramEmulator } from '../../server/sandbox/telegram/index.js';
import { waitFor } from './bridge-helpers.js';
import { startInstancePair, type InstancePair } from '../support/instance-pair.js';
import { postgresTestsEnabled } from '../support/postgres.js';

/** Well under the caches' 5 s: only a notification makes B answer afresh this soon. */
const AT_ONCE_MS = 1000;

describe.skipIf(!postgresTestsEnabled())('caches across two instances on one PostgreSQL database', () => {
  let pair: InstancePair | undefined;
  let closeTelegram: (() => Promise<void>) | undefined;

  afterAll(async () => {
    await pair?.stop();
    await closeTelegram?.();
  });

  it('answers settings saved on A from B at once, and refuses on B a bot disconnected on A', { timeout: 90_000 }, async () => {
    let webhookSecret: string | undefined;
    const tg = createTelegramEmulator({
      bots: [{ firstName: 'Shop bot', username: 'shop_pair_bot' }],
      postUpdate: async (url, body, headers) => {
        webhookSecret = headers['X-Telegram-Bot-Api-Secret-Token'] ?? headers['x-telegram-bot-api-secret-token'];
        const res = await fetch(url, { method: 'POST', body: new Uint8Array(body), headers });
        await res.arrayBuffer();
        return res.status;
      },
    });
    const tgServer = await tg.listen();
    closeTelegram = () => tgServer.close();
    const bot = tg.bots()[0]!;
    pair = await startInstancePair({ WEBCHAT_NO_LIMITS: '1' }, { telegram: { apiUrl: tgServer.url, botToken: bot.token } });
    const { a, urlB, siteKey } = pair;

    // Settings: B has answered (and cached) the old title when A saves a new one.
    const titleOnB = async () => {
      const res = await fetch(`${urlB}/webchat/v1/settings?site_key=${encodeURIComponent(siteKey)}`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { title: string | null }).title;
    };
    expect(await titleOnB()).toBeNull();
    await a.command('title Shop support', 'SAVED');
    await waitFor(async () => (await titleOnB()) === 'Shop support', AT_ONCE_MS, 'B answering the settings saved on A');

    // Telegram: the secret is the one A gave setWebhook; B accepts the bot's updates with it.
    const user = tg.createUser({ firstName: 'Ivan' });
    tg.sendAsUser({ botId: bot.id, userId: user.id, text: 'hello' });
    const secret = await waitFor(() => webhookSecret, 10_000, 'the webhook secret of the connected bot');
    let updateId = 9_000;
    const postToB = async () => {
      const update = { update_id: ++updateId, message: { message_id: updateId, from: { id: user.id, is_bot: false, first_name: 'Ivan' }, chat: { id: user.id, type: 'private', first_name: 'Ivan' }, date: Math.floor(Date.now() / 1000), text: `update ${updateId}` } };
      const res = await fetch(`${urlB}/telegram/webhook/${bot.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body: JSON.stringify(update),
      });
      await res.arrayBuffer();
      return res.status;
    };
    expect(await postToB()).toBe(200);
    await a.command('telegram-disconnect', 'TELEGRAM_DISCONNECTED');
    await waitFor(async () => (await postToB()) === 404, AT_ONCE_MS, 'B refusing the bot disconnected on A');
  });
});
