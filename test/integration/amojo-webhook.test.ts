/**
 * `POST /amojo/webhook/:scope_id` over real HTTP: the signature, scope, shape and size checks of
 * product.md, storage before 200, repeats without a second effect, and durability across a restart.
 */
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { signWebhookBody } from '../../server/amojo/signing.js';
import { HOOK_JOB_KIND, type HookJobPayload } from '../../server/routes/amojo-webhook.js';
import type { JobHandler } from '../../server/bridge/job-runner.js';
import { startTestBackend, type TestBackend } from '../support/server.js';

const SCOPE = 'chan_acc-1';
let backends: TestBackend[] = [];

afterEach(async () => {
  for (const b of backends.reverse()) await b.stop();
  backends = [];
});

async function backend(opts: Parameters<typeof startTestBackend>[0] = {}): Promise<TestBackend> {
  const b = await startTestBackend({ startJobs: false, ...opts });
  backends.push(b);
  await b.services.store.accounts.setConnection(1, 'connected', { scope_id: SCOPE, amojo_id: 'acc-1' });
  return b;
}

/** Moves every stored hook into jobs (what the job runner does before a claim) and lists them. */
async function hookJobs(b: TestBackend) {
  while ((await b.services.store.inbound.dispatch(100)).taken > 0);
  return b.services.store.jobs.list({ kind: HOOK_JOB_KIND });
}

/** Nothing was stored: no hook waits in the inbox and no job exists. */
async function expectNothingStored(b: TestBackend) {
  expect(await b.services.store.inbound.countWaiting(10)).toBe(0);
  expect(await b.services.store.jobs.list()).toEqual([]);
}

function managerHook(amojoMsgId: string, text = 'Hello from the manager'): string {
  return JSON.stringify({
    account_id: 'acc-1',
    time: 1767261601,
    message: {
      receiver: { id: 'r-1', client_id: 'visitor-1', phone: '', email: '' },
      sender: { id: 'manager-1' },
      conversation: { id: 'chat-1', client_id: 'conv-1' },
      timestamp: 1767261600,
      msec_timestamp: 1767261600500,
      message: { id: amojoMsgId, type: 'text', text },
    },
  });
}

async function post(b: TestBackend, body: string | Buffer, opts: { scope?: string; signature?: string | null; secret?: string } = {}) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const sig = opts.signature === undefined ? signWebhookBody(opts.secret ?? b.config.channel.secret, bytes) : opts.signature;
  if (sig !== null) headers['x-signature'] = sig;
  const res = await fetch(`${b.url}/amojo/webhook/${opts.scope ?? SCOPE}`, { method: 'POST', headers, body: new Uint8Array(bytes) });
  return { status: res.status, json: (await res.json().catch(() => null)) as { error?: string } | null };
}

