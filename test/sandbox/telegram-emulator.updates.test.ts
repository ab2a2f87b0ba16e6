import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_DELIVERY_ATTEMPTS } from '../../server/sandbox/telegram/index.js';
import { startTelegram, startWebhookReceiver, type Harness, type WebhookReceiver } from './telegram-emulator-harness.js';

let h: Harness;
let hook: WebhookReceiver;
beforeEach(async () => {
  h = await startTelegram();
  hook = await startWebhookReceiver();
});
afterEach(async () => {
  await h.close();
  await hook.close();
});

const SECRET = 'sEcReT_token-0123456789';
const setHook = (extra: Record<string, unknown> = {}) => h.call('setWebhook', { url: hook.url, secret_token: SECRET, ...extra });

describe('setWebhook and getWebhookInfo', () => {
  it('sets, shows and deletes a webhook with the API descriptions', async () => {
    expect((await setHook({ max_connections: 10, allowed_updates: ['message', 'callback_query'] })).body).toEqual({ ok: true, result: true, description: 'Webhook was set' });
    expect((await h.call('getWebhookInfo')).body.result).toEqual({
      url: hook.url,
      has_custom_certificate: false,
      pending_update_count: 0,
      ip_address: '127.0.0.1',
      max_connections: 10,
      allowed_updates: ['message', 'callback_query'],
    });
    expect((await h.call('deleteWebhook')).body).toEqual({ ok: true, result: true, description: 'Webhook was deleted' });
    expect((await h.call('deleteWebhook')).body.description).toBe('Webhook is already deleted');
    expect((await h.call('getWebhookInfo')).body.result.url).toBe('');
  });

  it('refuses bad URLs, ports and secret tokens', async () => {
    const refuse = async (params: Record<string, unknown>) => (await h.call('setWebhook', params)).body.description;
    expect(await refuse({ url: 'http://example.com/hook' })).toBe('Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
    expect(await refuse({ url: 'https://example.com:3000/hook' })).toBe('Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443');
    expect(await refuse({ url: hook.url, secret_token: 'has space' })).toBe('Bad Request: secret token contains unallowed characters');
    expect(await refuse({ url: hook.url, secret_token: 'a'.repeat(257) })).toBe('Bad Request: secret token contains unallowed characters');
    expect(await refuse({ url: hook.url, max_connections: 101 })).toMatch(/^Bad Request: bad webhook: max_connections/);
    expect((await h.call('setWebhook', { url: 'https://example.com:8443/hook', secret_token: 'a'.repeat(256) })).status).toBe(200);
  });
});

describe('webhook delivery', () => {
  it('POSTs each update as JSON with the secret header, update_id rising by one', async () => {
    await setHook();
    const first = h.userSays('one');
    const second = h.userSays('two');
    await h.emu.whenDeliveryIdle();
    expect(hook.received).toHaveLength(2);
    expect(hook.received[0]?.headers['x-telegram-bot-api-secret-token']).toBe(SECRET);
    expect(hook.received[0]?.headers['content-type']).toBe('application/json');
    expect(hook.received.map((r) => r.body)).toEqual([first.update, second.update]);
    expect((second.update?.update_id ?? 0) - (first.update?.update_id ?? 0)).toBe(1);
    expect(hook.received[0]?.body.message).toMatchObject({ message_id: 1, text: 'one', from: { id: h.user.id, is_bot: false }, chat: { id: h.user.id, type: 'private' } });
    expect((await h.call('getWebhookInfo')).body.result.pending_update_count).toBe(0);
  });

  it('sends no secret header when the webhook has none', async () => {
    await h.call('setWebhook', { url: hook.url });
    h.userSays();
    await h.emu.whenDeliveryIdle();
    expect(hook.received[0]?.headers['x-telegram-bot-api-secret-token']).toBeUndefined();
  });

  it('turns every user action into its update kind; reactions only when asked for', async () => {
    await setHook();
    const base = { botId: h.bot.id, userId: h.user.id };
    h.userSays('hi');
    const sent = await h.call('sendMessage', { chat_id: h.user.id, text: 'Pick', reply_markup: { inline_keyboard: [[{ text: 'Red', callback_data: 'c:red' }]] } });
    h.emu.editAsUser({ ...base, messageId: 1, text: 'hi there' });
    h.emu.sendAsUser({ ...base, text: 'about that', replyToMessageId: sent.body.result.message_id });
    h.emu.pressButton({ ...base, messageId: sent.body.result.message_id, text: 'Red' });
    expect(h.emu.reactAsUser({ ...base, messageId: 2, emoji: ['👍'] }).update).toBeUndefined();
    h.emu.blockBot(base);
    h.emu.unblockBot(base);
    const group = h.emu.createGroup('Buyers');
    h.emu.sendAsUser({ ...base, chatId: group.id, text: 'in the group' });
    await h.emu.whenDeliveryIdle();
    const bodies = hook.received.map((r) => r.body);
    expect(bodies.map((b) => Object.keys(b).filter((k) => k !== 'update_id')[0])).toEqual(['message', 'edited_message', 'message', 'callback_query', 'my_chat_member', 'my_chat_member', 'message']);
    expect(bodies[1].edited_message).toMatchObject({ message_id: 1, text: 'hi there', edit_date: Math.floor(h.clock.now / 1000) });
    expect(bodies[2].message.reply_to_message).toMatchObject({ message_id: 2, text: 'Pick', from: { is_bot: true } });
    expect(bodies[3].callback_query).toMatchObject({ from: { id: h.user.id }, data: 'c:red', message: { message_id: 2 } });
    expect(bodies[4].my_chat_member).toMatchObject({ old_chat_member: { status: 'member' }, new_chat_member: { status: 'kicked', user: { id: h.bot.id } } });
    expect(bodies[5].my_chat_member.new_chat_member.status).toBe('member');
    expect(bodies[6].message.chat).toEqual({ id: group.id, type: 'group', title: 'Buyers' });

    await setHook({ allowed_updates: ['message', 'message_reaction'] });
    h.emu.reactAsUser({ ...base, messageId: 2, emoji: ['🔥'] });
    h.emu.pressButton({ ...base, messageId: 2, data: 'c:red' }); // not in allowed_updates now
    await h.emu.whenDeliveryIdle();
    expect(hook.received.at(-1)?.body.message_reaction).toMatchObject({ message_id: 2, user: { id: h.user.id }, old_reaction: [{ type: 'emoji', emoji: '👍' }], new_reaction: [{ type: 'emoji', emoji: '🔥' }] });
    expect(hook.received).toHaveLength(8);
  });

  it('retries a refused delivery with backoff, then keeps it pending with the last error', async () => {
    await setHook();
    hook.statuses = new Array<number>(MAX_DELIVERY_ATTEMPTS).fill(500);
    const { update } = h.userSays('lost?');
    await h.emu.whenDeliveryIdle();
    expect(hook.received).toHaveLength(1);
    for (const waitMs of [1000, 2000, 4000, 8000]) {
      h.scheduler.advance(waitMs - 1);
      await h.emu.whenDeliveryIdle();
      const before = hook.received.length;
      h.scheduler.advance(1);
      await h.emu.whenDeliveryIdle();
      expect(hook.received.length).toBe(before + 1);
    }
    expect(hook.received).toHaveLength(MAX_DELIVERY_ATTEMPTS);
    expect(h.scheduler.pending).toBe(0);
    const info = (await h.call('getWebhookInfo')).body.result;
    expect(info).toMatchObject({ pending_update_count: 1, last_error_message: 'Wrong response from the webhook: 500 Internal Server Error', last_error_date: Math.floor(h.clock.now / 1000) });
    expect(h.emu.webhookAttempts(h.bot.id).map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5]);

    // The next update tries again, oldest first, and nothing is delivered twice.
    const { update: next } = h.userSays('later');
    await h.emu.whenDeliveryIdle();
    expect(hook.received.slice(-2).map((r) => r.body.update_id)).toEqual([update?.update_id, next?.update_id]);
    expect((await h.call('getWebhookInfo')).body.result.pending_update_count).toBe(0);
  });

  it('counts a network error as a failed attempt', async () => {
    const closedUrl = hook.url;
    await hook.close();
    await h.call('setWebhook', { url: closedUrl });
    h.userSays();
    await h.emu.whenDeliveryIdle();
    expect((await h.call('getWebhookInfo')).body.result).toMatchObject({ pending_update_count: 1, last_error_message: 'Connection refused' });
    expect(h.scheduler.pending).toBe(1);
  });

  it('drop_pending_updates forgets undelivered updates', async () => {
    h.userSays('queued');
    expect((await h.call('getWebhookInfo')).body.result.pending_update_count).toBe(1);
    await setHook({ drop_pending_updates: true });
    await h.emu.whenDeliveryIdle();
    expect(hook.received).toHaveLength(0);
  });
});

