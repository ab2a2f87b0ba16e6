import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT_ID, API, BOT_ID, CHANNEL_ID, SCOPE_ID, connect, incomingText, startEmulator, type Harness } from './amojo-emulator-harness.js';

const SCOPE = `${API}/${SCOPE_ID}`;
const MANAGER_ID = '76fc2bea-902f-425c-9a3d-dcdac4766090';

let h: Harness;
beforeEach(async () => {
  h = await startEmulator();
  await connect(h);
});
afterEach(() => h.close());

const send = (body: unknown) => h.call('POST', SCOPE, { body });
const chatId = (): string => h.emu.chats(SCOPE_ID)[0]?.id ?? '';
const payload = (msgid: string, message: Record<string, unknown>, extra: Record<string, unknown> = {}) => incomingText(msgid, { message, ...extra });

describe('connect / disconnect', () => {
  it('connects idempotently and refuses the scope after disconnect until reconnected', async () => {
    const again = await connect(h);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ account_id: ACCOUNT_ID, scope_id: SCOPE_ID, title: 'My Channel', hook_api_version: 'v2', is_time_window_disabled: false });
    expect(h.emu.connections()).toHaveLength(1);
    expect((await send(incomingText('m1'))).status).toBe(200);

    const off = await h.call('DELETE', `${API}/${CHANNEL_ID}/disconnect`, { body: { account_id: ACCOUNT_ID } });
    expect(off.status).toBe(200);
    expect(off.text).toBe('');
    expect(h.emu.connections()[0]?.isActive).toBe(false);
    expect((await send(incomingText('m2'))).status).toBe(403);

    await connect(h);
    expect((await send(incomingText('m2'))).status).toBe(200);
    expect(h.emu.messages(chatId())).toHaveLength(2);
  });

  it('refuses connect without hook_api_version v2 or with a non-uuid account', async () => {
    const v1 = await h.call('POST', `${API}/${CHANNEL_ID}/connect`, { body: { account_id: ACCOUNT_ID, hook_api_version: 'v1' } });
    expect(v1.status).toBe(400);
    const bad = await h.call('POST', `${API}/${CHANNEL_ID}/connect`, { body: { account_id: 12345, hook_api_version: 'v2' } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error_code: 400, error_type: 'invalid_data' });
  });
});

describe('create chat', () => {
  it('creates once per conversation_id and answers phone/email flat on user', async () => {
    const body = {
      conversation_id: 'conv-a',
      user: { id: 'user-a', name: 'Anna', avatar: 'https://example.com/a.png', profile: { phone: '+79151112233', email: 'a@example.com' } },
    };
    const first = await h.call('POST', `${SCOPE}/chats`, { body });
    expect(first.status).toBe(200);
    const json = first.json as { id: string; user: Record<string, unknown> };
    expect(json.user).toEqual({ id: expect.any(String), client_id: 'user-a', name: 'Anna', avatar: 'https://example.com/a.png', phone: '79151112233', email: 'a@example.com' });
    const second = await h.call('POST', `${SCOPE}/chats`, { body });
    expect((second.json as { id: string }).id).toBe(json.id);
    expect(h.emu.chats(SCOPE_ID)).toMatchObject([{ id: json.id, conversationId: 'conv-a', participants: [{ clientId: 'user-a', kind: 'client' }] }]);
  });
});

