import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatRfc2822, signRequest } from '../../server/amojo/signing.js';
import { API, SCOPE_ID, SECRET, connect, incomingText, rawRequest, startEmulator, toBytes, type Harness } from './amojo-emulator-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startEmulator();
  await connect(h);
});
afterEach(() => h.close());

const send = (msgid: string) => h.call('POST', `${API}/${SCOPE_ID}`, { body: incomingText(msgid) });

describe('failure injection', () => {
  it('fails the next calls with the given status and Retry-After, touching no state', async () => {
    h.emu.failNext({ count: 2, status: 503 });
    h.emu.failNext({ count: 1, status: 429, retryAfterSeconds: 7 });
    expect((await send('f-1')).status).toBe(503);
    expect((await send('f-1')).status).toBe(503);
    const limited = await send('f-1');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('7');
    expect(h.emu.chats(SCOPE_ID)).toHaveLength(0);
    expect((await send('f-1')).status).toBe(200);
    expect(h.emu.requests().map((r) => r.status)).toEqual([200, 503, 503, 429, 200]);
  });

  it('delays answers, before or after carrying out the call', async () => {
    h.emu.setDelay(300, { afterProcessing: true });
    // A client that gives up after 50 ms: the message is stored all the same.
    const body = toBytes(incomingText('slow-1'));
    const path = `${API}/${SCOPE_ID}`;
    const headers = signRequest(SECRET, { method: 'POST', path, body, date: formatRfc2822(new Date(h.clock.now)) });
    await expect(
      new Promise((resolve, reject) => {
        const req = http.request(`${h.url}${path}`, { method: 'POST', headers: { ...headers }, timeout: 50 }, resolve);
        req.on('timeout', () => req.destroy(new Error('client timeout')));
        req.on('error', reject);
        req.end(body);
      }),
    ).rejects.toThrow('client timeout');
    await new Promise((r) => setTimeout(r, 350));
    expect(h.emu.messages(h.emu.chats(SCOPE_ID)[0]?.id ?? '')).toHaveLength(1);
    // The retry meets the duplicate refusal.
    h.emu.setDelay(0);
    expect((await send('slow-1')).status).toBe(400);

    h.emu.setDelay(120);
    const started = Date.now();
    expect((await send('slow-2')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('delays the calls of one conversation only, while the others are answered', async () => {
    h.emu.setDelay(60_000, { conversationId: 'slow-conversation' });
    let slowAnswered = false;
    const slow = h.call('POST', `${API}/${SCOPE_ID}`, { body: incomingText('slow-a', { conversation_id: 'slow-conversation' }) }).then((r) => {
      slowAnswered = true;
      return r;
    });
    // Sent after the slow one and answered while it still waits.
    expect((await send('fast-b')).status).toBe(200);
    expect((await h.call('POST', `${API}/${SCOPE_ID}/chats`, { body: { conversation_id: 'other', user: { id: 'u-2', name: 'Other' } } })).status).toBe(200);
    expect(slowAnswered).toBe(false);
    // Lifting the conversation's delay does not release a call already waiting; a new one goes through.
    h.emu.setDelay(0, { conversationId: 'slow-conversation' });
    expect((await h.call('POST', `${API}/${SCOPE_ID}`, { body: incomingText('slow-c', { conversation_id: 'slow-conversation' }) })).status).toBe(200);
    expect(slowAnswered).toBe(false);
    h.emu.reset();
    void slow.catch(() => undefined);
  });

  it('reset forgets state, failures and delays', async () => {
    await send('r-1');
    h.emu.failNext({ count: 5, status: 500 });
    h.emu.setDelay(1000);
    h.emu.reset();
    expect(h.emu.connections()).toEqual([]);
    expect(h.emu.requests()).toEqual([]);
    expect((await connect(h)).status).toBe(200);
    expect((await send('r-1')).status).toBe(200);
  });
});

describe('control API', () => {
  it('lists chats and messages and acts as a manager', async () => {
    await send('c-1');
    const base = `${h.url}/_control`;
    const json = { 'Content-Type': 'application/json' };
    const chats = await rawRequest(`${base}/scopes/${SCOPE_ID}/chats`, 'GET', {});
    const chatId = (chats.json as Array<{ id: string }>)[0]?.id ?? '';
    expect(chatId).not.toBe('');

    const sent = await rawRequest(`${base}/scopes/${SCOPE_ID}/chats/${chatId}/messages`, 'POST', json, Buffer.from(JSON.stringify({ text: 'Hi from the inbox' })));
    expect(sent.status).toBe(201);
    expect(sent.json).toMatchObject({ amojoMsgId: expect.any(String), hookStatus: null });
    const file = { fileName: 'a.txt', contentType: 'text/plain', base64: Buffer.from('hello').toString('base64') };
    const withFile = await rawRequest(`${base}/scopes/${SCOPE_ID}/chats/${chatId}/messages`, 'POST', json, Buffer.from(JSON.stringify({ file })));
    expect(withFile.status).toBe(201);

    const messages = await rawRequest(`${base}/chats/${chatId}/messages`, 'GET', {});
    const list = messages.json as Array<{ content: { type: string; text: string; media?: string } }>;
    expect(list.map((m) => m.content.type)).toEqual(['text', 'text', 'file']);
    const served = await rawRequest(list[2]?.content.media ?? '', 'GET', {});
    expect(served.text).toBe('hello');

    const invalid = await rawRequest(`${base}/scopes/${SCOPE_ID}/chats/${chatId}/messages`, 'POST', json, Buffer.from('{}'));
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ error: 'invalid' });
    const unknown = await rawRequest(`${base}/scopes/${SCOPE_ID}/chats/nope/typing`, 'POST', json, Buffer.from('{}'));
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: 'not_found', message: expect.any(String) });
  });
});