describe('getUpdates', () => {
  it('returns queued updates, confirms them by offset, honours limit', async () => {
    const updates = ['a', 'b', 'c'].map((t) => h.userSays(t).update?.update_id ?? 0);
    const all = await h.call('getUpdates');
    expect(all.body.result.map((u: { update_id: number }) => u.update_id)).toEqual(updates);
    const limited = await h.call('getUpdates', { offset: updates[1], limit: 1 }, { encoding: 'query' });
    expect(limited.body.result.map((u: { message: { text: string } }) => u.message.text)).toEqual(['b']);
    expect((await h.call('getUpdates')).body.result).toHaveLength(2);
    expect((await h.call('getUpdates', { offset: -1 })).body.result.map((u: { message: { text: string } }) => u.message.text)).toEqual(['c']);
    expect((await h.call('getUpdates', { offset: (updates[2] ?? 0) + 1 })).body.result).toEqual([]);
  });

  it('waits up to `timeout` for an update', async () => {
    const polling = h.call('getUpdates', { timeout: 30 });
    await expect.poll(() => h.scheduler.pending).toBe(1);
    const { update } = h.userSays('woke');
    expect((await polling).body.result[0].message.text).toBe('woke');
    const empty = h.call('getUpdates', { timeout: 5, offset: (update?.update_id ?? 0) + 1 });
    await expect.poll(() => h.scheduler.pending).toBe(1);
    h.scheduler.advance(5000);
    expect((await empty).body.result).toEqual([]);
  });

  it('answers 409 while a webhook is set', async () => {
    await setHook();
    const answer = await h.call('getUpdates');
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual({ ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" });
  });
});
