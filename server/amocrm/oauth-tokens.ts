/**
 * OAuth tokens of each account (widget-and-oauth.md §5.2): code exchange, and refresh. Refresh
 * tokens rotate and are single-use, so refreshes are serialised per account: concurrent callers
 * await the same in-flight refresh, and the new pair replaces the old one atomically.
 *
 * The in-flight map is per process; across processes the store's `exclusive` (an advisory lock
 * on PostgreSQL) admits one refresher per account at a time, and whoever comes next reads the
 * rotated pair instead of spending the old refresh token a second time. The conditional replace
 * and the fallback after a refused refresh stay as a second line of defence.
 */
import { notInstalledError } from '../errors.js';
import { AmocrmError } from './errors.js';
import { errorFromResponse, parseJson, sendAmocrm, type RequestContext } from './http.js';
import { tokenResponseSchema, type OAuthTokenPair } from './schemas.js';
import type { RefreshingTokens, StoredTokens, TokenStore } from './token-store.js';

export interface OAuthTokensOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  tokens: TokenStore;
  baseUrlFor: (host: string) => string;
  request: RequestContext;
  now: () => number;
  /** Refresh this long before the access token expires. */
  refreshAheadMs: number;
}

export type OAuthTokens = ReturnType<typeof createOAuthTokens>;

/** The path of the token endpoint; a 400 there is amoCRM's `invalid_grant` for a dead refresh token. */
export const TOKEN_PATH = '/oauth2/access_token';

export function createOAuthTokens(opts: OAuthTokensOptions) {
  const inflight = new Map<number, Promise<StoredTokens>>();

  async function tokenRequest(host: string, grant: Record<string, string>): Promise<OAuthTokenPair> {
    const res = await sendAmocrm(opts.request, {
      method: 'POST',
      baseUrl: opts.baseUrlFor(host),
      path: TOKEN_PATH,
      limitKey: host,
      json: { client_id: opts.clientId, client_secret: opts.clientSecret, redirect_uri: opts.redirectUri, ...grant },
    });
    if (res.status >= 300) throw errorFromResponse('POST', TOKEN_PATH, res);
    const parsed = tokenResponseSchema.safeParse(parseJson(res.body));
    if (!parsed.success) throw new AmocrmError('POST', TOKEN_PATH, res.status, 'unexpected answer', parsed.error.issues[0]?.message);
    return {
      accessToken: parsed.data.access_token,
      refreshToken: parsed.data.refresh_token,
      expiresAt: opts.now() + parsed.data.expires_in * 1000,
    };
  }

  function isUsable(t: StoredTokens, staleAccessToken: string | undefined): boolean {
    if (staleAccessToken !== undefined && t.accessToken === staleAccessToken) return false;
    return t.expiresAt - opts.refreshAheadMs > opts.now();
  }

  async function refresh(tokens: RefreshingTokens, accountId: number, staleAccessToken: string | undefined): Promise<StoredTokens> {
    // Read again under the lock: a refresh that just finished (here or elsewhere) has already rotated the pair.
    const stored = await tokens.get(accountId);
    if (!stored) throw notInstalledError();
    if (isUsable(stored, staleAccessToken)) return stored;
    let pair: OAuthTokenPair;
    try {
      pair = await tokenRequest(stored.host, { grant_type: 'refresh_token', refresh_token: stored.refreshToken });
    } catch (err) {
      if (err instanceof AmocrmError && (err.upstreamStatus === 400 || err.upstreamStatus === 401)) {
        const now = await tokens.get(accountId);
        if (now && now.refreshToken !== stored.refreshToken) return now; // another process won the race
      }
      throw err;
    }
    if (await tokens.replace(accountId, stored.refreshToken, pair)) return { ...pair, host: stored.host };
    const now = await tokens.get(accountId);
    if (!now) throw notInstalledError(); // tokens were forgotten (uninstall) while we refreshed
    return now;
  }

  return {
    /** §5.2: exchange an install's authorization code for the first pair (not stored here). */
    exchangeCode(host: string, code: string): Promise<OAuthTokenPair> {
      return tokenRequest(host, { grant_type: 'authorization_code', code });
    },

    /**
     * Tokens good for at least `refreshAheadMs` more. Pass the access token amoCRM has just answered
     * 401 to, to get a pair other than that one.
     */
    async current(accountId: number, staleAccessToken?: string): Promise<StoredTokens> {
      const stored = await opts.tokens.get(accountId);
      if (!stored) throw notInstalledError();
      if (isUsable(stored, staleAccessToken)) return stored;
      let running = inflight.get(accountId);
      if (!running) {
        running = opts.tokens
          .exclusive(accountId, (tokens) => refresh(tokens, accountId, staleAccessToken))
          .finally(() => inflight.delete(accountId));
        inflight.set(accountId, running);
      }
      return running;
    },
  };
}
