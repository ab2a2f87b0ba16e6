import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createOneTimeTokenVerifier } from '../../server/amocrm/one-time-token.js';

const SECRET = 'unit-test-client-secret-0123456789abcdef';
const CLIENT = '11111111-2222-4333-8444-555555555555';
const NOW = 1_800_000_000_000;

function sign(claims: Record<string, unknown>, secret = SECRET): Promise<string> {
  const s = Math.floor(NOW / 1000);
  return new SignJWT({
    iss: 'https://acme.amocrm.ru',
    aud: 'https://api.example.com',
    jti: 'jti-1',
    iat: s,
    nbf: s,
    exp: s + 1800,
    account_id: 42,
    subdomain: 'acme',
    client_uuid: CLIENT,
    user_id: 7,
    is_admin: true,
    ...claims,
  })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(secret));
}

const verifierFor = (redirectUri: string) => createOneTimeTokenVerifier({ clientId: CLIENT, clientSecret: SECRET, redirectUri, now: () => NOW });

describe('one-time token verification', () => {
  it('returns typed claims', async () => {
    const claims = await verifierFor('https://api.example.com/oauth/callback')(await sign({}));
    expect(claims).toEqual({ accountId: 42, userId: 7, isAdmin: true, subdomain: 'acme', accountHost: 'acme.amocrm.ru', jti: 'jti-1', expiresAt: (Math.floor(NOW / 1000) + 1800) * 1000 });
  });

  it('compares aud by scheme and host name: a redirect URI port may or may not be in aud', async () => {
    const verify = verifierFor('https://api.example.com:8443/oauth/callback');
    for (const aud of ['https://api.example.com', 'https://api.example.com:8443', 'https://api.example.com/', ['x', 'https://api.example.com']]) {
      await expect(verify(await sign({ aud }))).resolves.toMatchObject({ accountId: 42 });
    }
    for (const aud of ['http://api.example.com', 'https://other.example.com', 'api.example.com', 'https://api.example.com.evil.com']) {
      await expect(verify(await sign({ aud }))).rejects.toMatchObject({ status: 401, code: 'wrong_audience' });
    }
  });

  it('is lenient on the iss format but not on its domain', async () => {
    const verify = verifierFor('https://api.example.com/cb');
    for (const iss of ['https://acme.amocrm.ru', 'acme.amocrm.ru', 'https://acme.amocrm.ru/', 'HTTPS://ACME.AMOCRM.RU']) {
      await expect(verify(await sign({ iss }))).resolves.toMatchObject({ accountHost: 'acme.amocrm.ru' });
    }
    for (const iss of ['https://acme.example.com', 'https://acme.amocrm.ru.evil.com', 'https://acme.amocrm.ru/path', 'https://acme.amocrm.ru:444']) {
      await expect(verify(await sign({ iss }))).rejects.toMatchObject({ code: 'wrong_issuer' });
    }
    await expect(verify(await sign({ subdomain: 'other' }))).rejects.toMatchObject({ code: 'wrong_issuer' });
  });

  it('accepts clock skew up to 60 s and no more', async () => {
    const verify = verifierFor('https://api.example.com/cb');
    const s = Math.floor(NOW / 1000);
    await expect(verify(await sign({ exp: s - 30 }))).resolves.toBeDefined();
    await expect(verify(await sign({ nbf: s + 30 }))).resolves.toBeDefined();
    await expect(verify(await sign({ exp: s - 120 }))).rejects.toMatchObject({ code: 'token_expired' });
    await expect(verify(await sign({ nbf: s + 120 }))).rejects.toMatchObject({ code: 'token_not_yet_valid' });
  });

  it('refuses tokens without exp, with a bad account_id, or for another client', async () => {
    const verify = verifierFor('https://api.example.com/cb');
    await expect(verify(await sign({ exp: undefined }))).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(verify(await sign({ account_id: 0 }))).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(verify(await sign({ account_id: -5 }))).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(verify(await sign({ account_id: 1.5 }))).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(verify(await sign({ client_uuid: 'x' }))).rejects.toMatchObject({ code: 'wrong_client' });
    await expect(verify(await sign({}, 'another-secret'))).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(verify(undefined)).rejects.toMatchObject({ code: 'missing_token' });
  });

  it('reports a missing is_admin claim as undefined (the caller asks amoCRM)', async () => {
    const claims = await verifierFor('https://api.example.com/cb')(await sign({ is_admin: undefined }));
    expect(claims.isAdmin).toBeUndefined();
  });
});
