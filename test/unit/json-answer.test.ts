/**
 * A prepared JSON answer is what Express's `res.json` sends for the same value: status, body and
 * the Content-Type, Content-Length and ETag headers (real HTTP, one app serving both).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareJson, sendPreparedJson } from '../../server/http/json-answer.js';

const VALUES: unknown[] = [{ ok: true }, { error: 'bad_secret', message: 'X-Telegram-Bot-Api-Secret-Token does not match.' }, { text: 'Привет, 👋' }, []];
let server: http.Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.get('/express/:i', (req, res) => void res.status(401).json(VALUES[Number(req.params['i'])]));
  app.get('/prepared/:i', (req, res) => sendPreparedJson(res, 401, prepareJson(VALUES[Number(req.params['i'])])));
  server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

async function get(path: string) {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), length: res.headers.get('content-length'), etag: res.headers.get('etag'), body: await res.text() };
}

describe('prepared JSON answers', () => {
  it.each(VALUES.map((v, i) => [JSON.stringify(v), i] as const))('answer %s as res.json does', async (_what, i) => {
    const viaExpress = await get(`/express/${i}`);
    expect(viaExpress.etag).toMatch(/^W\//);
    expect(await get(`/prepared/${i}`)).toEqual(viaExpress);
  });
});
