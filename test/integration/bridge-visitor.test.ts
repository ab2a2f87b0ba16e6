/**
 * Visitor → amoCRM over HTTP with the amojo emulator: text with the visitor's profile, pictures,
 * files, voice notes, quoted replies, edits, reactions, typing, read receipts, idempotent sends,
 * and messages written while the account was disconnected.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDialect } from '../support/dialect.js';
import { PNG_1X1, Visitor, chatOf, connectAccount, emulatorMessages, startBridgeBackend, waitFor, waitForEmulatorMessages, type BridgeBackend } from './bridge-helpers.js';

let b: BridgeBackend;
/** The bridge's clock runs this far ahead of the wall clock: tests move it instead of waiting. */
let ahead = 0;

beforeEach(async () => {
  ahead = 0;
  b = await startBridgeBackend({ serviceOptions: { now: () => Date.now() + ahead } });
});
afterEach(async () => {
  await b.stop();
});

describe('visitor → amoCRM', () => {
  it('delivers a text with the visitor profile, marks it sent and maps both sides’ ids', async () => {
    const v = await Visitor.open(b.url, b.siteKey, { name: 'Anna Petrova', phone: '+7 915 111-22-33', email: 'anna@example.com' });
    const msgid = await v.send('Hello from the website');
    const [m] = await waitForEmulatorMessages(b, v.conversationId, 1);
    expect(m).toMatchObject({ msgid, direction: 'incoming', silent: false, content: { type: 'text', text: 'Hello from the website' } });
    const chat = chatOf(b, v.conversationId)!;
    const client = chat.participants.find((p) => p.kind === 'client')!;
    expect(client).toMatchObject({ name: 'Anna Petrova', email: 'anna@example.com' });
    expect(client.phone).toContain('915');

    const row = await waitFor(async () => {
      const r = await b.services.store.bridge.messages.get(msgid as never);
      return r?.status === 'sent' ? r : undefined;
    });
    expect(row.amojoMsgId).toBe(m!.amojoMsgId);
    const conv = await b.services.store.bridge.conversations.get(v.conversationId as never);
    expect(conv?.amojoChatId).toBe(chat.id);
    expect(conv?.amojoParticipantId).toBe(client.amojoId);
  });

  it('answers the same client_msgid twice with the same msgid and sends once', async () => {
    const v = await Visitor.open(b.url, b.siteKey);
    const body = { client_msgid: 'retry-1', text: 'only once' };
    const [a, c] = await Promise.all([v.post('/messages', body), v.post('/messages', body)]);
    const again = await v.post('/messages', body);
    expect(a.status).toBe(202);
    expect(c.body['msgid']).toBe(a.body['msgid']);
    expect(again.body['msgid']).toBe(a.body['msgid']);
    await waitForEmulatorMessages(b, v.conversationId, 1);
    await b.services.jobRunner.whenIdle();
    expect(emulatorMessages(b, v.conversationId)).toHaveLength(1);
  });

  it('sends a picture, a document and a voice note as media links amoCRM can download', async () => {
    const v = await Visitor.open(b.url, b.siteKey);
    const pic = await v.upload(PNG_1X1, 'photo.png', 'image/png');
    expect(pic.status).toBe(201);
    const pdf = await v.upload(Buffer.from('%PDF-1.4 test'), 'Invoice №1.pdf', 'application/pdf');
    const voice = await v.upload(Buffer.from('OggS-voice'), 'note.webm', 'audio/webm;codecs=opus');
    expect(voice.body['type']).toBe('voice');
    await v.send('', { file_id: pic.body['file_id'] });
    await v.send('the invoice', { file_id: pdf.body['file_id'] });
    await v.send('', { file_id: voice.body['file_id'] });
    const list = await waitForEmulatorMessages(b, v.conversationId, 3);
    expect(list.map((m) => m.content.type)).toEqual(['picture', 'file', 'voice']);
    expect(list[0]!.content).toMatchObject({ media: pic.body['url'], fileName: 'photo.png', fileSize: PNG_1X1.length });
    expect(list[1]!.content).toMatchObject({ text: 'the invoice', fileName: 'Invoice №1.pdf' });
    // The link amoCRM gets serves the exact bytes.
    const res = await fetch(String(list[0]!.content.media));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG_1X1)).toBe(true);
  });

  it('quotes a message (reply_to), edits one, reacts and withdraws the reaction', async () => {
    const v = await Visitor.open(b.url, b.siteKey);
    const first = await v.send('first');
    const second = await v.send('second', { reply_to: first });
    const [m1, m2] = await waitForEmulatorMessages(b, v.conversationId, 2);
    expect(m2!.replyTo).toEqual({ amojoMsgId: m1!.amojoMsgId });

    const patched = await fetch(`${b.url}/webchat/v1/messages/${second}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${v.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'second (edited)' }),
    });
    expect(patched.status).toBe(202);
    await waitFor(() => emulatorMessages(b, v.conversationId)[1]?.content.text === 'second (edited)', 5000, 'edit at amojo');
    expect(emulatorMessages(b, v.conversationId)[1]!.edits).toHaveLength(1);

    const sent = await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId: chatOf(b, v.conversationId)!.id, text: 'Hi, how can I help?' });
    const managerMsg = await waitFor(async () => (await v.messages()).messages.find((m) => m['from'] === 'manager'));
    expect((await v.post('/reactions', { msgid: managerMsg['msgid'], emoji: '👍' })).status).toBe(204);
    await waitFor(() => b.emulator.reactions(b.scopeId).find((r) => r.amojoMsgId === sent.amojoMsgId && r.type === 'react' && r.emoji === '👍'));
    expect((await v.post('/reactions', { msgid: managerMsg['msgid'], type: 'unreact' })).status).toBe(204);
    await waitFor(() => b.emulator.reactions(b.scopeId).find((r) => r.amojoMsgId === sent.amojoMsgId && r.type === 'unreact'));
    const listed = (await v.messages()).messages.find((m) => m['msgid'] === managerMsg['msgid'])!;
    expect(listed['reactions']).toEqual([]);
  });

  // This moves the app's clock past the interval; on PostgreSQL the typing throttle shared by the
  // instances counts in real time (pg-shared-limits covers it there).
  it.skipIf(testDialect === 'postgres')('forwards typing at most once per interval and only once the chat exists', async () => {
    const v = await Visitor.open(b.url, b.siteKey);
    expect((await v.post('/typing', {})).status).toBe(204);
    await v.send('hello');
    await waitForEmulatorMessages(b, v.conversationId, 1);
    await waitFor(async () => (await b.services.store.bridge.conversations.get(v.conversationId as never))?.amojoChatId);
    // The first typing call before the chat existed still started the throttle window.
    ahead += b.services.bridge.limits.typingIntervalMs;
    for (let i = 0; i < 5; i++) expect((await v.post('/typing', {})).status).toBe(204);
    await waitFor(() => b.emulator.typingEvents(b.scopeId).filter((t) => t.origin === 'integration').length === 1, 3000, 'typing');
    await b.services.jobRunner.whenIdle();
    expect(b.emulator.typingEvents(b.scopeId).filter((t) => t.origin === 'integration')).toHaveLength(1);
  });

  it('reports read receipts as delivery status 2 for every manager message read', async () => {
    const v = await Visitor.open(b.url, b.siteKey);
    await v.send('question');
    await waitForEmulatorMessages(b, v.conversationId, 1);
    const chatId = chatOf(b, v.conversationId)!.id;
    const a = await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, text: 'answer 1' });
    const c = await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, text: 'answer 2' });
    const list = await waitFor(async () => {
      const l = (await v.messages()).messages.filter((m) => m['from'] === 'manager');
      return l.length === 2 ? l : undefined;
    });
    expect((await v.post('/read', { msgid: list[1]!['msgid'] })).status).toBe(204);
    const statusesOf = (id: string) => b.emulator.messages(chatId).find((m) => m.amojoMsgId === id)!.deliveryStatuses.map((s) => s.status);
    await waitFor(() => statusesOf(a.amojoMsgId).includes(2) && statusesOf(c.amojoMsgId).includes(2), 5000, 'read statuses');
    // Fetching the list made them delivered first.
    expect(statusesOf(a.amojoMsgId)).toEqual([1, 2]);
  });

  it('keeps messages while the account is disconnected and imports them on reconnect, silent except the last', async () => {
    const v = await Visitor.open(b.url, b.siteKey);
    await v.send('before');
    await waitForEmulatorMessages(b, v.conversationId, 1);
    await b.services.connections.disconnect(4242);
    const held = [await v.send('while away 1'), await v.send('while away 2'), await v.send('while away 3')];
    await b.services.jobRunner.whenIdle();
    const rows = await Promise.all(held.map((id) => b.services.store.bridge.messages.get(id as never)));
    expect(rows.map((r) => r?.status)).toEqual(['held', 'held', 'held']);
    expect((await v.messages()).messages.slice(1).map((m) => m['status'])).toEqual(['queued', 'queued', 'queued']);
    expect(await b.services.store.jobs.list({ kind: 'bridge.send' })).toEqual([]);

    await connectAccount(b);
    const list = await waitForEmulatorMessages(b, v.conversationId, 4);
    expect(list.map((m) => [m.content.text, m.silent])).toEqual([
      ['before', false],
      ['while away 1', true],
      ['while away 2', true],
      ['while away 3', false],
    ]);
    expect(list.map((m) => m.msgid)).toEqual([expect.any(String), ...held]);
  });

  it('sends a message that arrives just after a reconnect behind the ones kept before it', async () => {
    const v = await Visitor.open(b.url, b.siteKey);
    await b.services.connections.disconnect(4242);
    const kept = await v.send('kept');
    // Connected, but the import has not run yet (the window between connect and its callback).
    await b.services.amojo.connect(b.services.config.amojoBaseUrl!, { accountAmojoId: b.accountAmojoId });
    await b.services.store.accounts.setConnection(4242, 'connected', { scope_id: b.scopeId });
    // As another process would see it: once its cached connection state (1 s) has expired.
    ahead += 1100;
    const next = await v.send(`next ${randomUUID()}`);
    const list = await waitForEmulatorMessages(b, v.conversationId, 2);
    expect(list.map((m) => [m.msgid, m.silent])).toEqual([
      [kept, true],
      [next, false],
    ]);
  });
});
