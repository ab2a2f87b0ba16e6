/**
 * `POST /telegram/webhook/:bot_id` through the fast lane over real HTTP: the same answers as the
 * Express route (status, JSON body, headers), the body read as express.json reads it (an empty
 * body is `{}`, a byte-order mark is dropped, only an object or array is JSON), and the bodies the
 * lane leaves to the Express route (compressed, with a charset, unsized) still accepted there.
 */
import http from 'node:http';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/log.js';
import { waitFor } from './bridge-helpers.js';
import { startTelegramBackend, type TelegramBackend } from './telegram-support.js';

let t: TelegramBackend;
let lines: Array<Record<string, unknown>>;

beforeEach(async () => {
  lines = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  t = await startTelegramBackend({ logger: createLogger({ level: 'warn', secrets: [], destination }) });
});
afterEach(async () => {
  await t.stop();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

function send(path: string, headers: Record<string, string>, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${t.backend.url}${path}`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The secret Telegram sends (taken from the emulator's first delivered update) and that update. */
async function secretAndUpdate(): Promise<{ secret: string; update: Record<string, unknown> }> {
  await t.tg.sendAsUser({ botId: t.bot.id, userId: t.user.id, text: 'hello' });
  const first = await waitFor(() => t.posted[0], 5000, 'first update');
  const secret = first.headers['X-Telegram-Bot-Api-Secret-Token'] ?? first.headers['x-telegram-bot-api-secret-token'];
  if (!secret) throw new Error('no secret header');
  return { secret, update: JSON.parse(first.body.toString('utf8')) as Record<string, unknown> };
}

const sized = (headers: Record<string, string>, body: Buffer) => ({ 'content-type': 'application/json', 'content-length': String(body.length), ...headers });

describe('the Telegram webhook in the fast lane', () => {
  it('answers as the Express route does, headers included', async () => {
    const { secret, update } = await secretAndUpdate();
    const cases: Array<[Record<string, string>, Buffer, number, string]> = [
      [{ 'x-telegram-bot-api-secret-token': 'wrong' }, Buffer.from(JSON.stringify(update)), 401, 'bad_secret'],
      [{ 'x-telegram-bot-api-secret-token': secret }, Buffer.from('{"hello":1}'), 400, 'invalid_update'],
    ];
    for (const [headers, body, status, error] of cases) {
      const lane = await send(`/telegram/webhook/${t.bot.id}`, sized(headers, body), body);
      // A trailing slash is not the lane's plain form: the Express route answers it.
      const express = await send(`/telegram/webhook/${t.bot.id}/`, sized(headers, body), body);
      expect(lane).toMatchObject({ status, body: { error } });
      expect(express.status).toBe(status);
      expect(lane.body).toEqual(express.body);
      for (const h of ['content-type', 'content-length', 'etag']) expect(lane.headers[h]).toBe(express.headers[h]);
    }
    const unknown = await send(`/telegram/webhook/${t.otherBot.id}`, sized({ 'x-telegram-bot-api-secret-token': secret }, Buffer.from('{}')), Buffer.from('{}'));
    expect(unknown).toMatchObject({ status: 404, body: { error: 'unknown_bot', message: 'No connected account uses this bot.' } });
    const ok = await send(`/telegram/webhook/${t.bot.id}`, sized({ 'x-telegram-bot-api-secret-token': secret }, Buffer.from(JSON.stringify(update))), Buffer.from(JSON.stringify(update)));
    expect(ok).toMatchObject({ status: 200, body: { ok: true } });
    expect(ok.headers['etag']).toMatch(/^W\/"b-/);
  });

  it('reads the body as express.json does: malformed JSON and a bare value are invalid_json, logged as client errors; empty is {}', async () => {
    const { secret } = await secretAndUpdate();
    const post = (text: string) => send(`/telegram/webhook/${t.bot.id}`, sized({ 'x-telegram-bot-api-secret-token': secret }, Buffer.from(text)), Buffer.from(text));
    const before = lines.length;
    expect(await post('{"update_id":')).toMatchObject({ status: 400, body: { error: 'invalid_json', message: 'The request body is not valid JSON.' } });
    expect(await post(' 123')).toMatchObject({ status: 400, body: { error: 'invalid_json' } });
    expect(await post('')).toMatchObject({ status: 400, body: { error: 'invalid_update' } });
    const logged = lines.slice(before).filter((l) => l['msg'] === 'client error');
    expect(logged.map((l) => [l['status'], l['error'], l['url']])).toEqual([
      [400, 'invalid_json', `/telegram/webhook/${t.bot.id}`],
      [400, 'invalid_json', `/telegram/webhook/${t.bot.id}`],
    ]);
  });

  it('accepts an update with a byte-order mark, and leaves compressed, charset-typed and unsized bodies to the Express route', async () => {
    const { secret, update } = await secretAndUpdate();
    const next = (n: number) => Buffer.from(JSON.stringify({ ...update, update_id: Number(update['update_id']) + n }));
    const auth = { 'x-telegram-bot-api-secret-token': secret };
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), next(1)]);
    expect((await send(`/telegram/webhook/${t.bot.id}`, sized(auth, bom), bom)).status).toBe(200);
    const gz = gzipSync(next(2));
    expect((await send(`/telegram/webhook/${t.bot.id}`, sized({ ...auth, 'content-encoding': 'gzip' }, gz), gz)).status).toBe(200);
    const typed = next(3);
    expect((await send(`/telegram/webhook/${t.bot.id}`, sized({ ...auth, 'content-type': 'application/json; charset=utf-8' }, typed), typed)).status).toBe(200);
    const unsized = next(4);
    expect((await send(`/telegram/webhook/${t.bot.id}`, { ...auth, 'content-type': 'application/json' }, unsized)).status).toBe(200);
    const utf16 = Buffer.from('{}', 'utf16le');
    expect(await send(`/telegram/webhook/${t.bot.id}`, sized({ ...auth, 'content-type': 'application/json; charset=latin1' }, utf16), utf16)).toMatchObject({ status: 415, body: { error: 'unsupported_charset' } });
  });
});
