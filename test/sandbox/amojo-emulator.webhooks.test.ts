import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT_ID,
  API,
  CHANNEL_ID,
  SCOPE_ID,
  incomingText,
  lastSignedHook,
  rawRequest,
  startConnectedWithHooks,
  type Harness,
  type HookedHarness,
  type HookReceiver,
} from './amojo-emulator-harness.js';

let h: Harness;
let receiver: HookReceiver;
let hooked: HookedHarness;
beforeEach(async () => {
  hooked = await startConnectedWithHooks();
  ({ h, receiver } = hooked);
  await h.call('POST', `${API}/${SCOPE_ID}`, { body: incomingText('int-msg-0001') });
});
afterEach(() => hooked.close());

const chatId = (): string => h.emu.chats(SCOPE_ID)[0]?.id ?? '';
const lastHook = (): Record<string, any> => lastSignedHook(receiver);

describe('webhooks from manager actions', () => {
  it('sends a signed v2 message hook for a manager text answer', async () => {
    const result = await h.emu.sendManagerMessage({
      scopeId: SCOPE_ID,
      chatId: chatId(),
      text: 'Your order',
      markup: { mode: 'inline', buttons: [[{ text: 'Confirm' }]] },
      template: { id: 7103, content: 'Your order', params: [] },
    });
    expect(result).toMatchObject({ hookStatus: 200, chatId: chatId() });
    const hook = lastHook();
    expect(hook).toMatchObject({
      account_id: ACCOUNT_ID,
      time: Math.floor(h.clock.now / 1000),
      message: {
        receiver: { id: expect.any(String), client_id: 'int-user-0001', phone: '', email: '' },
        sender: { id: expect.any(String) },
        conversation: { id: chatId(), client_id: 'int-conv-0001' },
        timestamp: Math.floor(h.clock.now / 1000),
        msec_timestamp: h.clock.now,
        message: { id: result.amojoMsgId, type: 'text', text: 'Your order', tag: '', media: '', file_size: 0, markup: { mode: 'inline' }, template: { id: 7103 } },
      },
    });
    expect(h.emu.messages(chatId()).at(-1)).toMatchObject({ amojoMsgId: result.amojoMsgId, origin: 'crm', direction: 'outgoing' });
    expect(h.emu.webhooks().at(-1)).toMatchObject({ kind: 'message', status: 200 });
  });

  it('links manager files to the emulator, which serves them unsigned', async () => {
    const bytes = Buffer.from('\x89PNG fake picture bytes', 'latin1');
    const result = await h.emu.sendManagerMessage({
      scopeId: SCOPE_ID,
      chatId: chatId(),
      text: 'Invoice',
      file: { fileName: 'invoice 1.png', contentType: 'image/png', bytes },
      replyTo: h.emu.messages(chatId())[0]?.amojoMsgId ?? '',
      mediaGroupId: 'group-1',
    });
    const inner = lastHook()['message']['message'];
    expect(inner).toMatchObject({ id: result.amojoMsgId, type: 'picture', file_name: 'invoice 1.png', file_size: bytes.length, media_group_id: 'group-1' });
    expect(inner['media']).toMatch(new RegExp(`^${h.url}/attachments/[^/]+/invoice%201\\.png$`));
    expect(inner['reply_to']['message']).toMatchObject({ msgid: 'int-msg-0001', type: 'text', text: 'Hello', sender: { client_id: 'int-user-0001' } });
    const download = await rawRequest(inner['media'], 'GET', {});
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('image/png');
    expect(Buffer.from(download.text, 'utf8').length).toBeGreaterThan(0);
  });

  it('sends write-first hooks without conversation.client_id', async () => {
    const result = await h.emu.writeFirst({ scopeId: SCOPE_ID, phone: '+79161234567', text: 'Following up' });
    const hook = lastHook();
    expect(hook['message']['conversation']).toEqual({ id: result.chatId });
    expect(hook['message']['receiver']).toEqual({ id: result.clientAmojoId, phone: '79161234567', email: '' });
    expect(hook['message']['message']).toMatchObject({ id: result.amojoMsgId, text: 'Following up' });
  });

  it('sends reaction hooks with both the message object and msgid', async () => {
    const m = h.emu.messages(chatId())[0];
    expect(await h.emu.managerReact({ scopeId: SCOPE_ID, msgid: 'int-msg-0001', emoji: '👍' })).toMatchObject({ hookStatus: 200 });
    const reaction = lastHook()['action']['reaction'];
    expect(reaction).toMatchObject({
      message: { id: m?.amojoMsgId, client_id: 'int-msg-0001', sender: { id: m?.senderAmojoId }, timestamp: 1767261600 },
      msgid: m?.amojoMsgId,
      conversation: { id: chatId(), client_id: 'int-conv-0001' },
      type: 'react',
      emoji: '👍',
    });
    await h.emu.managerReact({ scopeId: SCOPE_ID, amojoMsgId: m?.amojoMsgId ?? '', unreact: true });
    const unreact = lastHook()['action']['reaction'];
    expect(unreact['type']).toBe('unreact');
    expect(unreact).not.toHaveProperty('emoji');
    expect(h.emu.reactions(SCOPE_ID).map((r) => [r.origin, r.type])).toEqual([['crm', 'react'], ['crm', 'unreact']]);
  });

  it('sends typing hooks at most once per 5 seconds per chat', async () => {
    expect(await h.emu.managerTyping({ scopeId: SCOPE_ID, chatId: chatId() })).toMatchObject({ hookStatus: 200, throttled: false });
    expect(lastHook()['action']['typing']).toMatchObject({ user: { id: expect.any(String) }, conversation: { id: chatId(), client_id: 'int-conv-0001' }, expired_at: Math.floor(h.clock.now / 1000) + 5 });
    expect(await h.emu.managerTyping({ scopeId: SCOPE_ID, chatId: chatId() })).toMatchObject({ hookStatus: null, throttled: true });
    h.clock.now += 5000;
    expect(await h.emu.managerTyping({ scopeId: SCOPE_ID, chatId: chatId() })).toMatchObject({ hookStatus: 200 });
    expect(receiver.received).toHaveLength(2);
  });

  it('reports the receiver status and sends each hook once', async () => {
    receiver.status = 500;
    const result = await h.emu.sendManagerMessage({ scopeId: SCOPE_ID, chatId: chatId(), text: 'lost' });
    expect(result.hookStatus).toBe(500);
    expect(receiver.received).toHaveLength(1);
  });

  it('refuses manager actions on a disconnected scope', async () => {
    await h.call('DELETE', `${API}/${CHANNEL_ID}/disconnect`, { body: { account_id: ACCOUNT_ID } });
    await expect(h.emu.sendManagerMessage({ scopeId: SCOPE_ID, chatId: chatId(), text: 'x' })).rejects.toMatchObject({ code: 'not_connected' });
  });
});