describe('new_message', () => {
  it('answers with the naming inversion of §4.4', async () => {
    const res = await send(incomingText('int-msg-0001'));
    expect(res.status).toBe(200);
    const m = h.emu.messages(chatId())[0];
    const client = h.emu.chats(SCOPE_ID)[0]?.participants[0];
    expect(res.json).toEqual({ new_message: { conversation_id: chatId(), sender_id: client?.amojoId, msgid: m?.amojoMsgId, ref_id: 'int-msg-0001' } });
    expect(m).toMatchObject({ msgid: 'int-msg-0001', direction: 'incoming', content: { type: 'text', text: 'Hello' }, silent: false });
  });

  it('tells onMessage listeners of each accepted message until they unsubscribe', async () => {
    const seen: string[] = [];
    const stop = h.emu.onMessage((m) => seen.push(`${m.msgid} ${m.content.text}`));
    expect((await send(incomingText('heard-1'))).status).toBe(200);
    expect((await send(incomingText('heard-1'))).status).toBe(400); // refused: not accepted, not told
    stop();
    expect((await send(incomingText('heard-2'))).status).toBe(200);
    expect(seen).toEqual(['heard-1 Hello']);
  });

  it('refuses a duplicate msgid with 400 and a JSON body', async () => {
    expect((await send(incomingText('dup-1'))).status).toBe(200);
    const dup = await send(incomingText('dup-1', { conversation_id: 'another-conv' }));
    expect(dup.status).toBe(400);
    expect(dup.json).toEqual({ error_code: 400, error_type: 'duplicate_msgid', error_description: 'message with msgid dup-1 already exists' });
    expect(h.emu.chats(SCOPE_ID)).toHaveLength(1);
  });

  it('is strictly typed', async () => {
    for (const [name, body] of [
      ['timestamp as string', incomingText('t1', { timestamp: '1767261600' })],
      ['silent as string', incomingText('t2', { silent: 'false' })],
      ['file_size as string', payload('t3', { type: 'file', media: 'https://x.example/f.pdf', file_name: 'f.pdf', file_size: '10' })],
      ['inconsistent msec_timestamp', incomingText('t4', { msec_timestamp: 1767261700000 })],
      ['unknown event_type', { event_type: 'delete_message', payload: {} }],
    ] as const) {
      const res = await send(body);
      expect(res.status, name).toBe(400);
      expect(res.json, name).toMatchObject({ error_code: 400, error_type: 'invalid_data' });
    }
  });

  it('requires the fields of each message type', async () => {
    const media = 'https://files.example.com/x';
    const ok: Array<Record<string, unknown>> = [
      { type: 'file', media, file_name: 'a.pdf', file_size: 10 },
      { type: 'video', media, file_name: 'a.mp4', file_size: 10, media_duration: 3 },
      { type: 'picture', media, file_name: 'a.jpg', file_size: 10, text: 'caption' },
      { type: 'voice', media, media_duration: 2 },
      { type: 'audio', media },
      { type: 'sticker', media, sticker_id: 's1' },
      { type: 'location', location: { lon: 37.6, lat: 55.7 } },
      { type: 'contact', contact: { name: 'Bob', phone: '+79000000000' } },
      { type: 'text', text: 'hi' },
    ];
    const refused: Array<Record<string, unknown>> = [
      { type: 'file', media, file_name: 'a.pdf' },
      { type: 'video', media, file_size: 10 },
      { type: 'picture', file_name: 'a.jpg', file_size: 10 },
      { type: 'voice' },
      { type: 'location' },
      { type: 'location', location: { lon: '37.6', lat: 55.7 } },
      { type: 'contact', contact: { name: 'Bob' } },
      { type: 'text' },
      { type: 'text', text: '' },
      { type: 'gif', media },
    ];
    for (const [i, message] of ok.entries()) expect((await send(payload(`ok-${i}`, message))).status, JSON.stringify(message)).toBe(200);
    for (const [i, message] of refused.entries()) expect((await send(payload(`no-${i}`, message))).status, JSON.stringify(message)).toBe(400);
    expect(h.emu.messages(chatId()).map((m) => m.content.type)).toEqual(ok.map((m) => m['type']));
  });

  it('resolves reply_to in the same chat (by msgid or id) and forwards up to one message', async () => {
    await send(incomingText('q-1'));
    const quotedId = h.emu.messages(chatId())[0]?.amojoMsgId ?? '';
    expect((await send(incomingText('q-2', { reply_to: { message: { msgid: 'q-1' } } }))).status).toBe(200);
    expect((await send(incomingText('q-3', { reply_to: { message: { id: quotedId } } }))).status).toBe(200);
    expect(h.emu.messages(chatId()).slice(1).map((m) => m.replyTo)).toEqual([{ amojoMsgId: quotedId }, { amojoMsgId: quotedId }]);

    const unknown = await send(incomingText('q-4', { reply_to: { message: { msgid: 'nope' } } }));
    expect(unknown.status).toBe(400);
    const otherChat = await send(incomingText('q-5', { conversation_id: 'conv-b', reply_to: { message: { msgid: 'q-1' } } }));
    expect(otherChat.status).toBe(400);
    const forward = await send(incomingText('q-6', { conversation_id: 'conv-b', forwards: { messages: [{ msgid: 'q-1' }] } }));
    expect(forward.status).toBe(200);
    const two = await send(incomingText('q-7', { forwards: { messages: [{ msgid: 'q-1' }, { msgid: 'q-2' }] } }));
    expect(two.status).toBe(400);
  });

  it('imports outgoing messages from a manager or the bot, which need sender.ref_id and a receiver', async () => {
    const outgoing = (msgid: string, refId: string | undefined) =>
      incomingText(msgid, {
        sender: { id: 'int-mgr-7', name: 'Anna', ...(refId ? { ref_id: refId } : {}) },
        receiver: { id: 'int-user-0001', name: 'Test Client' },
        silent: true,
      });
    const byManager = await send(outgoing('out-1', MANAGER_ID));
    expect(byManager.status).toBe(200);
    expect(byManager.json).toMatchObject({ new_message: { sender_id: MANAGER_ID, receiver_id: expect.any(String), ref_id: 'out-1' } });
    const byBot = await send(outgoing('out-2', BOT_ID));
    expect(byBot.json).toMatchObject({ new_message: { sender_id: BOT_ID } });
    expect((await send(outgoing('out-3', undefined))).status).toBe(400);
    expect(h.emu.chats(SCOPE_ID)[0]?.participants.map((p) => p.kind).sort()).toEqual(['bot', 'client', 'manager']);
    expect(h.emu.messages(chatId()).map((m) => [m.direction, m.silent])).toEqual([['outgoing', true], ['outgoing', true]]);
  });

  it('binds a write-first chat through conversation_ref_id and sender.ref_id', async () => {
    const first = await h.emu.writeFirst({ scopeId: SCOPE_ID, phone: '+79161234567', text: 'Hello from the CRM' });
    const bind = await send(
      incomingText('wf-1', { conversation_id: 'conv-wf', conversation_ref_id: first.chatId, sender: { id: 'user-wf', ref_id: first.clientAmojoId, name: 'Client' } }),
    );
    expect(bind.status).toBe(200);
    expect(bind.json).toMatchObject({ new_message: { conversation_id: first.chatId, sender_id: first.clientAmojoId } });
    const chat = h.emu.chats(SCOPE_ID).find((c) => c.id === first.chatId);
    expect(chat).toMatchObject({ conversationId: 'conv-wf', participants: expect.arrayContaining([expect.objectContaining({ amojoId: first.clientAmojoId, clientId: 'user-wf' })]) });
    // Later messages with conversation_id alone land in the same chat.
    await send(incomingText('wf-2', { conversation_id: 'conv-wf', sender: { id: 'user-wf', name: 'Client' } }));
    expect(h.emu.messages(first.chatId).map((m) => m.msgid)).toEqual([undefined, 'wf-1', 'wf-2']);
    // A ref_id naming a chat of nobody's is refused.
    const wrong = await send(incomingText('wf-3', { conversation_id: 'conv-x', conversation_ref_id: '00000000-0000-4000-8000-000000000000' }));
    expect(wrong.status).toBe(400);
  });
});

