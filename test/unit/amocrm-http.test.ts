import { describe, expect, it } from 'vitest';
import { AmocrmError } from '../../server/amocrm/errors.js';
import { backoff, sendAmocrm, type RequestContext } from '../../server/amocrm/http.js';
import { parseRetryAfter } from '../../server/net/retry.js';
import type { ByteResponse } from '../../server/net/byte-transport.js';

function ctx(answers: Array<ByteResponse | Error>) {
  const seen: string[] = [];
  const slept: number[] = [];
  const c: RequestContext = {
    transport: async (req) => {
      seen.push(`${req.method} ${req.url}`);
      const a = answers.shift();
      if (!a) throw new Error('no more answers');
      if (a instanceof Error) throw a;
      return a;
    },
    limiter: { acquire: async () => {} },
    retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
    timeoutMs: 1000,
    sleep: async (ms) => {
      slept.push(ms);
    },
    random: () => 0.5,
  };
  return { c, seen, slept };
}

const res = (status: number, body = '', headers: Record<string, string> = {}): ByteResponse => ({ status, headers, body: Buffer.from(body) });
const req = { baseUrl: 'https://a.amocrm.ru', limitKey: 'a.amocrm.ru', accessToken: 'AT-secret' } as const;

describe('amoCRM request retries', () => {
  it('retries 429 on a write (it was not carried out), honouring Retry-After', async () => {
    const { c, seen, slept } = ctx([res(429, '', { 'retry-after': '2' }), res(200, '{}')]);
    expect((await sendAmocrm(c, { ...req, method: 'POST', path: '/oauth2/access_token', json: {} })).status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(slept).toEqual([2000]);
  });

  it('does not repeat a write whose answer was lost', async () => {
    const { c, seen } = ctx([Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })]);
    const err = await sendAmocrm(c, { ...req, method: 'POST', path: '/oauth2/access_token', json: { client_secret: 'CS-secret' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmocrmError);
    expect(err).toMatchObject({ upstreamStatus: 0, code: 'amocrm_unreachable', retryable: true });
    expect((err as Error).cause).toBeUndefined();
    expect(seen).toHaveLength(1);
  });

  it('repeats reads on network errors and 5xx, then gives up with a typed error', async () => {
    const { c, seen } = ctx([new Error('x'), res(502), res(503, JSON.stringify({ title: 'Service Unavailable', detail: 'maintenance', status: 503 }))]);
    const err = await sendAmocrm(c, { ...req, method: 'GET', path: '/api/v4/account' }).catch((e: unknown) => e);
    expect(seen).toHaveLength(3);
    expect(err).toMatchObject({ upstreamStatus: 503, title: 'Service Unavailable', detail: 'maintenance' });
    expect((err as Error).message).not.toContain('AT-secret');
  });

  it('hands 401 back to the caller (it refreshes) and never retries other 4xx', async () => {
    expect((await sendAmocrm(ctx([res(401)]).c, { ...req, method: 'GET', path: '/x' })).status).toBe(401);
    const { c, seen } = ctx([res(400, JSON.stringify({ title: 'Bad Request', 'validation-errors': [] }))]);
    await expect(sendAmocrm(c, { ...req, method: 'GET', path: '/x' })).rejects.toMatchObject({ upstreamStatus: 400, title: 'Bad Request' });
    expect(seen).toHaveLength(1);
  });

  it('backs off exponentially with jitter, capped', () => {
    const policy = { retry: { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 }, random: () => 1 };
    expect([1, 2, 3, 4, 5].map((a) => backoff(policy, a))).toEqual([100, 200, 400, 800, 1000]);
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
