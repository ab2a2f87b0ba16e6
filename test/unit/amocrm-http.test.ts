import { describe, expect, it } from 'vitest';
import { AmocrmError } from '../../server/amocrm/errors.js';
import { sendAmocrm, type RequestContext } from '../../server/amocrm/http.js';
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
    timeoutMs: 1000,
    sleep: async (ms) => {
      slept.push(ms);
    },
  };
  return { c, seen, slept };
}

const res = (status: number, body = '', headers: Record<string, string> = {}): ByteResponse => ({ status, headers, body: Buffer.from(body) });
const req = { baseUrl: 'https://a.amocrm.ru', limitKey: 'a.amocrm.ru', accessToken: 'AT-secret' } as const;

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('amoCRM request retries', () => {
  it('hands a 429 back at once with its Retry-After (a job retries it; a request being answered reports it)', async () => {
    const { c, seen, slept } = ctx([res(429, '', { 'retry-after': '2' })]);
    const err = await sendAmocrm(c, { ...req, method: 'POST', path: '/oauth2/access_token', json: {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ upstreamStatus: 429, retryable: true, retryAfterMs: 2000 });
    expect(seen).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('does not repeat a write whose answer was lost', async () => {
    const { c, seen } = ctx([reset()]);
    const err = await sendAmocrm(c, { ...req, method: 'POST', path: '/oauth2/access_token', json: { client_secret: 'CS-secret' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmocrmError);
    expect(err).toMatchObject({ upstreamStatus: 0, code: 'amocrm_unreachable', retryable: true });
    expect((err as Error).cause).toBeUndefined();
    expect((err as Error).message).not.toContain('CS-secret');
    expect(seen).toHaveLength(1);
  });

  it('repeats a write once when the connection was refused (it never reached amoCRM)', async () => {
    const { c, seen } = ctx([refused(), res(200, '{}')]);
    expect((await sendAmocrm(c, { ...req, method: 'POST', path: '/oauth2/access_token', json: {} })).status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it('repeats a read once on a connection failure, never twice, and never on a 5xx', async () => {
    const twice = ctx([reset(), reset(), res(200, '{}')]);
    await expect(sendAmocrm(twice.c, { ...req, method: 'GET', path: '/api/v4/account' })).rejects.toMatchObject({ upstreamStatus: 0 });
    expect(twice.seen).toHaveLength(2);
    const { c, seen } = ctx([res(503, JSON.stringify({ title: 'Service Unavailable', detail: 'maintenance', status: 503 }))]);
    const err = await sendAmocrm(c, { ...req, method: 'GET', path: '/api/v4/account' }).catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(err).toMatchObject({ upstreamStatus: 503, title: 'Service Unavailable', detail: 'maintenance', retryable: true });
    expect((err as Error).message).not.toContain('AT-secret');
  });

  it('hands 401 back to the caller (it refreshes) and never retries other 4xx', async () => {
    expect((await sendAmocrm(ctx([res(401)]).c, { ...req, method: 'GET', path: '/x' })).status).toBe(401);
    const { c, seen } = ctx([res(400, JSON.stringify({ title: 'Bad Request', 'validation-errors': [] }))]);
    await expect(sendAmocrm(c, { ...req, method: 'GET', path: '/x' })).rejects.toMatchObject({ upstreamStatus: 400, title: 'Bad Request' });
    expect(seen).toHaveLength(1);
  });
});