describe('edit_message', () => {
  it('edits by msgid, keeps the previous content, and attaches a msgid to a CRM message by id', async () => {
    await send(incomingText('e-1'));
    const edit = { event_type: 'edit_message', payload: { timestamp: 1767261600, msec_timestamp: 1767261600000, msgid: 'e-1', conversation_id: 'int-conv-0001', message: { type: 'text', text: 'Hello (edited)' } } };
    const res = await send(edit);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ new_message: { ref_id: 'e-1' } });
    const m = h.emu.messages(chatId())[0];
    expect(m?.content.text).toBe('Hello (edited)');
    expect(m?.edits.map((e) => e.previous.text)).toEqual(['Hello']);

    const crm = await h.emu.sendManagerMessage({ scopeId: SCOPE_ID, chatId: chatId(), text: 'From the CRM' });
    const attach = await send({ ...edit, payload: { ...edit.payload, msgid: 'e-crm', id: crm.amojoMsgId, message: { type: 'text', text: 'From the CRM' } } });
    expect(attach.status).toBe(200);
    expect(h.emu.messages(chatId()).find((x) => x.amojoMsgId === crm.amojoMsgId)?.msgid).toBe('e-crm');

    const withStatus = await send({ ...edit, payload: { ...edit.payload, message: { type: 'text', text: 'Hello (edited)', delivery_status: { status_code: 2 } } } });
    expect(withStatus.status).toBe(200);
    expect(h.emu.messages(chatId())[0]).toMatchObject({ edits: [{}], deliveryStatuses: [{ status: 2 }] });
    const badStatus = await send({ ...edit, payload: { ...edit.payload, message: { type: 'text', text: 'x', delivery_status: { status_code: -1, error_code: 905 } } } });
    expect(badStatus.status).toBe(400);

    const missing = await send({ ...edit, payload: { ...edit.payload, msgid: 'nope' } });
    expect(missing.status).toBe(404);
    const typeChange = await send({ ...edit, payload: { ...edit.payload, message: { type: 'picture', text: 'x' } } });
    expect(typeChange.status).toBe(400);
  });
});

