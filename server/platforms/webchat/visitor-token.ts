/**
 * Visitor tokens: compact HS256 JWTs signed with APP_SECRET (or the secret generated on first
 * start). Signed and checked with node:crypto directly: a token is verified on every request and
 * the synchronous HMAC costs microseconds. A token names one conversation of one account and
 * carries a fingerprint of the site key it was issued under, so rotating the site key also
 * retires every token issued with the old one.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AuthError } from '../../errors.js';
import { asConversationId, type ConversationId } from '../../bridge/index.js';

const AUDIENCE = 'webchat-visitor';
const LIFETIME_SECONDS = 365 * 24 * 3600;
const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

const claimsSchema = z.object({
  sub: z.string().min(1).max(100),
  acc: z.number().int(),
  skf: z.string(),
  aud: z.literal(AUDIENCE),
  iat: z.number(),
  exp: z.number(),
});

export interface VisitorClaims {
  conversationId: ConversationId;
  accountId: number;
  /** Fingerprint of the site key the token was issued under. */
  siteKeyPrint: string;
}

export function siteKeyFingerprint(siteKey: string): string {
  return createHash('sha256').update(siteKey).digest('base64url').slice(0, 16);
}

function base64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

export function createVisitorTokens(getSecret: () => Promise<string>, now: () => number = Date.now) {
  let secret: Promise<string> | undefined;
  const key = (): Promise<string> => (secret ??= getSecret());
  const sign = (k: string, data: string): Buffer => createHmac('sha256', k).update(data).digest();
  const invalid = () => new AuthError('The visitor token is invalid or expired; start a new session.', 'invalid_token');

  return {
    async issue(conversationId: ConversationId, accountId: number, siteKey: string): Promise<string> {
      const iat = Math.floor(now() / 1000);
      const payload = base64url(JSON.stringify({ sub: conversationId, acc: accountId, skf: siteKeyFingerprint(siteKey), aud: AUDIENCE, iat, exp: iat + LIFETIME_SECONDS }));
      const data = `${HEADER}.${payload}`;
      return `${data}.${sign(await key(), data).toString('base64url')}`;
    },

    /** The token's claims, or AuthError (401) for anything forged, expired or malformed. */
    async verify(token: string): Promise<VisitorClaims> {
      const parts = token.split('.');
      if (parts.length !== 3 || parts[0] !== HEADER) throw invalid();
      const [header, payload, signature] = parts as [string, string, string];
      const expected = sign(await key(), `${header}.${payload}`);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      let claims: z.infer<typeof claimsSchema>;
      try {
        claims = claimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
      } catch {
        throw invalid();
      }
      if (claims.exp * 1000 <= now()) throw invalid();
      return { conversationId: asConversationId(claims.sub), accountId: claims.acc, siteKeyPrint: claims.skf };
    },
  };
}

export type VisitorTokens = ReturnType<typeof createVisitorTokens>;
