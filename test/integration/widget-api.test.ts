/**
 * The widget API over real HTTP: one-time token checks, admin rights, replay, tenant isolation,
 * amojo_id cross-check and CORS.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ACCOUNT } from '../../server/sandbox/amocrm/index.js';
import type { TestBackend } from '../support/server.js';
import { OTHER_ACCOUNT, emulators, install, startWithTwoAccounts, widget } from '../support/amocrm.js';

const A = SANDBOX_ACCOUNT.id;
const B = OTHER_ACCOUNT.id;
const ADMIN = SANDBOX_ACCOUNT.users.find((u) => u.isAdmin)!.id;
const MANAGER = SANDBOX_ACCOUNT.users.find((u) => !u.isAdmin)!.id;

let backend: TestBackend;

beforeAll(async () => {
  backend = await startWithTwoAccounts();
});
afterAll(() => backend.stop());

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

async function claimsOf(overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const token = await emulators(backend).amocrm.mintOneTimeToken({ claims: overrides });
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

describe('one-time token checks', () => {
  it.each<[string, () => Promise<string | null>, string]>([
    ['missing', async () => null, 'missing_token'],
    ['garbage', async () => 'not.a.token', 'invalid_token'],
    ['forged with another secret', () => emulators(backend).amocrm.mintOneTimeToken({ secret: 'somebody-elses-secret' }), 'invalid_token'],
    ['expired', () => emulators(backend).amocrm.mintOneTimeToken({ offsetSec: -3600, ttlSec: 1800 }), 'token_expired'],
    ['not yet valid', () => emulators(backend).amocrm.mintOneTimeToken({ offsetSec: 600 }), 'token_not_yet_valid'],
    ['for another audience', () => emulators(backend).amocrm.mintOneTimeToken({ claims: { aud: 'https://evil.example.com' } }), 'wrong_audience'],
    ['for another client', () => emulators(backend).amocrm.mintOneTimeToken({ claims: { client_uuid: 'f0000000-0000-4000-8000-000000000000' } }), 'wrong_client'],
    ['from a non-amoCRM issuer', () => emulators(backend).amocrm.mintOneTimeToken({ claims: { iss: 'https://evil.example.com' } }), 'wrong_issuer'],
    ['without jti', () => emulators(backend).amocrm.mintOneTimeToken({ claims: { jti: undefined } }), 'invalid_token'],
    ['with a non-numeric account_id', () => emulators(backend).amocrm.mintOneTimeToken({ claims: { account_id: 'x' } }), 'invalid_token'],
    ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(await claimsOf())}.`, 'invalid_token'],
    [
      'HS512 with the right secret',
      async () => new SignJWT(await claimsOf()).setProtectedHeader({ alg: 'HS512' }).sign(new TextEncoder().encode(backend.config.oauth.clientSecret)),
      'invalid_token',
    ],
  ])('refuses a token that is %s with 401', async (_name, make, code) => {
    const res = await widget(backend, 'GET', '/widget/status', { token: await make() });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: code, message: expect.any(String) });
  });

  it('accepts aud without the port of the redirect URI (amoCRM compares scheme and host)', async () => {
    const aud = new URL(backend.config.oauth.redirectUri);
    const res = await widget(backend, 'GET', '/widget/status', { mint: { claims: { aud: `${aud.protocol}//${aud.hostname}` } } });
    expect(res.status).toBe(200);
  });

  it('accepts iss without a scheme and with a trailing slash', async () => {
    for (const iss of ['sandbox.amocrm.ru', 'https://sandbox.amocrm.ru/']) {
      expect((await widget(backend, 'GET', '/widget/status', { mint: { claims: { iss } } })).status).toBe(200);
    }
  });

  it('refuses a jti used twice for a state change, but not for reading the status', async () => {
    const token = await emulators(backend).amocrm.mintOneTimeToken({ accountId: A });
    expect((await widget(backend, 'GET', '/widget/status', { token })).status).toBe(200);
    expect((await widget(backend, 'GET', '/widget/status', { token })).status).toBe(200);
    expect((await widget(backend, 'POST', '/widget/connect', { token })).status).toBe(200);
    const replay = await widget(backend, 'POST', '/widget/connect', { token });
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ error: 'token_replayed' });
    expect((await widget(backend, 'POST', '/widget/disconnect', { token })).status).toBe(401);
  });
});

describe('admin rights', () => {
  it('refuses connect and disconnect to a user whose token says is_admin false (403)', async () => {
    for (const path of ['/widget/connect', '/widget/disconnect']) {
      const res = await widget(backend, 'POST', path, { mint: { accountId: A, userId: MANAGER } });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: 'not_admin' });
    }
    expect((await backend.services.store.accounts.get(A))?.connection_state).toBe('connected');
  });

  it('asks amoCRM for the user rights when the token has no is_admin claim', async () => {
    const before = emulators(backend).amocrm.requests().length;
    const manager = await widget(backend, 'POST', '/widget/disconnect', { mint: { accountId: A, userId: MANAGER, isAdmin: null } });
    expect(manager.status).toBe(403);
    const admin = await widget(backend, 'POST', '/widget/connect', { mint: { accountId: A, userId: ADMIN, isAdmin: null } });
    expect(admin.status).toBe(200);
    const asked = emulators(backend).amocrm.requests().slice(before).map((r) => r.path.split('?')[0]);
    expect(asked).toContain(`/api/v4/users/${MANAGER}`);
    expect(asked).toContain(`/api/v4/users/${ADMIN}`);
  });

  it('lets a non-admin read the status', async () => {
    const res = await widget(backend, 'GET', '/widget/status', { mint: { accountId: A, userId: MANAGER } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connected: true });
  });
});

describe('tenant isolation', () => {
  it("never reads account B with account A's token, whatever the body or query says", async () => {
    const a = await widget(backend, 'GET', '/widget/status', { mint: { accountId: A }, query: `?account_id=${B}` });
    const rowA = await backend.services.store.accounts.get(A);
    const rowB = await backend.services.store.accounts.get(B);
    expect(a.body).toMatchObject({ scope_id: rowA?.scope_id });
    expect(JSON.stringify(a.body)).not.toContain(rowB!.site_key!);
    expect(JSON.stringify(a.body)).not.toContain(OTHER_ACCOUNT.amojoId);
  });

  it("never changes account B with account A's token", async () => {
    const res = await widget(backend, 'POST', '/widget/disconnect', { mint: { accountId: A }, query: `?account_id=${B}`, body: { account_id: B } });
    expect(res.status).toBe(200);
    expect((await backend.services.store.accounts.get(B))?.connection_state).toBe('connected');
    expect((await backend.services.store.accounts.get(A))?.connection_state).toBe('disconnected');

    // Claiming B's amojo_id with A's token is refused (A's real amojo_id comes from amoCRM).
    const hijack = await widget(backend, 'POST', '/widget/connect', { mint: { accountId: A }, body: { amojo_id: OTHER_ACCOUNT.amojoId } });
    expect(hijack.status).toBe(409);
    expect(hijack.body).toMatchObject({ error: 'amojo_id_mismatch' });
    expect((await backend.services.store.accounts.get(A))?.connection_state).toBe('disconnected');
    expect((await backend.services.store.accounts.get(B))).toMatchObject({ connection_state: 'connected', amojo_id: OTHER_ACCOUNT.amojoId });

    const ok = await widget(backend, 'POST', '/widget/connect', { mint: { accountId: A }, body: { amojo_id: SANDBOX_ACCOUNT.amojoId } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ connected: true, state: 'connected' });
  });

  it('does not let an account without tokens take over an amojo_id another account holds', async () => {
    const C = { ...OTHER_ACCOUNT, id: 30000003, host: 'third.amocrm.com', amojoId: 'e5f6a7b8-9c0d-4e1f-8a2b-3c4d5e6f7a80' };
    emulators(backend).amocrm.addAccount(C);
    const res = await widget(backend, 'POST', '/widget/connect', { mint: { accountId: C.id }, body: { amojo_id: OTHER_ACCOUNT.amojoId } });
    expect(res.status).toBe(412);
    expect(res.body).toMatchObject({ error: 'not_installed' });
    expect((await backend.services.store.accounts.get(B))?.connection_state).toBe('connected');
  });
});

describe('connect', () => {
  it('refuses a malformed amojo_id with 400', async () => {
    const res = await widget(backend, 'POST', '/widget/connect', { body: { amojo_id: 'not-a-uuid' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request' });
  });

  it('answers 412 not_installed, asking for an install, for an account without tokens and without an amojo_id', async () => {
    const D = { ...OTHER_ACCOUNT, id: 30000004, host: 'fourth.kommo.com', amojoId: 'f6a7b8c9-0d1e-4f2a-9b3c-4d5e6f7a8b90' };
    emulators(backend).amocrm.addAccount(D);
    const res = await widget(backend, 'POST', '/widget/connect', { mint: { accountId: D.id } });
    expect(res.status).toBe(412);
    expect(res.body).toMatchObject({ error: 'not_installed', message: expect.stringMatching(/install it again from the amoCRM \/ Kommo marketplace/) });
    const status = await widget(backend, 'GET', '/widget/status', { mint: { accountId: D.id } });
    expect(status.body).toMatchObject({ connected: false, state: 'not_connected', scope_id: null, webchat: null });
  });
});

describe('amojo_id squatting', () => {
  const OWNER = { ...OTHER_ACCOUNT, id: 30000005, host: 'owner.kommo.com', amojoId: 'a7b8c9d0-1e2f-4a3b-8c4d-5e6f7a8b9c01' };
  const SQUATTER = { ...OTHER_ACCOUNT, id: 30000006, host: 'squatter.kommo.com', amojoId: 'b8c9d0e1-2f3a-4b4c-9d5e-6f7a8b9c0d12' };

  it("an account without tokens cannot connect with the owner's amojo_id (412), and the owner then installs", async () => {
    emulators(backend).amocrm.addAccount(OWNER);
    emulators(backend).amocrm.addAccount(SQUATTER);
    const squat = await widget(backend, 'POST', '/widget/connect', { mint: { accountId: SQUATTER.id }, body: { amojo_id: OWNER.amojoId } });
    expect(squat.status).toBe(412);
    expect(squat.body).toMatchObject({ error: 'not_installed', message: expect.stringMatching(/install/) });
    expect(await backend.services.store.accounts.getByAmojoId(OWNER.amojoId)).toBeUndefined();
    expect(emulators(backend).amojo.connections().some((c) => c.accountId === OWNER.amojoId)).toBe(false);

    const page = await install(backend, OWNER.id, { 'Accept-Language': 'en' });
    expect(page.status).toBe(200);
    expect(await backend.services.store.accounts.get(OWNER.id)).toMatchObject({ amojo_id: OWNER.amojoId, connection_state: 'connected' });
  });

  it("an installed account claiming another account's amojo_id gets 409 and connects nothing", async () => {
    expect((await install(backend, SQUATTER.id)).status).toBe(200);
    await widget(backend, 'POST', '/widget/disconnect', { mint: { accountId: SQUATTER.id } });
    const claim = await widget(backend, 'POST', '/widget/connect', { mint: { accountId: SQUATTER.id }, body: { amojo_id: OWNER.amojoId } });
    expect(claim.status).toBe(409);
    expect(claim.body).toMatchObject({ error: 'amojo_id_mismatch' });
    expect(await backend.services.store.accounts.get(SQUATTER.id)).toMatchObject({ amojo_id: SQUATTER.amojoId, connection_state: 'disconnected' });
    expect(await backend.services.store.accounts.get(OWNER.id)).toMatchObject({ amojo_id: OWNER.amojoId, connection_state: 'connected' });
  });

  it('an account whose tokens amoCRM refuses gets 412 reauthorization_required and stays as it was', async () => {
    emulators(backend).amocrm.revokeGrant(SQUATTER.id);
    const res = await widget(backend, 'POST', '/widget/connect', { mint: { accountId: SQUATTER.id }, body: { amojo_id: SQUATTER.amojoId } });
    expect(res.status).toBe(412);
    expect(res.body).toMatchObject({ error: 'reauthorization_required', message: expect.stringMatching(/install it again/) });
    expect((await backend.services.store.accounts.get(SQUATTER.id))?.connection_state).toBe('disconnected');
  });
});

describe('CORS', () => {
  const preflight = (origin: string, path = '/widget/connect') =>
    fetch(`${backend.url}${path}`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-auth-token,content-type' },
    });

  it.each(['https://sandbox.amocrm.ru', 'https://acme.amocrm.com', 'https://acme-2.kommo.com'])('answers the preflight from %s', async (origin) => {
    const res = await preflight(origin);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/X-Auth-Token/i);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Content-Type/i);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(res.headers.get('access-control-max-age')).toBeTruthy();
    expect(res.headers.get('vary')).toMatch(/Origin/);
  });

  it.each(['https://evil.example.com', 'https://sandbox.amocrm.ru.evil.com', 'http://sandbox.amocrm.ru', 'https://a.b.kommo.com', 'null'])('refuses the preflight from %s', async (origin) => {
    const res = await preflight(origin);
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("allows the sandbox page's own origin in sandbox mode", async () => {
    const res = await preflight(new URL(backend.url).origin, '/widget/status');
    expect(res.status).toBe(204);
  });

  it('puts the allow-origin header on real answers (errors included) for amoCRM origins only', async () => {
    const ok = await widget(backend, 'GET', '/widget/status', { origin: 'https://sandbox.amocrm.ru' });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://sandbox.amocrm.ru');
    const refused = await widget(backend, 'GET', '/widget/status', { origin: 'https://sandbox.amocrm.ru', token: null });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://sandbox.amocrm.ru');
    const foreign = await widget(backend, 'GET', '/widget/status', { origin: 'https://evil.example.com' });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('website-chat key rotation', () => {
  it('lets only an admin rotate the key; the old snippet stops working, the new one works', async () => {
    const manager = await widget(backend, 'POST', '/widget/site-key/rotate', { mint: { accountId: A, userId: MANAGER } });
    expect(manager.status).toBe(403);
    const before = (await widget(backend, 'GET', '/widget/status', { mint: { accountId: A } })).body as { webchat: { site_key: string } };
    const oldKey = before.webchat.site_key;
    const session = (key: string) =>
      fetch(`${backend.url}/webchat/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ site_key: key }) });
    expect((await session(oldKey)).status).toBe(201);

    const rotated = await widget(backend, 'POST', '/widget/site-key/rotate', { mint: { accountId: A, userId: ADMIN } });
    expect(rotated.status).toBe(200);
    const newKey = (rotated.body as { webchat: { site_key: string; snippet: string } }).webchat.site_key;
    expect(newKey).not.toBe(oldKey);
    expect((rotated.body as { webchat: { snippet: string } }).webchat.snippet).toContain(newKey);
    expect((await session(oldKey)).status).toBe(404);
    expect((await session(newKey)).status).toBe(201);
    // Account B's key is untouched.
    const other = (await widget(backend, 'GET', '/widget/status', { mint: { accountId: B } })).body as { webchat: { site_key: string } };
    expect(other.webchat.site_key).not.toBe(newKey);
  });
});