describe('delivery status', () => {
  let amojoMsgId: string;
  beforeEach(async () => {
    await send(incomingText('d-0'));
    amojoMsgId = (await h.emu.sendManagerMessage({ scopeId: SCOPE_ID, chatId: chatId(), text: 'Hi' })).amojoMsgId;
  });
  const status = (body: unknown, id = amojoMsgId) => h.call('POST', `${SCOPE}/${id}/delivery_status`, { body });

  it('accepts both field names and records the statuses', async () => {
    expect((await status({ msgid: amojoMsgId, delivery_status: 1 })).status).toBe(200);
    expect((await status({ status_code: 2 })).status).toBe(200);
    expect((await status({ msgid: amojoMsgId, delivery_status: -1, status_code: -1, error_code: 904 })).status).toBe(200);
    // The official worked example (D4): status 2 with code 905 and a text.
    const d4 = await status({ msgid: amojoMsgId, delivery_status: 2, error_code: 905, error: 'Error text' });
    expect(d4.status).toBe(200);
    expect(d4.text).toBe('');
    const m = h.emu.messages(chatId()).find((x) => x.amojoMsgId === amojoMsgId);
    expect(m?.deliveryStatuses.map((s) => [s.status, s.errorCode])).toEqual([[1, undefined], [2, undefined], [-1, 904], [2, 905]]);
  });

  it('refuses invalid statuses and unknown messages', async () => {
    for (const body of [
      { delivery_status: -1 },
      { delivery_status: -1, error_code: 906 },
      { delivery_status: -1, error_code: 905 },
      { delivery_status: -1, error_code: 905, error: '  ' },
      { delivery_status: 3 },
      { delivery_status: '1' },
      { delivery_status: 1, status_code: 2 },
      { msgid: 'another', delivery_status: 1 },
      {},
    ]) {
      expect((await status(body)).status, JSON.stringify(body)).toBe(400);
    }
    const unknown = await status({ delivery_status: 1 }, '11111111-2222-4333-8444-555555555555');
    expect(unknown.status).toBe(404);
  });
});

