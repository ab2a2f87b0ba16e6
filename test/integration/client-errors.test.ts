/**
 * Client mistakes are 4xx answers with the JSON error shape, logged at warn without a stack: a
 * bogus charset, a broken or unknown Content-Encoding, malformed JSON, a bad percent-encoding.
 */
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { createLogger } from '../../server/log.js';
import { startTestBackend, type TestBackend } from '../support/server.js';

let b: TestBackend;
let base: string;
let server: http.Server;
const lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  b = await startTestBackend({ startJobs: false });
  // The same services behind a second server whose app logs into `lines`.
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  server = http.createServer(createApp({ ...b.services, logger: createLogger({ level: 'warn', secrets: [], destination }) }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await b.stop();
});

async function post(path: string, headers: Record<string, string>, body: Uint8Array | string) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('client mistakes', () => {
  it.each([
    ['a bogus charset', { 'content-type': 'application/json; charset=bogus' }, '{}', 415, 'unsupported_charset'],
    ['a broken gzip body', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, 'this is not gzip', 400, 'invalid_body_encoding'],
    ['a truncated gzip body', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync('{"site_key":"x"}').subarray(0, 12), 400, 'invalid_body_encoding'],
    ['an unknown Content-Encoding', { 'content-type': 'application/json', 'content-encoding': 'zstd-bogus' }, '{}', 415, 'unsupported_encoding'],
    ['malformed JSON', { 'content-type': 'application/json' }, '{"site_key":', 400, 'invalid_json'],
  ] as const)('answers %s with a 4xx JSON error and a warn line without a stack', async (_what, headers, body, status, code) => {
    const before = lines.length;
    const r = await post('/webchat/v1/sessions', { ...headers }, body);
    expect(r.status).toBe(status);
    expect(r.body).toEqual({ error: code, message: expect.stringMatching(/\w+ \w+/) });
    const logged = lines.slice(before);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 40, status, error: code });
    expect(JSON.stringify(logged[0])).not.toMatch(/stack|at \w+ \(/);
  });

  it('answers a bad percent-encoding in a path with 400', async () => {
    const res = await fetch(`${base}/files/%E0%A4%A/x.png`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'bad_request' });
  });

  it('keeps a file id out of the log line of a refused file request', async () => {
    const before = lines.length;
    const res = await fetch(`${base}/files/f_${'B'.repeat(22)}/x.png`);
    expect(res.status).toBe(404);
    expect(JSON.stringify(lines.slice(before))).not.toContain('B'.repeat(22));
  });
});
