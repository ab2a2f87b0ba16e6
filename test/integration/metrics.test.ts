/**
 * `GET /metrics` over real HTTP: the access rule of METRICS_TOKEN, the Prometheus text format, and
 * the figures after real traffic (a visitor message sent through to the amojo emulator, a manager
 * message arriving as a signed hook, refused hooks), with no secret in the output.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signWebhookBody } from '../../server/amojo/signing.js';
import { JOB_KINDS } from '../../server/bridge/job-kinds.js';
import { HOOK_JOB_KIND, WEBHOOK_BODY_LIMIT } from '../../server/routes/amojo-webhook.js';
import { parseExposition } from '../support/prometheus-text.js';
import { startTestBackend, type TestBackend } from '../support/server.js';
import { Visitor, chatOf, startBridgeBackend, waitFor, waitForEmulatorMessages, type BridgeBackend } from './bridge-helpers.js';

const METRICS_TOKEN = 'operator-metrics-token-0123456789';
let backends: TestBackend[] = [];

afterEach(async () => {
  for (const b of backends.splice(0).reverse()) await b.stop();
});

async function backend(env: Record<string, string> = {}): Promise<TestBackend> {
  const b = await startTestBackend({ env, startJobs: false });
  backends.push(b);
  return b;
}

async function scrape(b: TestBackend, headers: Record<string, string> = {}) {
  const res = await fetch(`${b.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), headers: res.headers, text: await res.text() };
}

describe('GET /metrics access', () => {
  it('with METRICS_TOKEN set, refuses a missing or wrong bearer token with 401 and answers the right one', async () => {
    const b = await backend({ METRICS_TOKEN });
    const refused: Array<Record<string, string>> = [{}, { authorization: `Bearer ${METRICS_TOKEN}-wrong` }, { authorization: `Basic ${METRICS_TOKEN}` }];
    for (const headers of refused) {
      const res = await scrape(b, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(JSON.parse(res.text)).toEqual({ error: 'unauthorized', message: expect.any(String) });
      expect(res.text).not.toContain(METRICS_TOKEN);
    }
    const ok = await scrape(b, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.text).not.toContain(METRICS_TOKEN);
    parseExposition(ok.text);
  });

  it('without METRICS_TOKEN, answers a loopback client, judged by the socket and not X-Forwarded-For', async () => {
    const b = await backend({ TRUST_PROXY: '1' });
    const res = await scrape(b, { 'x-forwarded-for': '203.0.113.7' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const m = parseExposition(res.text);
    expect(m.types.get('amochat_jobs')).toBe('gauge');
  });
});

describe('GET /metrics figures', () => {
  let b: BridgeBackend;

  async function postHook(body: Buffer, signature: string) {
    const res = await fetch(`${b.url}/amojo/webhook/${b.scopeId}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signature }, body: new Uint8Array(body) });
    return res.status;
  }

  it('counts real traffic with the expected labels, and shows no secret', async () => {
    b = await startBridgeBackend();
    backends.push(b);
    const v = await Visitor.open(b.url, b.siteKey, { name: 'Irina' });
    const stream = v.events();
    await stream.ready;
    await v.send('Hello, metrics');
    await waitForEmulatorMessages(b, v.conversationId, 1);
    const chatId = chatOf(b, v.conversationId)!.id;
    const sent = await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, text: 'Hello, visitor' });
    expect(sent.hookStatus).toBe(200);
    await stream.waitFor((e) => e.event === 'message' && e.data['from'] === 'manager');

    const junk = Buffer.from('{"not":"a hook"}');
    expect(await postHook(junk, 'f'.repeat(40))).toBe(401);
    expect(await postHook(junk, signWebhookBody(b.config.channel.secret, junk))).toBe(400);
    const huge = Buffer.alloc(WEBHOOK_BODY_LIMIT + 1, 0x20);
    expect(await postHook(huge, signWebhookBody(b.config.channel.secret, huge))).toBe(413);

    // The send job completes after amojo answered: wait until it is gone from the store.
    await waitFor(async () => (await b.services.store.jobs.list()).length === 0, 5000, 'jobs done');
    const res = await scrape(b);
    expect(res.status).toBe(200);
    const m = parseExposition(res.text);

    expect(m.value('amochat_webhooks_accepted_total')).toBe(1);
    expect(m.value('amochat_webhooks_refused_total', { reason: 'bad_signature' })).toBe(1);
    expect(m.value('amochat_webhooks_refused_total', { reason: 'invalid_hook' })).toBe(1);
    expect(m.value('amochat_webhooks_refused_total', { reason: 'payload_too_large' })).toBe(1);
    expect(m.value('amochat_webhooks_refused_total', { reason: 'unknown_scope' })).toBe(0);

    expect(m.types.get('amochat_upstream_request_duration_seconds')).toBe('histogram');
    // Connecting the channel and sending the message, at least.
    expect(m.value('amochat_upstream_request_duration_seconds_count', { service: 'amojo', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(m.value('amochat_upstream_request_duration_seconds_bucket', { service: 'amojo', status: '200', le: '+Inf' })).toBeGreaterThanOrEqual(2);

    expect(m.value('amochat_job_duration_seconds_count', { kind: JOB_KINDS.send, outcome: 'ok' })).toBe(1);
    expect(m.value('amochat_job_duration_seconds_count', { kind: HOOK_JOB_KIND, outcome: 'ok' })).toBe(1);
    expect(m.value('amochat_job_duration_seconds_sum', { kind: JOB_KINDS.send, outcome: 'ok' })).toBeGreaterThan(0);

    for (const state of ['pending', 'waiting', 'running', 'dead']) {
      expect(m.value('amochat_jobs', { kind: JOB_KINDS.send, state })).toBe(0);
      expect(m.value('amochat_jobs', { kind: HOOK_JOB_KIND, state })).toBe(0);
    }

    expect(m.value('amochat_event_streams_open')).toBe(1);
    for (const quantile of ['0.5', '0.99', '1']) expect(m.value('amochat_event_loop_delay_seconds', { quantile })).toBeGreaterThanOrEqual(0);
    expect(m.value('amochat_event_loop_utilization_ratio')).toBeGreaterThan(0);
    expect(m.value('amochat_process_memory_bytes', { type: 'rss' })).toBeGreaterThan(10_000_000);
    expect(m.value('amochat_process_memory_bytes', { type: 'heap_used' })).toBeGreaterThan(0);

    const appSecret = await b.services.store.kv.getOrCreate('app_secret', () => 'unused');
    for (const secret of [b.config.channel.secret, b.config.oauth.clientSecret, appSecret, v.token]) expect(res.text).not.toContain(secret);
    stream.close();
  });

  it('counts a job that is still waiting, and an amoCRM call', async () => {
    b = await startBridgeBackend({ startJobs: false });
    backends.push(b);
    const v = await Visitor.open(b.url, b.siteKey);
    await v.send('Waiting for the runner');
    await b.services.sandbox!.installDefaultAccount();
    const m = parseExposition((await scrape(b)).text);
    expect(m.value('amochat_jobs', { kind: JOB_KINDS.send, state: 'pending' })).toBe(1);
    expect(m.find('amochat_upstream_request_duration_seconds_count', { service: 'amocrm', status: '200' }).length).toBe(1);
    expect(m.value('amochat_event_streams_open')).toBe(0);
  });
});
