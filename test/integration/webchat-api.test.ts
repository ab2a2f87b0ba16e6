/**
 * The public website-chat API as an abuser or a flaky network sees it: catch-up after a dropped
 * stream, tokens, CORS, rate limits, upload limits, file serving, paging and site-key rotation.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testDialect } from '../support/dialect.js';
import { PNG_1X1, Visitor, call, chatOf, startBridgeBackend, waitFor, waitForEmulatorMessages, type BridgeBackend } from './bridge-helpers.js';

let b: BridgeBackend | undefined;
afterEach(async () => {
  await b?.stop();
  b = undefined;
});

describe('event stream', () => {
  it('replays everything after Last-Event-ID, in order, to a visitor who was away, and repeats only what it had', async () => {
    b = await startBridgeBackend();
    const v = await Visitor.open(b.url, b.siteKey);
    await v.send('hi');
    await waitForEmulatorMessages(b, v.conversationId, 1);
    const chatId = chatOf(b, v.conversationId)!.id;
    const first = v.events();
    await first.ready;
    await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, text: 'one' });
    const seen = await first.waitFor((e) => e.data['text'] === 'one');
    first.close();

    // Away: the page is closed while the manager writes.
    for (const text of ['two', 'three', 'four']) await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, text });
    await waitFor(async () => (await b!.services.store.bridge.messages.list(v.conversationId as never, 0, 10)).length === 5);

    // Events of the last seconds before the cursor come again (one may have become visible late, on
    // PostgreSQL); here all of them are that recent. They are what the first stream gave, in order.
    const hadIds = first.events.map((e) => e.id);
    const back = v.events({ lastEventId: seen.id! });
    await back.waitFor((e) => e.data['text'] === 'four');
    const after = back.events.filter((e) => Number(e.id) > Number(seen.id));
    expect(after.filter((e) => e.event === 'message').map((e) => e.data['text'])).toEqual(['two', 'three', 'four']);
    const repeated = back.events.filter((e) => Number(e.id) <= Number(seen.id)).map((e) => e.id);
    expect(hadIds).toEqual(expect.arrayContaining(repeated));
    const ids = back.events.map((e) => Number(e.id));
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    back.close();

    // A manual reconnect (?last_event_id=) works the same; with no resume point only the recent seconds come again.
    const manual = await fetch(`${b.url}/webchat/v1/events?token=${v.token}&last_event_id=${seen.id}`);
    const reader = manual.body!.getReader();
    let text = '';
    while (!text.includes('four')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const fresh = v.events();
    await fresh.ready;
    // A new message proves the stream is live; everything before it is a repeat of the recent seconds.
    await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, text: 'five' });
    await fresh.waitFor((e) => e.data['text'] === 'five');
    const freshTexts = fresh.events.filter((e) => e.event === 'message').map((e) => e.data['text']);
    expect(freshTexts.at(-1)).toBe('five');
    const before = ['hi', 'one', 'two', 'three', 'four'];
    const repeats = freshTexts.slice(0, -1);
    expect(before.slice(before.length - repeats.length)).toEqual(repeats);
    fresh.close();
  });

  it('sends heartbeats and status events for the visitor’s own messages', async () => {
    b = await startBridgeBackend({ serviceOptions: { webchat: { heartbeatMs: 100 } } });
    const v = await Visitor.open(b.url, b.siteKey);
    const stream = v.events();
    await stream.ready;
    const msgid = await v.send('tracked');
    await stream.waitFor((e) => e.event === 'message' && e.data['msgid'] === msgid);
    await stream.waitFor((e) => e.event === 'status' && e.data['msgid'] === msgid && e.data['status'] === 'sent');
    await waitFor(() => stream.comments.includes('ping'), 2000, 'heartbeat');
    stream.close();
  });

  it('lists the whole conversation oldest first and pages only beyond 500 messages', async () => {
    b = await startBridgeBackend({ connect: false });
    const v = await Visitor.open(b.url, b.siteKey);
    // Disconnected: nothing goes to amojo, the messages are only stored.
    const bridge = b.services.bridge;
    const conversation = (await bridge.conversations.get(v.conversationId as never))!;
    for (let i = 0; i < 503; i++) await bridge.messages.accept(conversation, { clientMsgId: `c${i}` as never, text: `m${i}` });
    const page1 = await v.messages();
    expect(page1.messages).toHaveLength(500);
    expect(page1.messages[0]!['text']).toBe('m0');
    expect(page1.next_cursor).not.toBeNull();
    const page2 = await v.messages(page1.next_cursor!);
    expect(page2.messages.map((m) => m['text'])).toEqual(['m500', 'm501', 'm502']);
    expect(page2.next_cursor).toBeNull();
  });
});

describe('tokens, CORS and validation', () => {
  it('refuses missing, forged and retired tokens (401) and other conversations’ messages (403)', async () => {
    b = await startBridgeBackend();
    const alice = await Visitor.open(b.url, b.siteKey);
    const bob = await Visitor.open(b.url, b.siteKey);
    const aliceMsg = await alice.send('mine');
    expect((await call(`${b.url}/webchat/v1/messages`, 'GET', undefined)).status).toBe(401);
    const [h, p, s] = alice.token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: bob.conversationId })).toString('base64url');
    expect((await call(`${b.url}/webchat/v1/messages`, 'GET', `${h}.${forgedPayload}.${s}`)).status).toBe(401);
    expect((await bob.post('/reactions', { msgid: aliceMsg, emoji: '👍' })).status).toBe(403);
    expect((await bob.post('/read', { msgid: aliceMsg })).status).toBe(403);
    const edit = await fetch(`${b.url}/webchat/v1/messages/${aliceMsg}`, { method: 'PATCH', headers: { authorization: `Bearer ${bob.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hijack' }) });
    expect(edit.status).toBe(403);
    // The stream accepts the token in the query; a wrong one there is 401 as well.
    expect((await fetch(`${b.url}/webchat/v1/events?token=nope`)).status).toBe(401);

    // Rotating the site key retires the old snippet and every token issued under it.
    const newKey = await b.services.webchat.rotateSiteKey(4242);
    expect((await call(`${b.url}/webchat/v1/messages`, 'GET', alice.token)).status).toBe(401);
    expect((await call(`${b.url}/webchat/v1/sessions`, 'POST', undefined, { site_key: b.siteKey })).status).toBe(404);
    expect((await call(`${b.url}/webchat/v1/sessions`, 'POST', undefined, { site_key: newKey })).status).toBe(201);
  });

  it('answers CORS preflights for any origin and validates input with JSON errors', async () => {
    b = await startBridgeBackend();
    const pre = await fetch(`${b.url}/webchat/v1/messages`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type, Last-Event-ID');
    const v = await Visitor.open(b.url, b.siteKey);
    const tooLong = await v.post('/messages', { client_msgid: 'x1', text: 'a'.repeat(4097) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toEqual({ error: 'invalid_request', message: expect.stringContaining('text') });
    expect(tooLong.headers.get('access-control-allow-origin')).toBe('*');
    expect((await v.post('/messages', { client_msgid: 'x2' })).status).toBe(400);
    expect((await v.post('/messages', { client_msgid: 'bad id!', text: 'x' })).status).toBe(400);
    expect((await v.post('/messages', { client_msgid: 'x3', text: 'x', reply_to: 'm_doesnotexist000' })).status).toBe(404);
    expect((await call(`${b.url}/webchat/v1/sessions`, 'POST', undefined, { site_key: 'sk_nope' })).status).toBe(404);
    expect((await call(`${b.url}/webchat/v1/sessions`, 'POST', undefined, { site_key: b.siteKey, email: 'not-an-email' })).status).toBe(400);
    // A visitor who gives details later keeps the conversation.
    const again = await call<{ conversation_id: string }>(`${b.url}/webchat/v1/sessions`, 'POST', v.token, { site_key: b.siteKey, name: 'Vera', email: 'vera@example.com' });
    expect(again.status).toBe(200);
    expect(again.body.conversation_id).toBe(v.conversationId);
  });
});

describe('abuse limits', () => {
  it('rate-limits sessions per IP and messages per conversation with 429 and Retry-After', async () => {
    b = await startBridgeBackend({
      serviceOptions: { webchat: { limits: { sessions: { perIp: { burst: 3, perMinute: 1 } }, messages: { perConversation: { burst: 2, perMinute: 1 } } } } },
    });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call(`${b.url}/webchat/v1/sessions`, 'POST', undefined, { site_key: b.siteKey }));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 429]);
    expect(Number(answers[3]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(answers[3]!.body).toMatchObject({ error: 'rate_limited' });
    const v = new Visitor(b.url, String(answers[0]!.body['visitor_token']), String(answers[0]!.body['conversation_id']));
    const sends = [];
    for (let i = 0; i < 3; i++) sends.push((await v.post('/messages', { client_msgid: `r${i}`, text: 'spam' })).status);
    expect(sends).toEqual([202, 202, 429]);
  });

  it('refuses uploads over the size limit (413) and of types outside the allow-list (415)', async () => {
    b = await startBridgeBackend({ serviceOptions: { webchat: { limits: { maxUploadBytes: 1024 } } } });
    const v = await Visitor.open(b.url, b.siteKey);
    const big = await v.upload(Buffer.alloc(2048, 1), 'big.pdf', 'application/pdf');
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ error: 'payload_too_large' });
    const huge = await v.upload(Buffer.alloc(300 * 1024, 1), 'huge.pdf', 'application/pdf');
    expect(huge.status).toBe(413);
    expect((await v.upload(Buffer.from('<svg/>'), 'x.svg', 'image/svg+xml')).status).toBe(415);
    expect((await v.upload(Buffer.from('MZ...'), 'x.exe', 'application/x-msdownload')).status).toBe(415);
    expect((await v.upload(Buffer.from('<html>not a png</html>'), 'x.png', 'image/png')).status).toBe(415);
    const ok = await v.upload(PNG_1X1, 'ok.png', 'image/png');
    expect(ok.status).toBe(201);
    // Nothing of the refused files was kept.
    if (testDialect === 'postgres') {
      const blobs = await b.services.store.storeDb.db.selectFrom('file_blobs').select('complete').execute();
      expect(blobs).toEqual([{ complete: true }]);
    } else {
      const filesDir = join(dirname(b.databaseUrl.slice('sqlite:'.length)), 'files');
      const kept = readdirSync(filesDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      expect(kept.map((e) => e.parentPath.endsWith('tmp'))).toEqual([false]);
    }
  });
});

describe('files route', () => {
  it('serves files with the stored type, nosniff, safe names, ranges; unknown ids are 404', async () => {
    b = await startBridgeBackend();
    const v = await Visitor.open(b.url, b.siteKey);
    const up = await v.upload(Buffer.from('hello "quoted" file'), 'my "notes"\r\n.txt', 'text/plain');
    expect(up.status).toBe(201);
    expect(String(up.body['file_id'])).toMatch(/^f_t[0-9a-z]{9}[A-Za-z0-9_-]{22}$/);
    const res = await fetch(String(up.body['url']));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="my _notes_  .txt"; filename\*=UTF-8''my%20_notes_%20%20.txt$/);
    const part = await fetch(String(up.body['url']), { headers: { range: 'bytes=0-4' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('hello');
    expect((await fetch(`${b.url}/files/f_AAAAAAAAAAAAAAAAAAAAAA/x.txt`)).status).toBe(404);
    expect((await fetch(`${b.url}/files/../../etc/passwd`)).status).toBe(404);
  });
});
