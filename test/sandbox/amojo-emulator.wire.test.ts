/**
 * Requests the documentation allows that the emulator must answer as amojo does: RFC 2822 dates with
 * any numeric offset, `media_duration` carried back out, optional connect title and reaction emoji.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { formatRfc2822, signRequest } from '../../server/amojo/signing.js';
import { parseAmojoDate } from '../../server/sandbox/amojo/index.js';
import {
  ACCOUNT_ID,
  API,
  CHANNEL_ID,
  DEFAULT_CHANNEL,
  SCOPE_ID,
  SECRET,
  connect,
  incomingText,
  lastSignedHook,
  startConnectedWithHooks,
  startEmulator,
  type Harness,
  type HookedHarness,
} from './amojo-emulator-harness.js';

const SCOPE = `${API}/${SCOPE_ID}`;
const MEDIA = 'https://files.example.com/note.ogg';

let h: Harness | undefined;
let hooked: HookedHarness | undefined;
afterEach(async () => {
  // A test started either an emulator with hooks (which closes both) or a bare one.
  await (hooked ? hooked.close() : h?.close());
  h = undefined;
  hooked = undefined;
});

async function started(): Promise<Harness> {
  hooked = await startConnectedWithHooks();
  h = hooked.h;
  return hooked.h;
}

const lastHook = (): Record<string, any> => lastSignedHook(hooked!.receiver);

describe('Date header: RFC 2822 with any numeric offset', () => {
  const instant = Date.parse('2026-01-01T10:00:00Z');

  it('reads the same instant in every zone form, and refuses dates that name none', () => {
    for (const value of [
      'Thu, 01 Jan 2026 10:00:00 +0000',
      'Thu, 01 Jan 2026 10:00:00 GMT',
      'Thu, 01 Jan 2026 10:00:00 UT',
      'Thu, 01 Jan 2026 13:00:00 +0300',
      'Thu, 01 Jan 2026 05:00:00 -0500',
      'Thu, 01 Jan 2026 15:30:00 +0530',
      'Thu, 01 Jan 2026 10:00:00 -0000',
      '01 Jan 2026 13:00:00 +0300',
      'Thu, 1 Jan 2026 13:00 +0300',
    ]) {
      expect(parseAmojoDate(value), value).toBe(instant);
    }
    // The weekday is that of the date as written: 00:30 +0300 on Friday is still Thursday in UTC.
    expect(parseAmojoDate('Fri, 02 Jan 2026 00:30:00 +0300')).toBe(Date.parse('2026-01-01T21:30:00Z'));
    for (const value of [
      'Mon, 01 Jan 2026 10:00:00 +0000', // 1 Jan 2026 is a Thursday
      'Fri, 01 Jan 2026 13:00:00 +0300',
      'Sat, 31 Feb 2026 10:00:00 +0000',
      'Thu, 01 Jan 2026 24:00:00 +0000',
      'Thu, 01 Jan 2026 10:00:00 +0360',
      'Thu, 01 Jan 2026 10:00:00 +03',
      'Thu, 01 Jan 2026 10:00:00 MSK',
      'Thu, 01 Foo 2026 10:00:00 +0000',
      '2026-01-01T10:00:00Z',
    ]) {
      expect(parseAmojoDate(value), value).toBeNull();
    }
  });

  it('accepts a signed request dated in Moscow time and measures the 15-minute window in UTC', async () => {
    h = await startEmulator();
    expect((await connect(h)).status).toBe(200);
    // 13:00 +0300 is the harness clock's 10:00 UTC: inside the window although 3 hours "ahead" on its face.
    const moscow = await h.call('POST', SCOPE, { body: incomingText('m-msk'), date: 'Thu, 01 Jan 2026 13:00:00 +0300' });
    expect(moscow.status).toBe(200);
    const stale = await h.call('POST', SCOPE, { body: incomingText('m-stale'), date: 'Thu, 01 Jan 2026 12:44:00 +0300' });
    expect(stale.status).toBe(403);
    expect(stale.json).toMatchObject({ error_type: 'date_out_of_window' });
    // Read as UTC, 10:00 -0500 would be inside the window; it is 15:00 UTC, five hours off.
    const farWest = await h.call('POST', SCOPE, { body: incomingText('m-west'), date: 'Thu, 01 Jan 2026 10:00:00 -0500' });
    expect(farWest.status).toBe(403);
    expect(farWest.json).toMatchObject({ error_type: 'date_out_of_window' });
    expect(h.emu.messages(h.emu.chats(SCOPE_ID)[0]?.id ?? '').map((m) => m.msgid)).toEqual(['m-msk']);
  });

  it('refuses a wrong weekday with 403 and stores nothing', async () => {
    h = await startEmulator();
    await connect(h);
    const res = await h.call('POST', SCOPE, { body: incomingText('m-day'), date: 'Mon, 01 Jan 2026 10:00:00 +0000' });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ error_code: 403, error_type: 'invalid_date' });
    expect(h.emu.chats(SCOPE_ID)).toHaveLength(0);
  });
});

describe('media_duration', () => {
  const timed = (msgid: string, type: 'voice' | 'audio' | 'video', seconds: number) =>
    incomingText(msgid, { message: { type, media: MEDIA, file_name: `${msgid}.bin`, file_size: 100, media_duration: seconds } });

  it('comes back in history entries of voice, audio and video messages that sent one', async () => {
    const emu = await started();
    expect((await emu.call('POST', SCOPE, { body: timed('d-voice', 'voice', 7) })).status).toBe(200);
    expect((await emu.call('POST', SCOPE, { body: timed('d-audio', 'audio', 185) })).status).toBe(200);
    expect((await emu.call('POST', SCOPE, { body: timed('d-video', 'video', 12) })).status).toBe(200);
    const noDuration = incomingText('d-plain', { message: { type: 'voice', media: MEDIA } });
    expect((await emu.call('POST', SCOPE, { body: noDuration })).status).toBe(200);
    const chatId = emu.emu.chats(SCOPE_ID)[0]?.id ?? '';
    const page = await emu.call('GET', `${SCOPE}/chats/${chatId}/history`);
    const messages = (page.json as { messages: Array<{ message: Record<string, unknown> }> }).messages;
    const byMsgid = Object.fromEntries(messages.map((m) => [m.message['client_id'], m.message]));
    expect(byMsgid['d-voice']).toMatchObject({ type: 'voice', media_duration: 7 });
    expect(byMsgid['d-audio']).toMatchObject({ type: 'audio', media_duration: 185 });
    expect(byMsgid['d-video']).toMatchObject({ type: 'video', media_duration: 12 });
    expect(byMsgid['d-plain']).not.toHaveProperty('media_duration');
  });

  it('comes out in hooks: a manager voice note with its length, and a quoted voice note of the visitor', async () => {
    const emu = await started();
    await emu.call('POST', SCOPE, { body: timed('d-quoted', 'voice', 9) });
    const chatId = emu.emu.chats(SCOPE_ID)[0]?.id ?? '';
    const quoted = emu.emu.messages(chatId)[0]?.amojoMsgId ?? '';
    await emu.emu.sendManagerMessage({
      scopeId: SCOPE_ID,
      chatId,
      type: 'voice',
      media: { url: 'https://cdn.example.com/answer.ogg', fileName: 'answer.ogg', fileSize: 2048 },
      mediaDuration: 4,
      replyTo: quoted,
    });
    const inner = lastHook()['message']['message'];
    expect(inner).toMatchObject({ type: 'voice', media_duration: 4 });
    expect(inner['reply_to']['message']).toMatchObject({ id: quoted, msgid: 'd-quoted', type: 'voice', media_duration: 9 });
    await emu.emu.sendManagerMessage({ scopeId: SCOPE_ID, chatId, text: 'and in text' });
    expect(lastHook()['message']['message']).not.toHaveProperty('media_duration');
  });
});

describe('optional fields the docs allow', () => {
  it('connects with title null under the registered channel name', async () => {
    h = await startEmulator();
    const res = await h.call('POST', `${API}/${CHANNEL_ID}/connect`, { body: { account_id: ACCOUNT_ID, title: null, hook_api_version: 'v2' } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ scope_id: SCOPE_ID, title: DEFAULT_CHANNEL.title });
    const untitled = await h.call('POST', `${API}/${CHANNEL_ID}/connect`, { body: { account_id: ACCOUNT_ID, hook_api_version: 'v2' } });
    expect(untitled.json).toMatchObject({ title: DEFAULT_CHANNEL.title });
    // Still strictly typed: a title that is not a string is refused.
    expect((await h.call('POST', `${API}/${CHANNEL_ID}/connect`, { body: { account_id: ACCOUNT_ID, title: 5, hook_api_version: 'v2' } })).status).toBe(400);
  });

  it('accepts react without emoji, as it accepts unreact with or without one', async () => {
    h = await startEmulator();
    await connect(h);
    await h.call('POST', SCOPE, { body: incomingText('r-1') });
    const react = (body: Record<string, unknown>) => h!.call('POST', `${SCOPE}/react`, { body: { conversation_id: 'int-conv-0001', msgid: 'r-1', user: { id: 'int-user-0001' }, ...body } });
    expect((await react({ type: 'react' })).status).toBe(200);
    expect((await react({ type: 'unreact' })).status).toBe(200);
    expect((await react({ type: 'unreact', emoji: '👍' })).status).toBe(200);
    expect(h.emu.reactions(SCOPE_ID).map((r) => [r.type, r.emoji])).toEqual([
      ['react', undefined],
      ['unreact', undefined],
      ['unreact', undefined],
    ]);
    // Strict where the docs are: an empty emoji or an unknown type is not a reaction.
    expect((await react({ type: 'react', emoji: '' })).status).toBe(400);
    expect((await react({ type: 'like' })).status).toBe(400);
  });
});

describe('the message call, alone or mounted', () => {
  it('is answered the same by the plain-node path of a lone emulator as by the Express router', async () => {
    const counter = () => {
      let n = 0;
      return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    };
    const answers = async (prefix: string) => {
      const one = await startEmulator({ prefix, newId: counter() });
      try {
        await connect(one);
        const sent = [await one.call('POST', SCOPE, { body: incomingText('same-1') }), await one.call('POST', SCOPE, { body: incomingText('same-1') })];
        // Refused alike: a wrong signature, and a body that is not JSON.
        sent.push(await one.call('POST', SCOPE, { body: incomingText('same-2'), override: { 'X-Signature': '0'.repeat(40) } }));
        sent.push(await one.call('POST', SCOPE, { body: '{"event_type":' }));
        return sent.map((r) => ({ status: r.status, json: r.json, type: r.headers['content-type'], length: r.headers['content-length'] }));
      } finally {
        await one.close();
      }
    };
    const alone = await answers('');
    expect(alone.map((a) => a.status)).toEqual([200, 400, 403, 400]);
    expect(await answers('/mounted')).toEqual(alone);
  });

  it('leaves to the router what it would read differently: a trailing slash, a chunked body', async () => {
    h = await startEmulator();
    await connect(h);
    expect((await h.call('POST', `${SCOPE}/`, { body: incomingText('slash-1') })).status).toBe(200);
    const body = Buffer.from(JSON.stringify(incomingText('chunked-1')));
    const signed = signRequest(SECRET, { method: 'POST', path: SCOPE, body, date: formatRfc2822(new Date(h.clock.now)) });
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${h!.url}${SCOPE}`, { method: 'POST', headers: { ...signed, 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.write(body.subarray(0, 10));
      req.end(body.subarray(10));
    });
    expect(chunked).toBe(200);
    expect(h.emu.requests().map((r) => r.status)).toEqual([200, 200, 200]);
  });
});
