/**
 * Where the amoCRM client keeps each account's OAuth tokens. The client depends on this small
 * shape, not on the store; `accountTokenStore` adapts the accounts repository.
 */
import type { AccountRepo, LockedTokenRows } from '../store/accounts-repo.js';
import type { OAuthTokenPair } from './schemas.js';

export interface StoredTokens extends OAuthTokenPair {
  /** Account host the tokens belong to, e.g. `example.amocrm.ru`. */
  host: string;
}

export interface TokenStore {
  get(accountId: number): Promise<StoredTokens | undefined>;
  /** Stores a fresh pair from a code exchange (creates the account if needed). */
  save(accountId: number, host: string, tokens: OAuthTokenPair): Promise<void>;
  /**
   * Replaces the pair only while the stored refresh token is still `expectedRefreshToken`, in one
   * statement; false when another writer got there first.
   */
  replace(accountId: number, expectedRefreshToken: string, tokens: OAuthTokenPair): Promise<boolean>;
  /**
   * Runs `fn` as the account's only refresher across every process sharing the store; `fn` reads
   * and replaces through the store it is given, which sees what the previous refresher committed.
   */
  exclusive<T>(accountId: number, fn: (tokens: RefreshingTokens) => Promise<T>): Promise<T>;
}

export type RefreshingTokens = Pick<TokenStore, 'get' | 'replace'>;

export function accountTokenStore(accounts: AccountRepo): TokenStore {
  return {
    ...tokenRows(accounts),
    save: (accountId, host, tokens) => accounts.saveTokens(accountId, host, tokens),
    exclusive: (accountId, fn) => accounts.withTokenLock(accountId, (locked) => fn(tokenRows(locked))),
  };
}

function tokenRows(rows: LockedTokenRows): RefreshingTokens {
  return {
    async get(accountId) {
      const row = await rows.get(accountId);
      if (!row || !row.host || !row.access_token || !row.refresh_token || row.token_expires_at === null) return undefined;
      return { host: row.host, accessToken: row.access_token, refreshToken: row.refresh_token, expiresAt: row.token_expires_at };
    },
    replace: (accountId, expected, tokens) => rows.replaceTokens(accountId, expected, tokens),
  };
}
