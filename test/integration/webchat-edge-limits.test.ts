/**
 * The website-chat edge as an attacker tries it, over real HTTP: client addresses that headers
 * cannot forge (with and without TRUST_PROXY), limiter memory that no header pattern grows, a
 * hammering visitor that cannot starve the rest of its site, per-conversation limits on every
 * action that becomes a Chats API call, caps on open event streams, and streams closed when the
 * site key is rotated.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NO_LIMIT, type WebchatLimitOverrides } from '../../server/platforms/webchat/index.js';
import { SANDBOX_ACCOUNT } from '../../server/sandbox/amocrm/index.js';
import { OTHER_ACCOUNT, emulators, install, widget } from '../support/amocrm.js';
import { testDialect } from '../support/dialect.js';
import { startTestBackend, type TestBackend } from '../support/server.js';
import { PNG_1X1, Visitor, startBridgeBackend, waitFor, type BridgeBackend } from './bridge-helpers.js';

let b: BridgeBackend | TestBackend | undefined;
afterEach(async () => {
  await b?.stop();
  b = undefined;
});

const start = (limits: WebchatLimitOverrides, env: Record<string, string> = {}) => startBridgeBackend({ env, serviceOptions: { webchat: { limits } } });

let n = 0;
/** A different, valid address each call (TEST-NET-3 and beyond). */
const freshIp = () => `198.${18 + Math.floor(++n / 65536)}.${Math.floor(n / 256) % 256}.${n % 256}`;

async function session(url: string, siteKey: string, xff?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/webchat/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(xff !== undefined ? { 'x-forwarded-for': xff } : {}) },
    body: JSON.stringify({ site_key: siteKey }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function statuses(count: number, one: (i: number) => Promise<{ status: number }>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await one(i)).status);
  return out;
}

describe('client address', () => {
  const limits = { sessions: { perIp: { burst: 3, perMinute: 1 } } };

  it('without TRUST_PROXY is the socket address: a fresh X-Forwarded-For each time does not escape the per-IP limit', async () => {
    const bb = (b = await start(limits));
    expect(await statuses(5, () => session(bb.url, bb.siteKey, freshIp()))).toEqual([201, 201, 201, 429, 429]);
  });

  it('with TRUST_PROXY=1 is the right-most hop: the left-most value cannot be picked', async () => {
    const bb = (b = await start(limits, { TRUST_PROXY: '1' }));
    expect(await statuses(4, (i) => session(bb.url, bb.siteKey, `${i % 2 ? 'spoof' : freshIp()}, 203.0.113.7`))).toEqual([201, 201, 201, 429]);
    // Another right-most address is another client.
    expect((await session(bb.url, bb.siteKey, `${freshIp()}, 203.0.113.8`)).status).toBe(201);
    // Header text that is no address is not a key: the client is the proxy's address.
    expect(await statuses(4, (i) => session(bb.url, bb.siteKey, `nonsense-${i}`))).toEqual([201, 201, 201, 429]);
  });

  it('with a list of proxy addresses and CIDRs is the first untrusted hop from the right', async () => {
    const bb = (b = await start(limits, { TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' }));
    expect(await statuses(4, () => session(bb.url, bb.siteKey, `${freshIp()}, 198.51.100.9, 10.1.2.3`))).toEqual([201, 201, 201, 429]);
    expect((await session(bb.url, bb.siteKey, `${freshIp()}, 198.51.100.10, 10.1.2.3`)).status).toBe(201);
  });

  // The bound is on the in-process limiters' key tables; on PostgreSQL the counts are rows of the
  // shared `rate_limits` table, which the limiter library expires by time, not by count.
  it.skipIf(testDialect === 'postgres')('keeps every limiter within its bound of keys under a flood of distinct large X-Forwarded-For headers', async () => {
    const bound = 300;
    const pad = 'x'.repeat(8 * 1024);
    async function flood(bb: BridgeBackend, count: number, xff: (i: number) => string): Promise<number[]> {
      const answers: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = next++; i < count; i = next++) answers.push((await session(bb.url, i % 10 === 0 ? bb.siteKey : `made-up-${i}-${pad.slice(0, 20)}`, xff(i))).status);
        }),
      );
      return answers;
    }
    const limits = { maxKeysPerLimiter: bound };

    const direct = (b = await start(limits));
    await flood(direct, 1000, (i) => `${pad}${i}`);
    expect(Object.values(direct.services.webchat.limiterKeys()).every((held) => held !== undefined && held <= 1)).toBe(true);
    await direct.stop();

    const proxied = (b = await start(limits, { TRUST_PROXY: '1' }));
    // Half distinct real addresses behind the proxy, half header text that is no address.
    const answers = await flood(proxied, 2000, (i) => (i % 2 ? `${pad}${i}, ${freshIp()}` : `${pad}${i}`));
    const held = proxied.services.webchat.limiterKeys();
    for (const [name, keys] of Object.entries(held)) expect(keys, name).toBeLessThanOrEqual(bound);
    expect(held['sessions.perIp']).toBe(bound);
    // Each address the table holds was let through once (a made-up key: 404); the rest shared the overflow bucket.
    expect(answers.filter((s) => s === 404 || s === 201).length).toBeGreaterThanOrEqual(bound - 1);
    expect(new Set(answers)).not.toContain(500);
  }, 60_000);
});

