/**
 * amoCRM → visitor over HTTP with the amojo emulator sending signed webhooks: text over the live
 * stream (delivered = 1), pictures downloaded into our store, quick replies, templates, quoted
 * replies, reactions, typing, write-first (904), undownloadable files (905), and echo suppression.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PNG_1X1, Visitor, chatOf, startBridgeBackend, waitFor, waitForEmulatorMessages, type BridgeBackend } from './bridge-helpers.js';

let b: BridgeBackend;
let v: Visitor;
let chatId: string;

beforeEach(async () => {
  b = await startBridgeBackend();
  v = await Visitor.open(b.url, b.siteKey, { name: 'Boris' });
  await v.send('Hello, I have a question');
  await waitForEmulatorMessages(b, v.conversationId, 1);
  chatId = chatOf(b, v.conversationId)!.id;
});
afterEach(async () => {
  await b.stop();
});

const statuses = (amojoMsgId: string) => b.emulator.messages(chatId).find((m) => m.amojoMsgId === amojoMsgId)?.deliveryStatuses ?? [];

describe('amoCRM → visitor', () => {
  it('streams a manager text to the open page and reports it delivered (1)', async () => {
    const stream = v.events();
    await stream.ready;
    expect(stream.status).toBe(200);
    const sent = await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, text: 'Sure, ask away', senderName: 'Anna' });
    expect(sent.hookStatus).toBe(200);
    const e = await stream.waitFor((x) => x.event === 'message' && x.data['from'] === 'manager');
    expect(e.data).toMatchObject({ text: 'Sure, ask away', type: 'text', status: 'received' });
    expect(Number(e.id)).toBeGreaterThan(0);
    await waitFor(() => statuses(sent.amojoMsgId).some((s) => s.status === 1), 5000, 'delivered status');
    stream.close();
  });

  it('downloads a manager picture into our store and serves it to the visitor', async () => {
    const sent = await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, text: 'Your receipt', file: { fileName: 'receipt.png', contentType: 'image/png', bytes: PNG_1X1 } });
    const m = await waitFor(async () => (await v.messages()).messages.find((x) => x['from'] === 'manager'));
    const file = m['file'] as { url: string; name: string; content_type: string; size: number };
    expect(m).toMatchObject({ type: 'picture', text: 'Your receipt' });
    expect(file).toMatchObject({ name: 'receipt.png', content_type: 'image/png', size: PNG_1X1.length });
    expect(file.url.startsWith(`${b.url}/files/`)).toBe(true);
    const res = await fetch(file.url);
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="receipt.png"/);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG_1X1)).toBe(true);
    // Fetched by the visitor's page: delivered.
    await waitFor(() => statuses(sent.amojoMsgId).some((s) => s.status === 1), 5000, 'delivered status');
  });

  it('turns markup buttons into quick replies and shows a template’s text', async () => {
    await b.emulator.sendManagerMessage({
      scopeId: b.scopeId,
      chatId,
      text: 'Confirm your order?',
      markup: { mode: 'inline', buttons: [[{ text: 'Yes' }, { text: 'No' }], [{ text: 'Track', url: 'https://example.com/t' }]] },
    });
    await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, text: 'Your order #15 is ready', template: { id: 7, content: 'Your order #{{lead.id}} is ready', params: [] } });
    const list = await waitFor(async () => {
      const l = (await v.messages()).messages.filter((x) => x['from'] === 'manager');
      return l.length === 2 ? l : undefined;
    });
    expect(list[0]!['quick_replies']).toEqual([[{ text: 'Yes' }, { text: 'No' }], [{ text: 'Track', url: 'https://example.com/t' }]]);
    expect(list[1]!['text']).toBe('Your order #15 is ready');
  });

  it('maps a manager’s quoted reply to our message', async () => {
    const [visitorMsg] = await waitForEmulatorMessages(b, v.conversationId, 1);
    await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, text: 'About this:', replyTo: visitorMsg!.amojoMsgId });
    const m = await waitFor(async () => (await v.messages()).messages.find((x) => x['from'] === 'manager'));
    expect(m['reply_to']).toEqual({ msgid: visitorMsg!.msgid, text: 'Hello, I have a question', type: 'text' });
  });

  it('passes manager reactions and typing to the stream', async () => {
    const stream = v.events({ viaQuery: true });
    await stream.ready;
    const [visitorMsg] = await waitForEmulatorMessages(b, v.conversationId, 1);
    await b.emulator.managerTyping({ scopeId: b.scopeId, chatId });
    const typing = await stream.waitFor((e) => e.event === 'typing');
    expect(typing.data['from']).toBe('manager');
    expect(typing.id).toBeUndefined();
    await b.emulator.managerReact({ scopeId: b.scopeId, amojoMsgId: visitorMsg!.amojoMsgId, emoji: '❤️' });
    const r = await stream.waitFor((e) => e.event === 'reaction');
    expect(r.data).toEqual({ msgid: visitorMsg!.msgid, from: 'manager', type: 'react', emoji: '❤️' });
    await b.emulator.managerReact({ scopeId: b.scopeId, amojoMsgId: visitorMsg!.amojoMsgId, unreact: true });
    await stream.waitFor((e) => e.event === 'reaction' && e.data['type'] === 'unreact');
    stream.close();
  });

  it('answers a write-first message with delivery status -1 / 904', async () => {
    const sent = await b.emulator.writeFirst({ scopeId: b.scopeId, phone: '+79161234567', text: 'Following up on your request' });
    const chat = b.emulator.chats(b.scopeId).find((c) => c.id === sent.chatId)!;
    await waitFor(() => b.emulator.messages(chat.id)[0]?.deliveryStatuses.find((s) => s.status === -1), 5000, 'status -1');
    expect(b.emulator.messages(chat.id)[0]!.deliveryStatuses[0]).toMatchObject({ status: -1, errorCode: 904 });
  });

  it('answers -1 / 905 with a reason when the manager’s file cannot be downloaded', async () => {
    const sent = await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, type: 'file', media: { url: `${b.url}/nowhere/contract.pdf`, fileName: 'contract.pdf', fileSize: 10 } });
    await waitFor(() => statuses(sent.amojoMsgId).find((s) => s.status === -1), 5000, 'status -1');
    expect(statuses(sent.amojoMsgId)[0]).toMatchObject({ status: -1, errorCode: 905, error: expect.stringContaining('404') });
    expect((await v.messages()).messages.filter((x) => x['from'] === 'manager')).toEqual([]);
  });

  it('shows a repeated hook once and never echoes the visitor’s own message back', async () => {
    const hooksBefore = b.emulator.webhooks().length;
    const sent = await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, text: 'once' });
    const hook = b.emulator.webhooks()[hooksBefore]!;
    const { signWebhookBody } = await import('../../server/amojo/signing.js');
    const raw = Buffer.from(JSON.stringify(hook.body));
    const replay = await fetch(`${b.url}/amojo/webhook/${b.scopeId}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signWebhookBody(b.config.channel.secret, raw) }, body: raw });
    expect(replay.status).toBe(200);
    // The visitor's own message, as if amojo sent it back as a hook: not shown as a manager message.
    const [own] = await waitForEmulatorMessages(b, v.conversationId, 1);
    const body = hook.body as { message: { message: Record<string, unknown>; sender: Record<string, unknown> } };
    const echo = structuredClone(body);
    echo.message.message['id'] = own!.amojoMsgId;
    echo.message.sender['id'] = own!.senderAmojoId;
    const echoRaw = Buffer.from(JSON.stringify(echo));
    await fetch(`${b.url}/amojo/webhook/${b.scopeId}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signWebhookBody(b.config.channel.secret, echoRaw) }, body: echoRaw });
    await waitFor(async () => (await v.messages()).messages.some((x) => x['from'] === 'manager'));
    // The echo's job has run and nothing else is due: whatever it would show is there.
    await b.services.jobRunner.whenIdle();
    const list = (await v.messages()).messages;
    expect(list.map((x) => [x['from'], x['text']])).toEqual([
      ['client', 'Hello, I have a question'],
      ['manager', 'once'],
    ]);
    expect(sent.hookStatus).toBe(200);
  });
});
