/**
 * The amoCRM client against the emulator over real HTTP: refresh once per account, rotation,
 * pacing to 7 requests/s (on a virtual clock), 429 and 5xx handed back to the caller, pages, and typed problem+json errors.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAmocrmClient } from '../../server/amocrm/client.js';
import { AmocrmError } from '../../server/amocrm/errors.js';
import type { OAuthTokenPair } from '../../server/amocrm/schemas.js';
import type { StoredTokens, TokenStore } from '../../server/amocrm/token-store.js';
import { httpByteTransport, type ByteTransport } from '../../server/net/byte-transport.js';
import { createAmocrmEmulator, SANDBOX_ACCOUNT, type EmulatedAccount } from '../../server/sandbox/amocrm/index.js';

const OAUTH = { clientId: 'c0ffee00-0000-4000-8000-000000000001', clientSecret: 'client-secret-for-tests-0123456789', redirectUri: 'https://backend.example.com/oauth/callback' };
const ID = SANDBOX_ACCOUNT.id;
const HOST = SANDBOX_ACCOUNT.host;

const BIG: EmulatedAccount = {
  id: 30000100,
  host: 'big.kommo.com',
  name: 'Big',
  amojoId: 'b1b1b1b1-0000-4000-8000-000000000000',
  users: Array.from({ length: 260 }, (_, i) => ({ id: 60000000 + i, name: `User ${i}`, email: `u${i}@big.example`, lang: 'en', amojoId: i % 2 ? null : `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, isAdmin: i === 0 })),
};
const EMPTY: EmulatedAccount = { id: 30000101, host: 'empty.kommo.com', name: 'Empty', amojoId: 'e0e0e0e0-0000-4000-8000-000000000000', users: [] };

function memoryTokens(): TokenStore & { rows: Map<number, StoredTokens> } {
  const rows = new Map<number, StoredTokens>();
  return {
    rows,
    exclusive(_id, fn) {
      return fn(this);
    },
    async get(id) {
      const r = rows.get(id);
      return r ? { ...r } : undefined;
    },
    async save(id, host, t) {
      rows.set(id, { ...t, host });
    },
    async replace(id, expected, t) {
      const r = rows.get(id);
      if (!r || r.refreshToken !== expected) return false;
      rows.set(id, { ...t, host: r.host });
      return true;
    },
  };
}

const emulator = createAmocrmEmulator({ ...OAUTH, accounts: [SANDBOX_ACCOUNT, BIG, EMPTY] });
let url = '';
let close: () => Promise<void>;
beforeAll(async () => {
  ({ url, close } = await emulator.listen());
});
afterAll(() => close());

let tokens: ReturnType<typeof memoryTokens>;
let client: ReturnType<typeof createAmocrmClient>;

async function installInto(accountId: number, host: string): Promise<OAuthTokenPair> {
  const { code } = emulator.install({ accountId });
  const pair = await client.exchangeCode(host, code);
  const account = await client.getAccountWithToken(host, pair.accessToken);
  expect(account.id).toBe(accountId);
  await tokens.save(account.id, host, pair);
  return pair;
}

beforeEach(async () => {
  emulator.reset();
  tokens = memoryTokens();
  client = createAmocrmClient({ ...OAUTH, apiBaseUrl: url, tokens });
  await installInto(ID, HOST);
});

describe('tokens', () => {
  it('reads the account with amojo_id', async () => {
    expect(await client.getAccount(ID)).toMatchObject({ id: ID, amojoId: SANDBOX_ACCOUNT.amojoId, subdomain: 'sandbox' });
    expect(emulator.refreshCount(ID)).toBe(0);
  });

  it('two concurrent calls with an expired access token cause exactly one refresh', async () => {
    const t = tokens.rows.get(ID)!;
    tokens.rows.set(ID, { ...t, expiresAt: Date.now() - 1000 });
    emulator.expireAccessTokens(ID);
    const [a, b] = await Promise.all([client.getAccount(ID), client.getAccount(ID)]);
    expect(a.id).toBe(ID);
    expect(b.id).toBe(ID);
    expect(emulator.refreshCount(ID)).toBe(1);
    const now = tokens.rows.get(ID)!;
    expect(now.refreshToken).not.toBe(t.refreshToken);
    expect(now.accessToken).not.toBe(t.accessToken);
    expect(now.expiresAt).toBeGreaterThan(Date.now() + 23 * 3600_000);
  });

  it('refreshes ahead of expiry (5 minutes before)', async () => {
    const t = tokens.rows.get(ID)!;
    tokens.rows.set(ID, { ...t, expiresAt: Date.now() + 60_000 });
    await client.getAccount(ID);
    expect(emulator.refreshCount(ID)).toBe(1);
  });

  it('refreshes once on a 401 amoCRM gives to a token we thought valid, for concurrent callers too', async () => {
    emulator.expireAccessTokens(ID);
    const results = await Promise.all([client.getAccount(ID), client.getAccount(ID), client.listUsers(ID)]);
    expect(results[0].id).toBe(ID);
    expect(emulator.refreshCount(ID)).toBe(1);
  });

  it('a reused refresh token is answered 401 by amoCRM (and the client reports it typed, without secrets)', async () => {
    const stale = tokens.rows.get(ID)!;
    tokens.rows.set(ID, { ...stale, expiresAt: 0 });
    await client.getAccount(ID); // spends stale.refreshToken
    expect(emulator.refreshCount(ID)).toBe(1);

    const res = await fetch(`${url}/oauth2/access_token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: OAUTH.clientId, client_secret: OAUTH.clientSecret, grant_type: 'refresh_token', refresh_token: stale.refreshToken, redirect_uri: OAUTH.redirectUri }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);

    // A process holding the old pair (no newer one stored) gets the typed 401.
    tokens.rows.set(ID, { ...stale, expiresAt: 0 });
    const err = await client.getAccount(ID).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmocrmError);
    expect((err as AmocrmError).upstreamStatus).toBe(401);
    expect((err as AmocrmError).path).toBe('/oauth2/access_token');
    const text = `${(err as Error).message} ${JSON.stringify(err)}`;
    for (const secret of [stale.accessToken, stale.refreshToken, OAUTH.clientSecret]) expect(text).not.toContain(secret);
  });

  it('a refresh lost to another writer falls back to the pair that writer stored', async () => {
    const stale = tokens.rows.get(ID)!;
    // Another process refreshed: it spent the refresh token and stored the new pair...
    const other = createAmocrmClient({ ...OAUTH, apiBaseUrl: url, tokens });
    tokens.rows.set(ID, { ...stale, expiresAt: 0 });
    await other.getAccount(ID);
    const winner = tokens.rows.get(ID)!;
    // ...while this process still acts on the stale access token.
    emulator.expireAccessTokens(ID);
    tokens.rows.set(ID, { ...winner, expiresAt: Date.now() + 3600_000 });
    expect((await client.getAccount(ID)).id).toBe(ID);
    expect(emulator.refreshCount(ID)).toBe(2);
  });

  it('without tokens the account is not installed (412)', async () => {
    await expect(client.getAccount(12345)).rejects.toMatchObject({ status: 412, code: 'not_installed' });
  });

  it('refuses to contact a host that is not an amoCRM account host when no base URL is set', async () => {
    const direct = createAmocrmClient({ ...OAUTH, tokens, transport: () => Promise.reject(new Error('must not be called')) });
    await expect(direct.exchangeCode('evil.example.com', 'x')).rejects.toMatchObject({ status: 400 });
  });
});

/**
 * The client and an emulator on one virtual clock. It moves only when the client waits (pacing,
 * backoff, Retry-After), and only once every request already sent has been answered, so what the
 * emulator's one-second window sees is the same on an idle machine and on a busy one.
 */
