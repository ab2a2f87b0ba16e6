/**
 * `POST /oauth2/access_token` (widget-and-oauth.md §5.2): authorization-code and refresh-token
 * grants for the one integration the emulator knows. JSON or form bodies, like amoCRM.
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { problem } from './problem.js';
import type { AmocrmState } from './state.js';

const grantSchema = z.discriminatedUnion('grant_type', [
  z.object({
    grant_type: z.literal('authorization_code'),
    client_id: z.string(),
    client_secret: z.string(),
    redirect_uri: z.string(),
    code: z.string().min(1),
  }),
  z.object({
    grant_type: z.literal('refresh_token'),
    client_id: z.string(),
    client_secret: z.string(),
    redirect_uri: z.string(),
    refresh_token: z.string().min(1),
  }),
]);

export interface TokenEndpointOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  now: () => number;
}

export function handleTokenRequest(state: AmocrmState, opts: TokenEndpointOptions, body: unknown): { accountId: number; body: Record<string, unknown> } {
  const parsed = grantSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw problem(400, 'Bad Request', 'invalid_request', {
      'validation-errors': [{ request_id: '0', errors: [{ code: 'InvalidValue', path: issue?.path.join('.') ?? 'body', detail: issue?.message ?? 'invalid' }] }],
    });
  }
  const g = parsed.data;
  if (g.client_id !== opts.clientId || !sameSecret(g.client_secret, opts.clientSecret)) {
    throw problem(401, 'Unauthorized', 'invalid_client', { hint: 'Client authentication failed' });
  }
  if (g.redirect_uri !== opts.redirectUri) throw problem(400, 'Bad Request', 'invalid_request', { hint: 'redirect_uri does not match' });
  const pair = g.grant_type === 'authorization_code' ? state.exchangeCode(g.code) : state.refresh(g.refresh_token);
  return {
    accountId: pair.accountId,
    body: {
      token_type: 'Bearer',
      expires_in: pair.expiresIn,
      server_time: Math.floor(opts.now() / 1000),
      access_token: pair.accessToken,
      refresh_token: pair.refreshToken,
    },
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
