import { afterEach, describe, expect, it } from 'vitest';
import { contentMd5, formatRfc2822 } from '../../server/amojo/signing.js';
import { createAmojoEmulator, parseAmojoDate } from '../../server/sandbox/amojo/index.js';
import {
  ACCOUNT_ID,
  API,
  CHANNEL_ID,
  SCOPE_ID,
  SECRET,
  connect,
  incomingText,
  startEmulator,
  toBytes,
  type Harness,
} from './amojo-emulator-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('§8 test vectors', () => {
  it('accepts V1 (new_message, project vector)', () => {
    const emu = createAmojoEmulator({ channels: [{ id: CHANNEL_ID, secret: SECRET }], now: () => Date.parse('2026-01-01T10:05:00Z') });
    const body = toBytes(
      '{"event_type":"new_message","payload":{"timestamp":1767261600,"msec_timestamp":1767261600000,"msgid":"int-msg-0001","conversation_id":"int-conv-0001","sender":{"id":"int-user-0001","name":"Test Client"},"message":{"type":"text","text":"Hello"},"silent":false}}',
    );
    const req = {
      method: 'POST',
      path: `${API}/${SCOPE_ID}`,
      body,
      headers: {
        date: 'Thu, 01 Jan 2026 10:00:00 +0000',
        contentType: 'application/json',
        contentMd5: 'f5aa03c095358fec15930f8ff31668a8',
        signature: '9a06b48f06a54fd0f6df0e8f4e5e090aa3f74aff',
      },
    };
    expect(emu.verifyRequest(req)).toEqual({ ok: true });
    expect(emu.verifyRequest({ ...req, headers: { ...req.headers, signature: '9a06b48f06a54fd0f6df0e8f4e5e090aa3f74afe' } })).toMatchObject({ ok: false, reason: 'invalid_signature' });
  });

  it('accepts D1 (connect, official worked example) only inside its 15-minute window', () => {
    let now = Date.parse('2021-12-15T23:20:00Z');
    const channelId = '344a5002-f8ca-454d-af3d-396180102ac7';
    const emu = createAmojoEmulator({ channels: [{ id: channelId, secret: 'f2d7f8704eff95087ed45b23ba99c0b5aac8278e' }], now: () => now });
    const req = {
      method: 'POST',
      path: `${API}/${channelId}/connect`,
      body: toBytes('{"account_id":"52e591f7-c98f-4255-8495-827210138c81","title":"ChatsIntegration","hook_api_version":"v2"}'),
      headers: {
        date: 'Wed, 15 Dec 2021 23:12:55 +0000',
        contentType: 'application/json',
        contentMd5: '2fbcb3c652b61e24e004daddfc73d0ce',
        signature: '81211856ce0c5095f3e1a90c0a38dc9d736cfd55',
      },
    };
    expect(emu.verifyRequest(req)).toEqual({ ok: true });
    now = Date.parse('2021-12-15T23:28:00Z');
    expect(emu.verifyRequest(req)).toMatchObject({ ok: false, reason: 'date_out_of_window' });
  });
});

describe('Date parsing', () => {
  it('reads +0000, numeric offsets and GMT forms and refuses others', () => {
    const ms = Date.parse('2026-01-01T10:00:00Z');
    expect(parseAmojoDate('Thu, 01 Jan 2026 10:00:00 +0000')).toBe(ms);
    expect(parseAmojoDate(new Date(ms).toUTCString())).toBe(ms);
    expect(parseAmojoDate('Thu, 01 Jan 2026 13:00:00 +0300')).toBe(ms);
    expect(parseAmojoDate('2026-01-01T10:00:00Z')).toBeNull();
    expect(parseAmojoDate('Sat, 31 Feb 2026 10:00:00 +0000')).toBeNull();
  });
});

