/**
 * What the bubble learns from the backend besides messages: the site's settings at load (an old snippet is
 * refused before the visitor writes), and that the manager read the visitor's messages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Visitor, call, chatOf, startBridgeBackend, waitForEmulatorMessages, type BridgeBackend } from './bridge-helpers.js';

let b: BridgeBackend | undefined;
afterEach(async () => {
  await b?.stop();
  b = undefined;
});

describe('GET /webchat/v1/settings', () => {
  it('answers the bubble settings for a known site key, cacheable for a short time and readable from any site', async () => {
    b = await startBridgeBackend();
    const res = await fetch(`${b.url}/webchat/v1/settings?site_key=${encodeURIComponent(b.siteKey)}`, { headers: { Origin: 'https://shop.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ color: '#2563eb', position: 'right', language: 'auto', hours: null, consent: { required: false, url: null }, max_file_bytes: 20_000_000 });
    expect(Object.keys(body).sort()).toEqual(['away_message', 'color', 'consent', 'greeting', 'hours', 'language', 'max_file_bytes', 'position', 'prechat', 'store_before_open', 'title']);
  });

  it('refuses an old site key after a new code was made (404), and a missing one (400)', async () => {
    b = await startBridgeBackend();
    const old = b.siteKey;
    const fresh = await b.services.webchat.rotateSiteKey(4242);
    const refused = await call(`${b.url}/webchat/v1/settings?site_key=${encodeURIComponent(old)}`, 'GET', undefined);
    expect([refused.status, refused.body['error']]).toEqual([404, 'unknown_site_key']);
    expect(typeof refused.body['message']).toBe('string');
    expect((await call(`${b.url}/webchat/v1/settings?site_key=${encodeURIComponent(fresh)}`, 'GET', undefined)).status).toBe(200);
    const missing = await call(`${b.url}/webchat/v1/settings`, 'GET', undefined);
    expect([missing.status, missing.body['error']]).toEqual([400, 'invalid_request']);
  });
});

describe('read status of the visitor’s messages', () => {
  it('turns the visitor’s messages amoCRM has into "read" once a manager answers, live and in the history', async () => {
    b = await startBridgeBackend();
    const v = await Visitor.open(b.url, b.siteKey);
    const stream = v.events();
    await stream.ready;
    const first = await v.send('one');
    const second = await v.send('two');
    await waitForEmulatorMessages(b, v.conversationId, 2);
    await stream.waitFor((e) => e.event === 'status' && e.data['msgid'] === second && e.data['status'] === 'sent');
    await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId: chatOf(b, v.conversationId)!.id, text: 'Hello!' });
    await stream.waitFor((e) => e.event === 'status' && e.data['msgid'] === second && e.data['status'] === 'read');
    expect(stream.events.filter((e) => e.event === 'status' && e.data['status'] === 'read').map((e) => e.data['msgid'])).toEqual([first, second]);
    stream.close();
    const history = await v.messages();
    expect(history.messages.map((m) => [m['text'], m['status']])).toEqual([
      ['one', 'read'],
      ['two', 'read'],
      ['Hello!', 'delivered'],
    ]);
  });
});