describe('shared buckets', () => {
  it('a visitor refused by its own limit spends nothing of its site’s: the next visitor still gets through', async () => {
    const bb = (b = await start({ messages: { perIp: NO_LIMIT, perSite: { burst: 8, perMinute: 1 }, perConversation: { burst: 3, perMinute: 1 } } }));
    const hammering = await Visitor.open(bb.url, bb.siteKey);
    const own = await statuses(40, (i) => hammering.post('/messages', { client_msgid: `h${i}`, text: 'spam' }));
    expect(own.filter((s) => s === 202)).toHaveLength(3);
    expect(own.slice(3).every((s) => s === 429)).toBe(true);
    const next = await Visitor.open(bb.url, bb.siteKey);
    expect(await statuses(3, (i) => next.post('/messages', { client_msgid: `n${i}`, text: 'hello' }))).toEqual([202, 202, 202]);
    // What is left of the site's 8 is exactly what the two accepted visitors did not use.
    const third = await Visitor.open(bb.url, bb.siteKey);
    expect(await statuses(3, (i) => third.post('/messages', { client_msgid: `t${i}`, text: 'hi' }))).toEqual([202, 202, 429]);
  });
});

describe('per-conversation limits', () => {
  it('limit every visitor action that becomes a Chats API call', async () => {
    const two = { burst: 2, perMinute: 1 };
    const bb = (b = await start({
      messages: { perConversation: { burst: 3, perMinute: 1 } },
      typing: { perConversation: two },
      reactions: { perConversation: two },
      reads: { perConversation: two },
      uploads: { perConversation: two },
    }));
    const v = await Visitor.open(bb.url, bb.siteKey);
    const msgid = await v.send('first');
    const edit = (i: number) => fetch(`${bb.url}/webchat/v1/messages/${msgid}`, { method: 'PATCH', headers: { authorization: `Bearer ${v.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: `edit ${i}` }) });
    const actions: Record<string, (i: number) => Promise<{ status: number }>> = {
      edits: edit,
      typing: () => v.post('/typing', {}),
      reactions: () => v.post('/reactions', { msgid, type: 'react', emoji: '👍' }),
      reads: () => v.post('/read', { msgid }),
      uploads: () => v.upload(PNG_1X1, 'p.png', 'image/png'),
    };
    for (const [name, act] of Object.entries(actions)) {
      const seen = await statuses(3, act);
      expect(seen.slice(0, 2).every((s) => s < 300), `${name}: ${seen}`).toBe(true);
      expect(seen[2], name).toBe(429);
    }
    // Another conversation has its own allowance.
    const other = await Visitor.open(bb.url, bb.siteKey);
    expect((await other.post('/typing', {})).status).toBe(204);
  });
});

/** Opens `/webchat/v1/events`; a refusal comes back as JSON, an open stream can be closed or awaited. */
async function openStream(url: string, token: string, xff?: string) {
  const abort = new AbortController();
  const res = await fetch(`${url}/webchat/v1/events`, { headers: { authorization: `Bearer ${token}`, ...(xff ? { 'x-forwarded-for': xff } : {}) }, signal: abort.signal });
  if (res.status !== 200) return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
  const reader = res.body!.getReader();
  await reader.read(); // `retry:` and `: connected`
  const ended = (async () => {
    try {
      while (!(await reader.read()).done);
    } catch {
      // aborted by this side
    }
  })();
  return { status: 200, close: () => abort.abort(), ended };
}

describe('event stream caps', () => {
  it('answers 429 beyond the per-address and the per-account cap, and frees a place when a stream closes', async () => {
    const bb = (b = await start({ streams: { perIp: 2, perAccount: 3 } }, { TRUST_PROXY: '1' }));
    const visitors = await Promise.all([1, 2, 3, 4, 5].map(() => Visitor.open(bb.url, bb.siteKey)));
    const [v1, v2, v3, v4, v5] = visitors as [Visitor, Visitor, Visitor, Visitor, Visitor];
    const a1 = await openStream(bb.url, v1.token, '203.0.113.1');
    await openStream(bb.url, v2.token, '203.0.113.1');
    const refusedIp = await openStream(bb.url, v3.token, '203.0.113.1');
    expect(refusedIp).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect(Number(refusedIp.retryAfter)).toBeGreaterThan(0);
    expect((await openStream(bb.url, v3.token, '203.0.113.2')).status).toBe(200);
    expect(await openStream(bb.url, v4.token, '203.0.113.3')).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect(bb.services.webchat.openStreams()).toBe(3);
    a1.close?.();
    await waitFor(() => bb.services.webchat.openStreams() === 2, 5000, 'the closed stream to be forgotten');
    expect((await openStream(bb.url, v4.token, '203.0.113.3')).status).toBe(200);
    expect((await openStream(bb.url, v5.token, '203.0.113.1')).status).toBe(429);
  });

  it('answers 503 beyond the process’s cap', async () => {
    const bb = (b = await start({ streams: { total: 2, perAccount: 10 } }));
    const visitors = await Promise.all([1, 2, 3].map(() => Visitor.open(bb.url, bb.siteKey)));
    for (const v of visitors.slice(0, 2)) expect((await openStream(bb.url, v.token)).status).toBe(200);
    const refused = await openStream(bb.url, visitors[2]!.token);
    expect(refused).toMatchObject({ status: 503, body: { error: 'server_busy' } });
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
  });
});

describe('site-key rotation', () => {
  it('closes the open streams of that account only', async () => {
    const tb = (b = await startTestBackend());
    emulators(tb).amocrm.addAccount(OTHER_ACCOUNT);
    for (const id of [SANDBOX_ACCOUNT.id, OTHER_ACCOUNT.id]) expect((await install(tb, id)).status).toBe(200);
    const siteKeyOf = async (accountId: number) => ((await widget(tb, 'GET', '/widget/status', { mint: { accountId } })).body as { webchat: { site_key: string } }).webchat.site_key;
    const mine = await Visitor.open(tb.url, await siteKeyOf(SANDBOX_ACCOUNT.id));
    const theirs = await Visitor.open(tb.url, await siteKeyOf(OTHER_ACCOUNT.id));
    const myStream = await openStream(tb.url, mine.token);
    const theirStream = await openStream(tb.url, theirs.token);
    expect(tb.services.webchat.openStreams()).toBe(2);

    const admin = SANDBOX_ACCOUNT.users.find((u) => u.isAdmin)!.id;
    expect((await widget(tb, 'POST', '/widget/site-key/rotate', { mint: { accountId: SANDBOX_ACCOUNT.id, userId: admin } })).status).toBe(200);
    await myStream.ended;
    expect(tb.services.webchat.openStreams()).toBe(1);
    // The page reconnects with its old token and is told to start again.
    expect((await openStream(tb.url, mine.token)).status).toBe(401);
    theirStream.close?.();
  });
});
