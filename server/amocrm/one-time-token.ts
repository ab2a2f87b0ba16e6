/**
 * Verifies the one-time token amoCRM attaches to the widget's `$authorizedAjax` calls as
 * `X-Auth-Token` (widget-and-oauth.md §4): HS256 only, keyed with the client secret, issued for our
 * integration (`client_uuid`) and our backend (`aud`), by an amoCRM account (`iss`), and inside its
 * validity window. Every refusal is a 401 with a code that says which check failed.
 */
import { errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { AuthError } from '../errors.js';
import { isAmoAccountHost } from '../amojo/hosts.js';

export interface OneTimeTokenOptions {
  clientId: string;
  clientSecret: string;
  /** The registered redirect URI; its scheme and host name are the expected `aud`. */
  redirectUri: string;
  now?: () => number;
  /** Clock skew accepted on `exp` / `nbf`, in seconds. */
  toleranceSec?: number;
}

export interface OneTimeTokenClaims {
  /** The tenant: every widget call acts on this account and no other. */
  accountId: number;
  userId: number | null;
  /** The `is_admin` claim; undefined when the token does not carry it. */
  isAdmin: boolean | undefined;
  subdomain: string | null;
  /** Account host from `iss`, e.g. `example.amocrm.ru`. */
  accountHost: string;
  jti: string;
  /** Unix ms of `exp`. */
  expiresAt: number;
}

export type OneTimeTokenVerifier = (token: string | undefined) => Promise<OneTimeTokenClaims>;

const MAX_TOKEN_LENGTH = 8192;

const positiveInt = z.union([
  z.number().int().positive(),
  z.string().regex(/^[1-9]\d{0,15}$/).transform(Number),
]);

const claimsSchema = z.object({
  iss: z.string().min(1),
  aud: z.union([z.string(), z.array(z.string())]),
  jti: z.string().min(1).max(200),
  exp: z.number(),
  account_id: positiveInt,
  client_uuid: z.string(),
  user_id: positiveInt.optional(),
  is_admin: z.boolean().optional(),
  subdomain: z.string().optional(),
});

/** `iss` formatting is unconfirmed (§4): with or without scheme and trailing slash. */
const ISS_PATTERN = /^(?:https?:\/\/)?([^/:?#\s]+)\/?$/i;

export function createOneTimeTokenVerifier(opts: OneTimeTokenOptions): OneTimeTokenVerifier {
  const key = new TextEncoder().encode(opts.clientSecret);
  const expected = new URL(opts.redirectUri);
  const now = opts.now ?? Date.now;
  const tolerance = opts.toleranceSec ?? 60;

  /**
   * amoCRM's own library compares `aud` with the redirect URI's scheme and host, without the port,
   * and what amoCRM puts in `aud` for a URI with a non-default port is unconfirmed (§4, unconfirmed
   * #11); so scheme and host name decide, and any port (or none) is accepted.
   */
  function audienceMatches(aud: string | string[]): boolean {
    return (Array.isArray(aud) ? aud : [aud]).some((value) => {
      try {
        const u = new URL(value);
        return u.protocol === expected.protocol && u.hostname.toLowerCase() === expected.hostname.toLowerCase();
      } catch {
        return false;
      }
    });
  }

  return async (token) => {
    if (!token) throw new AuthError('The X-Auth-Token header is missing.', 'missing_token');
    if (token.length > MAX_TOKEN_LENGTH) throw new AuthError('The one-time token is not valid.', 'invalid_token');
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        clockTolerance: tolerance,
        currentDate: new Date(now()),
        requiredClaims: ['exp', 'jti', 'iss', 'aud'],
      }));
    } catch (err) {
      throw mapJoseError(err);
    }
    const parsed = claimsSchema.safeParse(payload);
    if (!parsed.success) throw new AuthError('The one-time token lacks required claims.', 'invalid_token');
    const c = parsed.data;
    if (c.client_uuid !== opts.clientId) throw new AuthError('The one-time token was issued for another integration.', 'wrong_client');
    if (!audienceMatches(c.aud)) throw new AuthError('The one-time token was issued for another backend.', 'wrong_audience');
    const host = ISS_PATTERN.exec(c.iss.trim())?.[1]?.toLowerCase();
    if (!host || !isAmoAccountHost(host)) throw new AuthError('The one-time token was not issued by an amoCRM account.', 'wrong_issuer');
    if (c.subdomain !== undefined && host.split('.')[0] !== c.subdomain.toLowerCase()) {
      throw new AuthError('The one-time token names two different accounts.', 'wrong_issuer');
    }
    return {
      accountId: c.account_id,
      userId: c.user_id ?? null,
      isAdmin: c.is_admin,
      subdomain: c.subdomain ?? null,
      accountHost: host,
      jti: c.jti,
      expiresAt: c.exp * 1000,
    };
  };
}

function mapJoseError(err: unknown): AuthError {
  if (err instanceof joseErrors.JWTExpired) return new AuthError('The one-time token has expired.', 'token_expired');
  if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf') {
    return new AuthError('The one-time token is not valid yet.', 'token_not_yet_valid');
  }
  // Forged signature, other algorithm (`none` included), malformed token, missing claims.
  return new AuthError('The one-time token is not valid.', 'invalid_token');
}
