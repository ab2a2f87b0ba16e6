/**
 * Whether amoCRM still honours an account's grant, asked with the account's own tokens. The
 * uninstall hook carries no nonce, so its signature alone cannot tell a real uninstall from a
 * replay; what amoCRM answers to the tokens can (widget-and-oauth.md §5.0: turning the
 * integration off revokes its tokens).
 */
import { AppError } from '../errors.js';
import type { AmocrmClient } from './client.js';
import { AmocrmError } from './errors.js';
import { TOKEN_PATH } from './oauth-tokens.js';

/**
 * amoCRM refused the grant itself: a REST call answered 401 even after a refresh, or the refresh
 * was refused (`invalid_grant`: 401 or, on amoCRM's token endpoint, 400).
 */
export function isGrantRefused(err: unknown): boolean {
  if (!(err instanceof AmocrmError)) return false;
  return err.upstreamStatus === 401 || (err.path === TOKEN_PATH && err.upstreamStatus === 400);
}

/**
 * `working` when amoCRM answers the account with its tokens, `gone` when there are none or amoCRM
 * refuses them. Anything else (no answer, 429, 5xx, an unexpected refusal) is thrown: nothing is
 * known, and the caller must not act as if the grant were gone.
 */
export async function checkGrant(amocrm: Pick<AmocrmClient, 'getAccount'>, accountId: number): Promise<'working' | 'gone'> {
  try {
    await amocrm.getAccount(accountId);
    return 'working';
  } catch (err) {
    if (isGrantRefused(err)) return 'gone';
    if (err instanceof AppError && err.code === 'not_installed') return 'gone';
    throw err;
  }
}
