/**
 * A flood of Telegram updates is stored as it comes but answered at the pace the updates are
 * processed: while the stored backlog is over its limit, the webhook's 200 waits (the update is
 * already on disk), so Telegram sends no faster than the jobs take them. Here the limit is one
 * update and the job runner starts only when the test says.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emulators } from '../support/amocrm.js';
import { waitFor } from './bridge-helpers.js';
import { startTelegramBackend, type TelegramBackend } from './telegram-support.js';

let t: TelegramBackend;

beforeEach(async () => {
  t = await startTelegramBackend({ startJobs: false, serviceOptions: { telegram: { backlogLimit: 1 } } });
});
afterEach(async () => {
  await t.stop();
});

describe('the Telegram webhook under a flood', () => {
  it('stores every update at once but holds the answers while the backlog is over its limit', async () => {
    t.tg.sendAsUser({ botId: t.bot.id, userId: t.user.id, text: 'first' });
    const first = await waitFor(() => t.posted[0], 5000, 'first update');
    const secret = first.headers['X-Telegram-Bot-Api-Secret-Token'] ?? first.headers['x-telegram-bot-api-secret-token'] ?? '';
    const update = JSON.parse(first.body.toString('utf8')) as { update_id: number; message: Record<string, unknown> };
    // The emulator's own post was answered: one stored update is within the limit.
    await waitFor(async () => (await t.backend.services.store.inbound.countWaiting(10)) === 1 || undefined, 5000, 'first stored');

    const answers: Array<number | undefined> = [undefined, undefined];
    const posts: Array<Promise<unknown>> = [];
    // One after the other, as one chat's updates arrive: each is stored before the next is sent,
    // so the order they are stored in is the order they were sent in.
    for (const [i, n] of [2, 3].entries()) {
      posts.push(
        fetch(`${t.backend.url}/telegram/webhook/${t.bot.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
          body: JSON.stringify({ update_id: update.update_id + n, message: { ...update.message, message_id: 100 + n, text: `flood ${n}` } }),
        }).then((res) => (answers[i] = res.status)),
      );
      await waitFor(async () => (await t.backend.services.store.inbound.countWaiting(10)) === n || undefined, 5000, `flood ${n} stored`);
    }
    // Both are on disk while neither has its answer: nothing processes them yet.
    expect(answers).toEqual([undefined, undefined]);

    t.backend.services.jobRunner.start();
    await Promise.all(posts);
    expect(answers).toEqual([200, 200]);
    const scope = await t.scopeId();
    const texts = () =>
      emulators(t.backend)
        .amojo.chats(scope)
        .flatMap((c) => emulators(t.backend).amojo.messages(c.id))
        .filter((m) => m.direction === 'incoming')
        .map((m) => m.content.text);
    await waitFor(() => texts().length === 3 || undefined, 5000, 'all three in amoCRM');
    expect(texts()).toEqual(['first', 'flood 2', 'flood 3']);
  });
});
