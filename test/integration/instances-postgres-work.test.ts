/**
 * Two real instances on one PostgreSQL database sharing the work, both running jobs:
 * - a file uploaded through A is served by B (no shared disk), whole and in ranges, with the same
 *   validator, and a range outside it answers 416 there too;
 * - one visitor's messages posted alternately to A and B reach amojo exactly once and in the order
 *   they were acknowledged, whichever instance's job runner sends them;
 * - A killed (SIGKILL) while its jobs are in flight at amojo: B, already running, takes them over
 *   once their lease runs out (never before: a live lease is never taken), and amojo gets each
 *   message once, in order. The lease is shortened here; with the default 12 s lease and its 4 s
 *   heartbeat, the takeover comes 8–12 s after the death plus a poll (product.md: within 15 s).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Visitor, waitFor } from './bridge-helpers.js';
import { exited } from '../support/backend-process.js';
import { startInstancePair, type InstancePair } from '../support/instance-pair.js';
import { postgresTestsEnabled } from '../support/postgres.js';

describe.skipIf(!postgresTestsEnabled())('two instances sharing the work on one PostgreSQL database', () => {
  let pair: InstancePair | undefined;
  afterEach(async () => {
    await pair?.stop();
    pair = undefined;
  });

  const textsAtAmojo = (p: InstancePair, conversationId: string): string[] => {
    const chat = p.emulator.chats(p.scopeId).find((c) => c.conversationId === conversationId);
    return chat ? p.emulator.messages(chat.id).map((m) => m.content.text ?? '') : [];
  };

  it('serves a file uploaded on A from B, whole and in ranges; sends alternate visitor messages once, in order', { timeout: 90_000 }, async () => {
    pair = await startInstancePair({ WEBCHAT_NO_LIMITS: '1' }, { jobsOnA: true });
    const { urlA, urlB, siteKey } = pair;
    const onA = await Visitor.open(urlA, siteKey, { name: 'Fiona' });

    // Larger than two database chunks, so ranges cross chunk boundaries.
    const bytes = randomBytes(700_000);
    const up = await onA.upload(bytes, 'report.pdf', 'application/pdf');
    expect(up.status).toBe(201);
    const urlOnA = new URL(String(up.body['url']));
    expect(urlOnA.origin).toBe(urlA);
    const urlOnB = `${urlB}${urlOnA.pathname}`;
    const whole = await fetch(urlOnB);
    expect(whole.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await whole.arrayBuffer()), bytes)).toBe(0);
    const part = await fetch(urlOnB, { headers: { range: 'bytes=262100-524300' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 262100-524300/${bytes.length}`);
    expect(Buffer.compare(Buffer.from(await part.arrayBuffer()), bytes.subarray(262100, 524301))).toBe(0);
    expect(whole.headers.get('etag')).toBe((await fetch(urlOnA.href, { method: 'HEAD' })).headers.get('etag'));
    const outside = await fetch(urlOnB, { headers: { range: `bytes=${bytes.length}-` } });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${bytes.length}`);

    // The same visitor (its token is valid on every instance) alternates between A and B.
    const v = await Visitor.open(urlA, siteKey, { name: 'Alex' });
    const onB = new Visitor(urlB, v.token, v.conversationId);
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) {
      const text = `alternating ${i} via ${i % 2 === 0 ? 'A' : 'B'}`;
      await (i % 2 === 0 ? v : onB).send(text);
      sent.push(text);
    }
    await waitFor(() => textsAtAmojo(pair!, v.conversationId).length >= sent.length, 20_000, 'all 30 messages at amojo');
    expect(textsAtAmojo(pair, v.conversationId)).toEqual(sent);
  });

  it('takes over the jobs of an instance killed mid-send once their lease runs out, sending each message once and in order', { timeout: 90_000 }, async () => {
    // A alone claims the visitors' messages; B starts after that and waits for A's leases.
    const leaseMs = 3_000;
    pair = await startInstancePair({ WEBCHAT_NO_LIMITS: '1', JOB_LEASE_MS: String(leaseMs) }, { jobsOnA: true, deferB: true });
    const { a, urlA, urlB, siteKey, emulator } = pair;
    const visitors = await Promise.all([0, 1, 2].map((i) => Visitor.open(urlA, siteKey, { name: `Kim ${i}` })));
    // amojo takes each message and answers only much later: A's sends are in flight when it dies.
    emulator.setDelay(300_000, { afterProcessing: true });
    const acked = new Map<string, string[]>(visitors.map((v) => [v.conversationId, []]));
    for (const v of visitors) {
      for (let n = 0; n < 3; n++) {
        const text = `before ${v.conversationId.slice(-6)} ${n}`;
        await v.send(text);
        acked.get(v.conversationId)!.push(text);
      }
    }
    // Each conversation's first message is at amojo, unanswered: a job A holds, in flight.
    await waitFor(() => visitors.every((v) => textsAtAmojo(pair!, v.conversationId).length === 1), 10_000, 'each first message at amojo');
    await pair.startB();

    a.proc.kill('SIGKILL');
    await exited(a.proc);
    const killedAt = Date.now();
    emulator.setDelay(0);
    for (const v of visitors) {
      const viaB = new Visitor(urlB, v.token, v.conversationId);
      const text = `after ${v.conversationId.slice(-6)}`;
      await viaB.send(text);
      acked.get(v.conversationId)!.push(text);
    }

    await waitFor(() => visitors.every((v) => textsAtAmojo(pair!, v.conversationId).length >= acked.get(v.conversationId)!.length), 20_000, 'every message at amojo');
    // A's last heartbeat renewed its leases at most a third of a lease before the kill: B cannot
    // have sent them sooner than the rest of the lease (it would have run a job A still held).
    const takeoverMs = Date.now() - killedAt;
    if (process.env['TAKEOVER_STATS']) process.stderr.write(`takeover after SIGKILL: ${takeoverMs} ms\n`);
    expect(takeoverMs).toBeGreaterThanOrEqual((leaseMs * 2) / 3);
    for (const v of visitors) expect(textsAtAmojo(pair, v.conversationId)).toEqual(acked.get(v.conversationId));
  });
});
