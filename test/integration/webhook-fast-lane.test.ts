/**
 * The hook routes' fast lane (server/http/fast-lane.ts) over real HTTP against the real backend:
 * every refusal keeps the status, JSON body, log line and metric of the app's error handling;
 * requests the lane must not take reach the Express app as before; a 200 means the hook is
 * committed. The routing rules themselves are in test/unit/fast-lane.test.ts.
 */
import http from 'node:http';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { signWebhookBody } from '../../server/amojo/signing.js';
import { createLogger } from '../../server/log.js';
import { WEBHOOK_BODY_LIMIT } from '../../server/routes/amojo-webhook.js';
import { testDialect } from '../support/dialect.js';
import { parseExposition } from '../support/prometheus-text.js';
import { startTestBackend, type TestBackend } from '../support/server.js';

const SCOPE = 'chan_acc-1';
let backends: TestBackend[] = [];

afterEach(async () => {
  for (const b of backends.splice(0).reverse()) await b.stop();
});

/** A backend with one connected account, logging at warn into `lines`. */
async function backend() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const b = await startTestBackend({ startJobs: false, logger: createLogger({ level: 'warn', secrets: [], destination }) });
  backends.push(b);
  await b.services.store.accounts.setConnection(1, 'connected', { scope_id: SCOPE, amojo_id: 'acc-1' });
  return { b, lines };
}

