/**
 * Mints one-time tokens the way amoCRM does for `$authorizedAjax` (widget-and-oauth.md §4):
 * HS256 with the client secret, claims iss, aud, jti, iat, nbf, exp, account_id, subdomain,
 * client_uuid, user_id, is_admin. Used by the sandbox page and the tests.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { AmocrmState } from './state.js';
import type { MintOptions } from './types.js';

export interface MinterOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  now: () => number;
  defaultAccountId: () => number;
}

/** amoCRM's tokens live 30 minutes (§4). */
const TTL_SEC = 30 * 60;

export function createMinter(state: AmocrmState, opts: MinterOptions) {
  return async function mint(options: MintOptions = {}): Promise<string> {
    const account = state.account(options.accountId ?? opts.defaultAccountId());
    const userId = options.userId ?? state.firstAdmin(account);
    const user = account.users.find((u) => u.id === userId);
    const nowSec = Math.floor(opts.now() / 1000) + (options.offsetSec ?? 0);
    const payload: Record<string, unknown> = {
      iss: `https://${account.host}`,
      aud: new URL(opts.redirectUri).origin,
      jti: randomUUID(),
      iat: nowSec,
      nbf: nowSec,
      exp: nowSec + (options.ttlSec ?? TTL_SEC),
      account_id: account.id,
      subdomain: account.host.split('.')[0],
      client_uuid: opts.clientId,
      user_id: userId,
    };
    const isAdmin = options.isAdmin === undefined ? (user?.isAdmin ?? false) : options.isAdmin;
    if (isAdmin !== null) payload['is_admin'] = isAdmin;
    for (const [k, v] of Object.entries(options.claims ?? {})) {
      if (v === undefined) delete payload[k];
      else payload[k] = v;
    }
    const key = new TextEncoder().encode(options.secret ?? opts.clientSecret);
    return new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
  };
}