describe('history', () => {
  it('pages newest first with amojo naming, and answers 204 for unknown or empty chats', async () => {
    for (let i = 0; i < 7; i++) {
      await send(incomingText(`h-${i}`, { timestamp: 1767261600 + i, msec_timestamp: (1767261600 + i) * 1000, message: { type: 'text', text: `n${i}` } }));
    }
    const url = `${SCOPE}/chats/${chatId()}/history`;
    const page = await h.call('GET', url, { query: '?offset=0&limit=3' });
    expect(page.status).toBe(200);
    const messages = (page.json as { messages: Array<{ message: Record<string, unknown>; sender: Record<string, unknown>; receiver?: unknown }> }).messages;
    expect(messages.map((m) => m.message['client_id'])).toEqual(['h-6', 'h-5', 'h-4']);
    expect(messages[0]?.message['id']).toBe(h.emu.messages(chatId())[6]?.amojoMsgId);
    expect(messages[0]?.sender).toMatchObject({ client_id: 'int-user-0001', name: 'Test Client' });
    expect(messages[0]?.receiver).toBeUndefined();
    const last = await h.call('GET', url, { query: '?offset=6&limit=3' });
    expect((last.json as { messages: unknown[] }).messages).toHaveLength(1);
    expect((await h.call('GET', url, { query: '?offset=7&limit=3' })).status).toBe(204);
    expect((await h.call('GET', url, { query: '?limit=51' })).status).toBe(400);
    expect((await h.call('GET', `${SCOPE}/chats/6cbab3d5-c4c1-46ff-b710-ad59ad10805f/history`)).status).toBe(204);

    const created = await h.call('POST', `${SCOPE}/chats`, { body: { conversation_id: 'empty', user: { id: 'u-e', name: 'E' } } });
    expect((await h.call('GET', `${SCOPE}/chats/${(created.json as { id: string }).id}/history`)).status).toBe(204);
  });
});

describe('typing and reactions', () => {
  beforeEach(async () => {
    await send(incomingText('r-1'));
  });

  it('records typing with 204 and refuses an unknown conversation', async () => {
    const res = await h.call('POST', `${SCOPE}/typing`, { body: { conversation_id: 'int-conv-0001', sender: { id: 'int-user-0001' } } });
    expect(res.status).toBe(204);
    expect(h.emu.typingEvents(SCOPE_ID)).toMatchObject([{ chatId: chatId(), origin: 'integration', userId: 'int-user-0001', durationMs: 5000 }]);
    const unknown = await h.call('POST', `${SCOPE}/typing`, { body: { conversation_id: 'nope', sender: { id: 'x' } } });
    expect(unknown.status).toBe(400);
  });

  it('reacts by msgid or id, unreacts, and answers 404 for unknown messages', async () => {
    const amojoMsgId = h.emu.messages(chatId())[0]?.amojoMsgId ?? '';
    const react = (body: Record<string, unknown>) => h.call('POST', `${SCOPE}/react`, { body: { user: { id: 'int-user-0001' }, ...body } });
    const byMsgid = await react({ conversation_id: 'int-conv-0001', msgid: 'r-1', type: 'react', emoji: '👍' });
    expect(byMsgid.status).toBe(200);
    expect(byMsgid.text).toBe('');
    expect((await react({ conversation_ref_id: chatId(), id: amojoMsgId, type: 'unreact' })).status).toBe(200);
    expect(h.emu.reactions(SCOPE_ID).map((r) => [r.type, r.emoji, r.amojoMsgId])).toEqual([['react', '👍', amojoMsgId], ['unreact', undefined, amojoMsgId]]);
    expect((await react({ conversation_id: 'int-conv-0001', msgid: 'nope', type: 'react', emoji: '👍' })).status).toBe(404);
    expect((await react({ conversation_id: 'int-conv-0001', msgid: 'r-1', type: 'like' })).status).toBe(400);
  });
});