function managerHook(amojoMsgId: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      account_id: 'acc-1',
      message: { sender: { id: 'manager-1' }, conversation: { id: 'chat-1', client_id: 'conv-1' }, msec_timestamp: 1767261600500, message: { id: amojoMsgId, type: 'text', text: 'Hello' } },
    }),
  );
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** One request with exactly these headers (no Content-Length unless given: then chunked). */
function send(b: TestBackend, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${b.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function hook(b: TestBackend, body: Buffer, opts: { scope?: string; path?: string; signature?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers = { 'content-type': 'application/json', 'content-length': String(body.length), 'x-signature': opts.signature ?? signWebhookBody(b.config.channel.secret, body), ...opts.headers };
  return send(b, 'POST', opts.path ?? `/amojo/webhook/${opts.scope ?? SCOPE}`, headers, body);
}

async function refusals(b: TestBackend): Promise<Record<string, number | undefined>> {
  const text = await (await fetch(`${b.url}/metrics`)).text();
  const m = parseExposition(text);
  const reasons = ['bad_signature', 'unknown_scope', 'invalid_hook', 'payload_too_large', 'unsupported_media_type', 'internal_error'];
  return Object.fromEntries(reasons.map((reason) => [reason, m.value('amochat_webhooks_refused_total', { reason })]));
}

describe('the webhook fast lane', () => {
  it('answers each refusal with its status and JSON body, counts it, and logs the error-handler refusals', async () => {
    const { b, lines } = await backend();
    const body = managerHook('m-1');
    expect(await hook(b, body, { signature: 'f'.repeat(40) })).toMatchObject({ status: 401, body: { error: 'bad_signature', message: 'X-Signature does not match the body.' } });
    expect(await hook(b, body, { scope: 'chan_nobody' })).toMatchObject({ status: 404, body: { error: 'unknown_scope', message: 'No connected account has this scope_id.' } });
    const junk = Buffer.from('{"account_id":');
    expect(await hook(b, junk)).toMatchObject({ status: 400, body: { error: 'invalid_hook', message: 'The body is not JSON.' } });

    const huge = Buffer.alloc(WEBHOOK_BODY_LIMIT + 1, 0x20);
    const tooLarge = await hook(b, huge);
    expect(tooLarge).toMatchObject({ status: 413, body: { error: 'payload_too_large', message: `The request body is larger than ${WEBHOOK_BODY_LIMIT} bytes.` } });
    expect(tooLarge.headers['content-type']).toBe('application/json; charset=utf-8');
    const chunked = await send(b, 'POST', `/amojo/webhook/${SCOPE}`, { 'content-type': 'application/json', 'x-signature': 'f'.repeat(40) }, huge);
    expect(chunked).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });

    const gz = gzipSync(body);
    const compressed = await hook(b, gz, { headers: { 'content-encoding': 'gzip' } });
    expect(compressed).toMatchObject({ status: 415, body: { error: 'unsupported_media_type', message: 'Content-Encoding gzip is not accepted; send the body uncompressed.' } });

    expect(await refusals(b)).toEqual({ bad_signature: 1, unknown_scope: 1, invalid_hook: 1, payload_too_large: 2, unsupported_media_type: 1, internal_error: 0 });
    const logged = lines.filter((l) => l['msg'] === 'client error');
    expect(logged.map((l) => [l['status'], l['error'], l['url'], l['method']])).toEqual([
      [413, 'payload_too_large', `/amojo/webhook/${SCOPE}`, 'POST'],
      [413, 'payload_too_large', `/amojo/webhook/${SCOPE}`, 'POST'],
      [415, 'unsupported_media_type', `/amojo/webhook/${SCOPE}`, 'POST'],
    ]);
    expect(await b.services.store.inbound.countWaiting(10)).toBe(0);
  });

  it('answers a failure to store with 500 internal_error, logged with the request and counted', async () => {
    const { b, lines } = await backend();
    const { inbound } = b.services.store;
    const record = inbound.record;
    inbound.record = () => Promise.reject(new Error('disk on fire'));
    try {
      const res = await hook(b, managerHook('m-500'));
      expect(res).toMatchObject({ status: 500, body: { error: 'internal_error', message: 'Internal error.' } });
    } finally {
      inbound.record = record;
    }
    const failed = lines.filter((l) => l['msg'] === 'request failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ level: 50, method: 'POST', url: `/amojo/webhook/${SCOPE}`, err: { message: 'disk on fire' } });
    expect((await refusals(b))['internal_error']).toBe(1);
    // The intake works again once the store does.
    expect((await hook(b, managerHook('m-after'))).status).toBe(200);
  });

  it('leaves other methods and paths to the Express app', async () => {
    const { b } = await backend();
    const notFound = { status: 404, body: { error: 'not_found', message: 'No such route.' } };
    expect(await send(b, 'GET', `/amojo/webhook/${SCOPE}`, {})).toMatchObject(notFound);
    expect(await send(b, 'PUT', `/amojo/webhook/${SCOPE}`, { 'content-length': '2' }, Buffer.from('{}'))).toMatchObject(notFound);
    expect(await hook(b, managerHook('m-1'), { path: '/amojo/webhook/' })).toMatchObject(notFound);
    expect(await hook(b, managerHook('m-1'), { path: `/amojo/webhook/${SCOPE}/more` })).toMatchObject(notFound);
    expect(await hook(b, managerHook('m-1'), { path: '/amojo/webhooks/x' })).toMatchObject(notFound);
    await expect(b.services.store.inbound.countWaiting(10)).resolves.toBe(0);
  });

  it('leaves other spellings of the route to the Express route, which answers them as before', async () => {
    const { b } = await backend();
    expect((await hook(b, managerHook('m-slash'), { path: `/amojo/webhook/${SCOPE}/` })).status).toBe(200);
    expect((await hook(b, managerHook('m-encoded'), { path: '/amojo/webhook/chan%5Facc-1' })).status).toBe(200);
    expect((await hook(b, managerHook('m-case'), { path: `/Amojo/Webhook/${SCOPE}` })).status).toBe(200);
    expect((await hook(b, managerHook('m-query'), { path: `/amojo/webhook/${SCOPE}?from=amocrm` })).status).toBe(200);
    expect(await b.services.store.inbound.countWaiting(10)).toBe(4);
    expect(await hook(b, managerHook('m-1'), { path: '/amojo/webhook/%E0%A4%A' })).toMatchObject({ status: 400, body: { error: 'bad_request' } });
  });

  it.runIf(testDialect === 'sqlite')('answers 200 only once the hook is committed to the database file', async () => {
    const { b } = await backend();
    const res = await hook(b, managerHook('m-durable'));
    expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
    // Another connection to the same file sees it: the commit happened before the answer.
    const file = b.databaseUrl.slice('sqlite:'.length);
    const other = new Database(file, { readonly: true });
    try {
      const rows = other.prepare('SELECT dedupe_key FROM inbound_hooks').all() as Array<{ dedupe_key: string }>;
      expect(rows.map((r) => r.dedupe_key)).toEqual(['msg:m-durable']);
    } finally {
      other.close();
    }
  });
});