describe('request authentication over HTTP', () => {
  const body = incomingText('int-msg-auth');

  it('accepts a correctly signed request, also with a GMT Date', async () => {
    h = await startEmulator();
    expect((await connect(h)).status).toBe(200);
    const gmt = new Date(h.clock.now).toUTCString();
    const res = await h.call('POST', `${API}/${SCOPE_ID}`, { body, date: gmt });
    expect(res.status).toBe(200);
  });

  it('refuses with 403 whatever amojo would refuse', async () => {
    h = await startEmulator();
    await connect(h);
    const path = `${API}/${SCOPE_ID}`;
    const signed = toBytes(body);
    const tampered = Buffer.from(signed.toString('utf8').replace('Hello', 'Hellp'), 'utf8');
    const cases: Array<[string, Parameters<Harness['call']>[2], string]> = [
      ['tampered body', { body, sendBody: tampered }, 'invalid_content_md5'],
      ['tampered body with matching MD5', { body, sendBody: tampered, override: { 'Content-MD5': contentMd5(tampered) } }, 'invalid_signature'],
      ['stale Date (16 min)', { body, date: formatRfc2822(new Date(h.clock.now - 16 * 60_000)) }, 'date_out_of_window'],
      ['future Date (16 min)', { body, date: formatRfc2822(new Date(h.clock.now + 16 * 60_000)) }, 'date_out_of_window'],
      ['wrong weekday', { body, date: 'Fri, 01 Jan 2026 13:00:00 +0300' }, 'invalid_date'],
      ['wrong secret', { body, secret: '0000000000000000000000000000000000000000' }, 'invalid_signature'],
      ['charset in Content-Type', { body, override: { 'Content-Type': 'application/json; charset=utf-8' } }, 'invalid_content_type'],
      ['wrong Content-MD5', { body, override: { 'Content-MD5': 'd41d8cd98f00b204e9800998ecf8427e' } }, 'invalid_content_md5'],
      ['upper-case Content-MD5', { body, override: { 'Content-MD5': contentMd5(signed).toUpperCase() } }, 'invalid_content_md5'],
      ['base64 Content-MD5', { body, override: { 'Content-MD5': Buffer.from(contentMd5(signed), 'hex').toString('base64') } }, 'invalid_content_md5'],
      ['path signed without the scope', { body, signedPath: `${API}/` }, 'invalid_signature'],
    ];
    for (const [name, options, reason] of cases) {
      const res = await h.call('POST', path, options);
      expect(res.status, name).toBe(403);
      expect(res.json, name).toMatchObject({ error_code: 403, error_type: reason });
    }
    // An empty signature header.
    const res = await h.call('POST', path, { body, override: { 'X-Signature': '' } });
    expect(res.status).toBe(403);
    expect(h.emu.chats(SCOPE_ID)).toHaveLength(0);
    expect(h.emu.requests().filter((r) => r.status === 403)).toHaveLength(cases.length + 1);
  });

  it('checks the full path on the wire: the mount prefix is signed, the query string is not', async () => {
    h = await startEmulator({ prefix: '/sandbox/amojo' });
    expect((await connect(h)).status).toBe(200);
    const path = `${API}/${SCOPE_ID}`;
    expect((await h.call('POST', path, { body: incomingText('m-prefix-1') })).status).toBe(200);
    // The same request signed without the prefix is refused.
    const unprefixed = await h.call('POST', path, { body: incomingText('m-prefix-2'), signedPath: path });
    expect(unprefixed.status).toBe(403);
    expect(unprefixed.json).toMatchObject({ error_type: 'invalid_signature' });
    const chatId = h.emu.chats(SCOPE_ID)[0]?.id ?? '';
    const history = await h.call('GET', `${API}/${SCOPE_ID}/chats/${chatId}/history`, { query: '?offset=0&limit=50' });
    expect(history.status).toBe(200);
    expect(h.emu.requests().at(-1)).toMatchObject({ method: 'GET', path: `/sandbox/amojo${API}/${SCOPE_ID}/chats/${chatId}/history`, status: 200 });
  });

  it('needs Content-Type application/json and the empty-body MD5 on GET too', async () => {
    h = await startEmulator();
    await connect(h);
    const path = `${API}/${SCOPE_ID}/chats/6cbab3d5-c4c1-46ff-b710-ad59ad10805f/history`;
    expect((await h.call('GET', path)).status).toBe(204);
    expect((await h.call('GET', path, { override: { 'Content-Type': '' } })).status).toBe(403);
  });

  it('binds a scope to the channel that signed it and refuses disconnected or unknown scopes', async () => {
    const other = { id: '0b8f1c7e-1111-4222-8333-944455556666', secret: 'ffffffffffffffffffffffffffffffffffffffff' };
    h = await startEmulator({ channels: [{ id: CHANNEL_ID, secret: SECRET }, other] });
    await connect(h);
    // The other channel's secret cannot act on this channel's scope.
    expect((await h.call('POST', `${API}/${SCOPE_ID}`, { body, secret: other.secret })).status).toBe(403);
    // A scope that was never connected.
    const stranger = `${CHANNEL_ID}_11111111-2222-4333-8444-555555555555`;
    expect((await h.call('POST', `${API}/${stranger}`, { body })).status).toBe(403);
    // Unknown channel on connect: 404.
    const unknown = await h.call('POST', `${API}/9d3c2b1a-0000-4000-8000-000000000000/connect`, { body: { account_id: ACCOUNT_ID, hook_api_version: 'v2' } });
    expect(unknown.status).toBe(404);
  });

  it('lets only the approved accounts connect to a private channel', async () => {
    h = await startEmulator({ channels: [{ id: CHANNEL_ID, secret: SECRET, allowedAccounts: [ACCOUNT_ID] }] });
    expect((await connect(h)).status).toBe(200);
    const refused = await connect(h, '11111111-2222-4333-8444-555555555555');
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error_code: 403, error_type: 'account_not_allowed' });
  });
});
