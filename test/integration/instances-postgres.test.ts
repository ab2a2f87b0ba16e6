/**
 * Two real backend processes on one PostgreSQL database act as one service. The visitor streams
 * from A; amojo's hooks go to B, and only B runs jobs, so everything the visitor sees crossed from
 * B to A: a manager message within a few seconds (not at the 15 s heartbeat), typing, and
 * "delivered" reported to amojo exactly once. A disconnect on A makes B refuse hooks at once; a
 * reconnect on A makes B accept them again; a site key rotated on B closes A's streams.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { signWebhookBody } from '../../server/amojo/signing.js';
import { Visitor, waitFor } from './bridge-helpers.js';
import { PAIR_CHANNEL, startInstancePair, type InstancePair } from '../support/instance-pair.js';
import { postgresTestsEnabled } from '../support/postgres.js';

describe.skipIf(!postgresTestsEnabled())('two instances on one PostgreSQL database', () => {
  let pair: InstancePair | undefined;

  afterAll(async () => {
    await pair?.stop();
  });

  it('streams, types and reports delivered across instances, and honours connection changes at once', { timeout: 90_000 }, async () => {
    pair = await startInstancePair();
    const { a, urlA, urlB, siteKey, scopeId, emulator } = pair;

    const visitor = await Visitor.open(urlA, siteKey, { name: 'Vera' });
    await visitor.send('Hello from the page');
    const chat = await waitFor(() => emulator.chats(scopeId).find((c) => c.conversationId === visitor.conversationId), 10_000, 'the chat at amojo');
    const stream = visitor.events();
    await stream.ready;
    expect(stream.status).toBe(200);

    const sent = await emulator.sendManagerMessage({ scopeId, chatId: chat.id, text: 'Answer via B', senderName: 'Anna' });
    expect(sent.hookStatus).toBe(200);
    await stream.waitFor((e) => e.event === 'message' && e.data['text'] === 'Answer via B', 5000);

    const typing = await emulator.managerTyping({ scopeId, chatId: chat.id });
    expect(typing.hookStatus).toBe(200);
    await stream.waitFor((e) => e.event === 'typing' && e.data['from'] === 'manager', 5000);

    // Delivered exactly once: a second message's report proves the first one's has had its chance to double.
    const statusesOf = (amojoMsgId: string) => emulator.messages(chat.id).find((m) => m.amojoMsgId === amojoMsgId)?.deliveryStatuses.filter((s) => s.status === 1) ?? [];
    await waitFor(() => statusesOf(sent.amojoMsgId).length > 0, 5000, 'delivered status of the first message');
    const second = await emulator.sendManagerMessage({ scopeId, chatId: chat.id, text: 'And one more', senderName: 'Anna' });
    await stream.waitFor((e) => e.event === 'message' && e.data['text'] === 'And one more', 5000);
    await waitFor(() => statusesOf(second.amojoMsgId).length > 0, 5000, 'delivered status of the second message');
    expect(statusesOf(sent.amojoMsgId)).toHaveLength(1);
    expect(statusesOf(second.amojoMsgId)).toHaveLength(1);

    // amojo sends no hooks for a disconnected scope: replay one it sent, signed as amojo signs.
    const replay = async () => {
      const hook = emulator.webhooks().find((w) => w.kind === 'message');
      const body = Buffer.from(JSON.stringify(hook!.body));
      const res = await fetch(`${urlB}/amojo/webhook/${scopeId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signWebhookBody(PAIR_CHANNEL.secret, body) },
        body,
      });
      return res.status;
    };
    expect(await replay()).toBe(200);
    // B hears of the change a moment after A's commit: within a second, not at the end of B's 5 s cache.
    await a.command('disconnect', 'DISCONNECTED');
    await waitFor(async () => (await replay()) === 404, 1000, 'B refusing hooks of the disconnected scope');
    await a.command('connect', 'CONNECTED');
    await waitFor(async () => (await replay()) === 200, 1000, 'B accepting hooks of the reconnected scope');
    const afterReconnect = await emulator.sendManagerMessage({ scopeId, chatId: chat.id, text: 'Back again', senderName: 'Anna' });
    expect(afterReconnect.hookStatus).toBe(200);
    await stream.waitFor((e) => e.event === 'message' && e.data['text'] === 'Back again', 5000);

    // A site key rotated on B ends the account's streams on A and retires its visitor tokens there.
    await visitor.messages();
    await pair.b.command('rotate', 'ROTATED');
    await stream.ended;
    await expect(visitor.messages()).rejects.toThrow(/401/);
  });
});