describe('amojo webhook intake', () => {
  it('stores a signed hook with its job before answering 200', async () => {
    const b = await backend();
    const res = await post(b, managerHook('m-1'));
    expect(res.status).toBe(200);
    expect(await b.services.store.inbound.countWaiting(10)).toBe(1);
    const jobs = await hookJobs(b);
    expect(jobs).toHaveLength(1);
    const payload = JSON.parse(jobs[0]!.payload) as HookJobPayload;
    expect(payload).toMatchObject({ scopeId: SCOPE, accountId: 1, event: { kind: 'message', message: { amojoMsgId: 'm-1', text: 'Hello from the manager' } } });
    expect(jobs[0]!.queue_key).toBe('chat:chat-1');
    expect(await b.services.store.inbound.has('msg:m-1')).toBe(true);
  });

  it('answers a repeated hook 200 with no second effect', async () => {
    const b = await backend();
    const body = managerHook('m-dup');
    const answers = await Promise.all([post(b, body), post(b, body), post(b, body)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await post(b, body)).toMatchObject({ status: 200 });
    expect(await hookJobs(b)).toHaveLength(1);
    expect(await post(b, body)).toMatchObject({ status: 200 });
    expect(await hookJobs(b)).toHaveLength(1);
  });

  it('refuses a bad, foreign or missing signature with 401 and stores nothing', async () => {
    const b = await backend();
    const body = managerHook('m-bad');
    expect((await post(b, body, { signature: null })).status).toBe(401);
    expect((await post(b, body, { signature: 'deadbeef' })).status).toBe(401);
    expect((await post(b, body, { secret: 'another-channel-secret-0000000000000000' })).status).toBe(401);
    const signedOther = signWebhookBody(b.config.channel.secret, Buffer.from(managerHook('m-other')));
    const tampered = await post(b, body, { signature: signedOther });
    expect(tampered).toMatchObject({ status: 401, json: { error: 'bad_signature' } });
    await expectNothingStored(b);
  });

  it('accepts a body with a trailing newline signed either raw or trimmed', async () => {
    const b = await backend();
    const body = managerHook('m-nl');
    const trimmedSig = signWebhookBody(b.config.channel.secret, Buffer.from(body));
    expect((await post(b, `${body}\n`, { signature: trimmedSig })).status).toBe(200);
    expect((await post(b, `${managerHook('m-nl2')}\n`)).status).toBe(200);
  });

  it('answers 404 for an unknown or disconnected scope', async () => {
    const b = await backend();
    expect(await post(b, managerHook('m-x'), { scope: 'chan_unknown' })).toMatchObject({ status: 404, json: { error: 'unknown_scope' } });
    await b.services.store.accounts.upsert(2, { connection_state: 'disconnected', scope_id: 'chan_acc-2' });
    expect((await post(b, managerHook('m-y'), { scope: 'chan_acc-2' })).status).toBe(404);
    await expectNothingStored(b);
  });

  it('answers 400 for a body that is not JSON or not a known hook shape', async () => {
    const b = await backend();
    expect(await post(b, 'not json{')).toMatchObject({ status: 400, json: { error: 'invalid_hook' } });
    expect(await post(b, JSON.stringify({ account_id: 'acc-1', hello: 'world' }))).toMatchObject({ status: 400 });
    expect(await post(b, JSON.stringify({ account_id: 'acc-1', message: { sender: { id: 's' } } }))).toMatchObject({ status: 400 });
    await expectNothingStored(b);
  });

  it('answers 413 for a body over 1 MB without reading it into a job', async () => {
    const b = await backend();
    const big = Buffer.alloc(1024 * 1024 + 10, 0x20);
    const res = await post(b, big);
    expect(res.status).toBe(413);
    expect(res.json?.error).toBe('payload_too_large');
    await expectNothingStored(b);
  });

  it('answers 413 for an oversize body sent without Content-Length, and 415 for a compressed one', async () => {
    const b = await backend();
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${b.url}/amojo/webhook/${SCOPE}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': 'a'.repeat(40) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      // Written in pieces, so the size is only known while reading.
      for (let i = 0; i < 17; i++) req.write(Buffer.alloc(64 * 1024, 0x20));
      req.end();
    });
    expect(chunked).toBe(413);
    const gz = gzipSync(Buffer.from(managerHook('m-gz')));
    const res = await fetch(`${b.url}/amojo/webhook/${SCOPE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-signature': signWebhookBody(b.config.channel.secret, gz) },
      body: new Uint8Array(gz),
    });
    expect(res.status).toBe(415);
    await expectNothingStored(b);
  });

  it('parses typing and reaction hooks and dedupes their repeats', async () => {
    const b = await backend();
    const typing = JSON.stringify({ account_id: 'acc-1', time: 1, action: { typing: { user: { id: 'manager-1' }, conversation: { id: 'chat-1', client_id: 'conv-1' }, expired_at: 1767262105 } } });
    const reaction = JSON.stringify({ account_id: 'acc-1', time: 2, action: { reaction: { msgid: 'm-1', user: { id: 'manager-1' }, conversation: { id: 'chat-1' }, type: 'react', emoji: '👍' } } });
    for (const body of [typing, typing, reaction, reaction]) expect((await post(b, body)).status).toBe(200);
    const kinds = (await hookJobs(b)).map((j) => (JSON.parse(j.payload) as HookJobPayload).event.kind);
    expect(kinds.sort()).toEqual(['reaction', 'typing']);
  });

  it('a hook answered 200 before a stop is processed exactly once by the next process', async () => {
    const first = await backend();
    expect((await post(first, managerHook('m-durable'))).status).toBe(200);
    const databaseUrl = first.databaseUrl;
    await first.stop({ keepData: true });
    backends = backends.filter((b) => b !== first);

    const processed: string[] = [];
    const counting: JobHandler<HookJobPayload> = {
      kind: HOOK_JOB_KIND,
      async perform(p) {
        if (p.event.kind === 'message') processed.push(p.event.message.amojoMsgId);
      },
    };
    const second = await startTestBackend({ databaseUrl, startJobs: false, serviceOptions: { jobHandlers: [counting as JobHandler] } });
    backends.push(second);
    await second.services.jobRunner.runReady();
    await second.services.jobRunner.runReady();
    expect(processed).toEqual(['m-durable']);
    // The same hook arriving again after the restart is still a repeat.
    expect((await post(second, managerHook('m-durable'))).status).toBe(200);
    await second.services.jobRunner.runReady();
    expect(processed).toEqual(['m-durable']);
  });
});