function virtualTime() {
  let t = Date.now();
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const allAnswered = (): Promise<void> => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve)));
  const transport: ByteTransport = async (req) => {
    inFlight++;
    try {
      return await httpByteTransport(req);
    } finally {
      if (--inFlight === 0) for (const resolve of waiting.splice(0)) resolve();
    }
  };
  return {
    now: () => t,
    async sleep(ms: number) {
      await allAnswered();
      t += ms;
    },
    transport,
  };
}

describe('pacing and retries', () => {
  const clock = virtualTime();
  const paced = createAmocrmEmulator({ ...OAUTH, accounts: [SANDBOX_ACCOUNT], now: clock.now });
  let pacedUrl = '';
  let closePaced: () => Promise<void>;
  let pacedTokens: ReturnType<typeof memoryTokens>;
  let pacedClient: ReturnType<typeof createAmocrmClient>;

  beforeAll(async () => {
    ({ url: pacedUrl, close: closePaced } = await paced.listen());
  });
  afterAll(() => closePaced());
  beforeEach(async () => {
    paced.reset();
    pacedTokens = memoryTokens();
    pacedClient = createAmocrmClient({ ...OAUTH, apiBaseUrl: pacedUrl, tokens: pacedTokens, ...clock });
    const pair = await pacedClient.exchangeCode(HOST, paced.install({ accountId: ID }).code);
    await pacedTokens.save((await pacedClient.getAccountWithToken(HOST, pair.accessToken)).id, HOST, pair);
  });
  const accountCalls = () => paced.requests().filter((r) => r.path.startsWith('/api/v4/account?'));

  it('never gets a 429 under a burst of 20 calls (it paces to 7 per second)', async () => {
    const started = clock.now();
    const all = await Promise.all(Array.from({ length: 20 }, () => pacedClient.getAccount(ID)));
    expect(all).toHaveLength(20);
    expect(accountCalls().map((r) => r.status)).toEqual(Array.from({ length: 21 }, () => 200));
    // The install took 2 of the first window's 7 slots: 5 + 7 + 7 + 1 calls over four windows.
    expect(clock.now() - started).toBe(3 * 1100);
  });

  it('the emulator does answer 429 beyond 7 requests per second', async () => {
    const { accessToken } = pacedTokens.rows.get(ID)!;
    const statuses = await Promise.all(
      Array.from({ length: 10 }, () => fetch(`${pacedUrl}/api/v4/account`, { headers: { Authorization: `Bearer ${accessToken}` } }).then((r) => r.status)),
    );
    // The install in beforeEach already spent one of this second's 7.
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
  });

  it('hands a forced 429 back with its Retry-After, and a 5xx as retryable, without repeating either', async () => {
    paced.failNext({ count: 1, status: 429, retryAfterSeconds: 1 });
    await expect(pacedClient.getAccount(ID)).rejects.toMatchObject({ upstreamStatus: 429, retryable: true, retryAfterMs: 1000 });
    paced.failNext({ count: 1, status: 503 });
    await expect(pacedClient.getAccount(ID)).rejects.toMatchObject({ upstreamStatus: 503, retryable: true });
    expect(accountCalls().map((r) => r.status).slice(-2)).toEqual([429, 503]);
    expect((await pacedClient.getAccount(ID)).id).toBe(ID);
  });

  it('turns problem+json into a typed error', async () => {
    const err = await pacedClient.getUser(ID, 99999).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmocrmError);
    expect(err).toMatchObject({ upstreamStatus: 404, title: 'Not Found', method: 'GET', path: '/api/v4/users/99999?with=amojo_id', status: 502, retryable: false });
  });
});

describe('users', () => {
  it('reads every page of users with amojo_id (limit 250)', async () => {
    await installInto(BIG.id, BIG.host);
    const users = await client.listUsers(BIG.id);
    expect(users).toHaveLength(260);
    expect(users[0]).toMatchObject({ id: 60000000, isAdmin: true, amojoId: expect.any(String) });
    expect(users[1]).toMatchObject({ amojoId: null, isAdmin: false });
    const pages = emulator.requests().filter((r) => r.path.startsWith('/api/v4/users')).map((r) => r.path);
    expect(pages).toEqual(['/api/v4/users?with=amojo_id&page=1&limit=250', '/api/v4/users?with=amojo_id&page=2&limit=250']);
  });

  it('treats 204 as no users', async () => {
    await installInto(EMPTY.id, EMPTY.host);
    expect(await client.listUsers(EMPTY.id)).toEqual([]);
  });

  it('reads one user with rights.is_admin', async () => {
    const manager = SANDBOX_ACCOUNT.users.find((u) => !u.isAdmin)!;
    expect(await client.getUser(ID, manager.id)).toMatchObject({ id: manager.id, isAdmin: false });
  });
});
