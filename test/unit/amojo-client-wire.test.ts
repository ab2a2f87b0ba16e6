/**
 * The client against a bare HTTP server that records what arrives on the wire: the bytes hashed
 * are the bytes sent, headers go out verbatim (no charset is added), the query is not signed,
 * a path prefix of the base URL is signed, and retries follow the policy.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAmojoClient } from '../../server/amojo/client.js';
import { AmojoError } from '../../server/amojo/errors.js';
import { PROJECT, REQUEST_VECTORS } from './signing-vectors.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

let server: http.Server;
let base: string;
let seen: Seen[] = [];
let answers: Array<{ status: number; body?: string; headers?: Record<string, string> }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const a = answers.shift() ?? { status: 200, body: '{}' };
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen = [];
  answers = [];
});

const fixedNow = () => new Date(Date.UTC(2026, 0, 1, 10, 0, 0));
const noSleep = async () => {};
const client = () =>
  createAmojoClient({ channelId: PROJECT.channel, channelSecret: PROJECT.secret, now: fixedNow, sleep: noSleep });

describe('amojo client on the wire', () => {
  it('sends V1 exactly: same bytes, same MD5 and signature, verbatim Content-Type', async () => {
    const v1 = REQUEST_VECTORS.find((v) => v.name.startsWith('V1'))!;
    answers.push({ status: 200, body: JSON.stringify({ new_message: { msgid: 'a-uuid', ref_id: 'int-msg-0001', conversation_id: 'chat-uuid' } }) });
    const r = await client()
      .scoped(base, PROJECT.scope)
      .sendMessage({
        timestamp: 1767261600,
        msec_timestamp: 1767261600000,
        msgid: 'int-msg-0001',
        conversation_id: 'int-conv-0001',
        sender: { id: 'int-user-0001', name: 'Test Client' },
        message: { type: 'text', text: 'Hello' },
        silent: false,
      });
    const req = seen[0]!;
    expect(req.body.toString('utf8')).toBe(v1.body);
    expect(req.url).toBe(v1.path);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['content-md5']).toBe(v1.md5);
    expect(req.headers['x-signature']).toBe(v1.signature);
    expect(req.headers['date']).toBe(PROJECT.date);
    // The naming inversion: the response's msgid is amojo's id.
    expect(r).toMatchObject({ amojoMsgId: 'a-uuid', amojoChatId: 'chat-uuid', alreadyDelivered: false });
  });

  it('signs a GET with the empty-body MD5 and leaves the query unsigned (V2)', async () => {
    const v2 = REQUEST_VECTORS.find((v) => v.name.startsWith('V2'))!;
    answers.push({ status: 204 });
    const page = await client().scoped(base, PROJECT.scope).historyPage('6cbab3d5-c4c1-46ff-b710-ad59ad10805f', 0, 50);
    expect(page).toEqual([]);
    const req = seen[0]!;
    expect(req.url).toBe(`${v2.path}?offset=0&limit=50`);
    expect(req.body.length).toBe(0);
    expect(req.headers['content-md5']).toBe(v2.md5);
    expect(req.headers['x-signature']).toBe(v2.signature);
  });

  it('signs DELETE disconnect with its JSON body (V5)', async () => {
    const v5 = REQUEST_VECTORS.find((v) => v.name.startsWith('V5'))!;
    answers.push({ status: 200 });
    await client().disconnect(base, 'af9945ff-1490-4cad-807d-945c15d88bec');
    expect(seen[0]!.method).toBe('DELETE');
    expect(seen[0]!.body.toString()).toBe(v5.body);
    expect(seen[0]!.headers['x-signature']).toBe(v5.signature);
  });

  it('signs connect (V4) and parses the answer', async () => {
    const v4 = REQUEST_VECTORS.find((v) => v.name.startsWith('V4'))!;
    answers.push({ status: 200, body: JSON.stringify({ account_id: 'af9945ff-1490-4cad-807d-945c15d88bec', scope_id: PROJECT.scope, title: 'My Channel', hook_api_version: 'v2' }) });
    const r = await client().connect(base, { accountAmojoId: 'af9945ff-1490-4cad-807d-945c15d88bec', title: 'My Channel' });
    expect(seen[0]!.body.toString()).toBe(v4.body);
    expect(seen[0]!.headers['x-signature']).toBe(v4.signature);
    expect(r.scopeId).toBe(PROJECT.scope);
  });

  it('signs the whole wire path when the base URL has a prefix', async () => {
    answers.push({ status: 204 });
    await client().scoped(`${base}/sandbox/amojo`, PROJECT.scope).typing({ conversation_id: 'c1', sender: { id: 'u1' } });
    expect(seen[0]!.url).toBe(`/sandbox/amojo/v2/origin/custom/${PROJECT.scope}/typing`);
  });

  it('hands 429 and 5xx back at once with their Retry-After: the job retries, not the client', async () => {
    const delays: number[] = [];
    const c = createAmojoClient({ channelId: PROJECT.channel, channelSecret: PROJECT.secret, now: fixedNow, sleep: async (ms) => void delays.push(ms) });
    answers.push({ status: 429, headers: { 'retry-after': '2' } }, { status: 503 });
    const typing = () => c.scoped(base, PROJECT.scope).typing({ conversation_id: 'c1', sender: { id: 'u1' } });
    await expect(typing()).rejects.toMatchObject({ upstreamStatus: 429, retryable: true, retryAfterMs: 2000 });
    await expect(typing()).rejects.toMatchObject({ upstreamStatus: 503, retryable: true, retryAfterMs: undefined });
    expect(seen).toHaveLength(2);
    expect(delays).toEqual([]);
  });

  it('repeats a request once when the connection failed before any answer, and a timeout not at all', async () => {
    const tries: string[] = [];
    const failing = (code: string) =>
      createAmojoClient({
        channelId: PROJECT.channel,
        channelSecret: PROJECT.secret,
        sleep: noSleep,
        transport: async (req) => {
          tries.push(`${code} ${req.headers['date']}`);
          throw Object.assign(new Error(code === 'ECONNRESET' ? 'socket hang up' : 'timeout of 10000ms exceeded'), { code });
        },
      });
    const reset = await failing('ECONNRESET').scoped(base, PROJECT.scope).typing({ conversation_id: 'c', sender: { id: 'u' } }).catch((e: unknown) => e);
    expect(reset).toMatchObject({ upstreamStatus: 0, code: 'amojo_unreachable', retryable: true });
    expect(tries.filter((t) => t.startsWith('ECONNRESET'))).toHaveLength(2);
    const timedOut = await failing('ECONNABORTED').scoped(base, PROJECT.scope).typing({ conversation_id: 'c', sender: { id: 'u' } }).catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ upstreamStatus: 0, retryable: true });
    expect(tries.filter((t) => t.startsWith('ECONNABORTED'))).toHaveLength(1);
  });

  it('does not retry 400, 403 or 404, and the error carries status, body and path but no secret', async () => {
    for (const status of [400, 403, 404]) {
      seen = [];
      answers.push({ status, body: '{"error_code":1,"error_description":"nope"}' });
      const err = await client().scoped(base, PROJECT.scope).react({ conversation_id: 'c', msgid: 'm', user: { id: 'u' }, type: 'react', emoji: '👍' }).catch((e: unknown) => e);
      expect(seen).toHaveLength(1);
      expect(err).toBeInstanceOf(AmojoError);
      const e = err as AmojoError;
      expect(e.upstreamStatus).toBe(status);
      expect(e.retryable).toBe(false);
      expect(e.body).toContain('nope');
      expect(e.path).toBe(`/v2/origin/custom/${PROJECT.scope}/react`);
      expect(`${e.message} ${JSON.stringify(e)}`).not.toContain(PROJECT.secret);
    }
  });

  it('takes a duplicate-msgid refusal as already delivered', async () => {
    answers.push({ status: 400, body: '{"error_code":400,"error_type":"duplicate_msgid","error_description":"message with msgid m1 already exists"}' });
    const r = await client()
      .scoped(base, PROJECT.scope)
      .sendMessage({ timestamp: 1, msec_timestamp: 1000, msgid: 'm1', conversation_id: 'c', sender: { id: 'u', name: 'U' }, message: { type: 'text', text: 'x' } });
    expect(r.alreadyDelivered).toBe(true);
  });

  it('sends delivery status with both documented field names, and error fields only for -1', async () => {
    answers.push({ status: 200 }, { status: 200 });
    const s = client().scoped(base, PROJECT.scope);
    await s.setDeliveryStatus('amojo-msg-1', { status: 2 });
    await s.setDeliveryStatus('amojo-msg-1', { status: -1, errorCode: 905, errorText: 'Visitor left' });
    expect(JSON.parse(seen[0]!.body.toString())).toEqual({ msgid: 'amojo-msg-1', delivery_status: 2, status_code: 2 });
    expect(JSON.parse(seen[1]!.body.toString())).toEqual({ msgid: 'amojo-msg-1', delivery_status: -1, status_code: -1, error_code: 905, error: 'Visitor left' });
    expect(seen[0]!.url).toBe(`/v2/origin/custom/${PROJECT.scope}/amojo-msg-1/delivery_status`);
  });

  it('reports a network failure as retryable amojo_unreachable', async () => {
    const c = createAmojoClient({ channelId: PROJECT.channel, channelSecret: PROJECT.secret, sleep: noSleep });
    const err = await c.connect('http://127.0.0.1:1', { accountAmojoId: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmojoError);
    expect((err as AmojoError).code).toBe('amojo_unreachable');
    expect((err as AmojoError).retryable).toBe(true);
  });
});
