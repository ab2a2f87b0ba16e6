/** The amoCRM emulator on its own port: OAuth grants, API shapes, problem+json, minted tokens. */
import { createHmac } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAmocrmEmulator, SANDBOX_ACCOUNT } from '../../server/sandbox/amocrm/index.js';

const OAUTH = { clientId: 'c1c1c1c1-0000-4000-8000-000000000000', clientSecret: 'emulator-test-secret-0123456789', redirectUri: 'http://localhost:3000/oauth/callback' };
let clock = 1_800_000_000_000;
const emulator = createAmocrmEmulator({ ...OAUTH, revokeHookUri: 'http://localhost:3000/oauth/revoked', now: () => clock });
let url = '';
let close: () => Promise<void>;
beforeAll(async () => ({ url, close } = await emulator.listen()));
afterAll(() => close());
beforeEach(() => {
  emulator.reset();
  clock += 10_000;
});

const token = (body: Record<string, unknown>) =>
  fetch(`${url}/oauth2/access_token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...OAUTH_BODY, ...body }) });
const OAUTH_BODY = { client_id: OAUTH.clientId, client_secret: OAUTH.clientSecret, redirect_uri: OAUTH.redirectUri };

async function firstPair() {
  const { code } = emulator.install();
  const res = await token({ grant_type: 'authorization_code', code });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; refresh_token: string; expires_in: number; token_type: string };
}

describe('OAuth', () => {
  it('builds the callback URL amoCRM calls after an install', () => {
    const { code, callbackUrl } = emulator.install({ state: 's1' });
    const u = new URL(callbackUrl);
    expect(`${u.origin}${u.pathname}`).toBe(OAUTH.redirectUri);
    expect(Object.fromEntries(u.searchParams)).toEqual({ code, referer: 'sandbox.amocrm.ru', state: 's1', from_widget: '1', platform: '1' });
  });

  it('exchanges a code once, and not after 20 minutes', async () => {
    const pair = await firstPair();
    expect(pair).toMatchObject({ token_type: 'Bearer', expires_in: 86400 });
    const { code } = emulator.install();
    clock += 21 * 60_000;
    const late = await token({ grant_type: 'authorization_code', code });
    expect(late.status).toBe(400);
    expect(late.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('refuses a foreign client or redirect URI', async () => {
    const { code } = emulator.install();
    expect((await token({ grant_type: 'authorization_code', code, client_secret: 'wrong' })).status).toBe(401);
    expect((await token({ grant_type: 'authorization_code', code, redirect_uri: 'https://elsewhere/cb' })).status).toBe(400);
  });

  it('rotates refresh tokens; a reused one is answered 401', async () => {
    const pair = await firstPair();
    const next = await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token });
    expect(next.status).toBe(200);
    const reused = await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token });
    expect(reused.status).toBe(401);
    expect(await reused.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
    expect(emulator.refreshCount(SANDBOX_ACCOUNT.id)).toBe(1);
  });

  it('answers 401 to expired or revoked access tokens', async () => {
    const pair = await firstPair();
    const get = () => fetch(`${url}/api/v4/account`, { headers: { Authorization: `Bearer ${pair.access_token}` } });
    expect((await get()).status).toBe(200);
    clock += 86_401_000;
    expect((await get()).status).toBe(401);
    const fresh = await firstPair();
    emulator.revokeGrant(SANDBOX_ACCOUNT.id);
    expect((await fetch(`${url}/api/v4/account`, { headers: { Authorization: `Bearer ${fresh.access_token}` } })).status).toBe(401);
    expect((await token({ grant_type: 'refresh_token', refresh_token: fresh.refresh_token })).status).toBe(401);
  });

  it('uninstall revokes every token of the account and hands back the signed disconnect-hook URL', async () => {
    const pair = await firstPair();
    const { hookUrl } = emulator.uninstall(SANDBOX_ACCOUNT.id);
    const u = new URL(hookUrl);
    expect(`${u.origin}${u.pathname}`).toBe('http://localhost:3000/oauth/revoked');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      account_id: String(SANDBOX_ACCOUNT.id),
      client_uuid: OAUTH.clientId,
      signature: createHmac('sha256', OAUTH.clientSecret).update(`${OAUTH.clientId}|${SANDBOX_ACCOUNT.id}`).digest('hex'),
    });
    expect((await fetch(`${url}/api/v4/account`, { headers: { Authorization: `Bearer ${pair.access_token}` } })).status).toBe(401);
    expect((await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })).status).toBe(401);
    // A reinstall issues tokens that work.
    const again = await firstPair();
    expect((await fetch(`${url}/api/v4/account`, { headers: { Authorization: `Bearer ${again.access_token}` } })).status).toBe(200);
  });
});

describe('API', () => {
  it('gives amojo_id only when asked, and users with rights.is_admin', async () => {
    const { access_token } = await firstPair();
    const h = { headers: { Authorization: `Bearer ${access_token}` } };
    const plain = (await (await fetch(`${url}/api/v4/account`, h)).json()) as Record<string, unknown>;
    expect(plain['amojo_id']).toBeUndefined();
    const withAmojo = await fetch(`${url}/api/v4/account?with=amojo_id`, h);
    expect(withAmojo.headers.get('content-type')).toMatch(/application\/hal\+json/);
    expect(await withAmojo.json()).toMatchObject({ id: SANDBOX_ACCOUNT.id, subdomain: 'sandbox', amojo_id: SANDBOX_ACCOUNT.amojoId });
    const users = (await (await fetch(`${url}/api/v4/users?with=amojo_id&limit=1`, h)).json()) as { _links: { next: { href: string } }; _embedded: { users: unknown[] } };
    expect(users).toMatchObject({ _page: 1, _page_count: 2, _total_items: 2 });
    expect(users._links.next.href).toContain('page=2');
    expect(users._embedded.users[0]).toMatchObject({ id: 40000001, amojo_id: expect.any(String), rights: { is_admin: true } });
    expect((await fetch(`${url}/api/v4/users?page=3&limit=1`, h)).status).toBe(204);
    const tooMany = await fetch(`${url}/api/v4/users?limit=251`, h);
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ 'validation-errors': expect.any(Array) });
    expect((await fetch(`${url}/api/v4/users/40000002`, h).then((r) => r.json())) as object).toMatchObject({ rights: { is_admin: false } });
    expect((await fetch(`${url}/api/v4/users/1`, h)).status).toBe(404);
  });
});

describe('one-time tokens', () => {
  it('are HS256 with the client secret and carry amoCRM claims', async () => {
    const t = await emulator.mintOneTimeToken({ userId: 40000002 });
    expect(decodeProtectedHeader(t).alg).toBe('HS256');
    const { payload } = await jwtVerify(t, new TextEncoder().encode(OAUTH.clientSecret), { currentDate: new Date(clock) });
    expect(payload).toMatchObject({
      iss: 'https://sandbox.amocrm.ru',
      aud: 'http://localhost:3000',
      account_id: SANDBOX_ACCOUNT.id,
      subdomain: 'sandbox',
      client_uuid: OAUTH.clientId,
      user_id: 40000002,
      is_admin: false,
    });
    expect(payload.exp! - payload.iat!).toBe(1800);
    expect(typeof payload.jti).toBe('string');
  });

  it('are minted over HTTP for the sandbox page', async () => {
    const res = await fetch(`${url}/_emulator/one-time-tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(201);
    const { token: t } = (await res.json()) as { token: string };
    expect(decodeJwt(t)).toMatchObject({ account_id: SANDBOX_ACCOUNT.id, is_admin: true });
  });
});
