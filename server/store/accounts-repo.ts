/**
 * Accounts: one row per amoCRM account that installed the integration, with its OAuth tokens,
 * its Chats API connection (amojo_id, scope_id) and its website-chat site key.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AccountRow, AccountUpdate, ConnectionState, Database } from './schema.js';
import type { SqlDialect } from './db.js';
import { LOCK_NAMESPACE, lockInTransaction } from './advisory-locks.js';

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  /** Unix ms when the access token expires. */
  expiresAt: number;
}

export type AccountRepo = ReturnType<typeof createAccountRepo>;

/** What a refresh under the account's token lock may do. */
export interface LockedTokenRows {
  get(id: number): Promise<AccountRow | undefined>;
  replaceTokens(id: number, expectedRefreshToken: string, tokens: OAuthTokens): Promise<boolean>;
}

/**
 * Refreshes of one process that hold a pooled connection at once, each across amoCRM's answer;
 * the others wait their turn, so that accounts whose tokens expire together leave the rest of
 * the pool (db.ts) to the message path.
 */
export const MAX_LOCKED_REFRESHES = 2;

/** Runs at most `limit` of the functions given to it at once, the others in arrival order. */
function concurrencyGate(limit: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

export function createAccountRepo(db: Kysely<Database>, now: () => number = Date.now, dialect: SqlDialect = 'sqlite') {
  const refreshGate = concurrencyGate(MAX_LOCKED_REFRESHES);
  return {
    /**
     * Runs `fn` as the only token refresher of the account across every instance: on PostgreSQL
     * inside a transaction holding the account's refresh lock (kept across amoCRM's answer, so a
     * second instance waits and then reads the rotated pair); `fn` reads and writes through the
     * repository it is given; at most MAX_LOCKED_REFRESHES of them at once. On SQLite there is one
     * instance, whose in-process single flight suffices.
     */
    async withTokenLock<T>(id: number, fn: (locked: LockedTokenRows) => Promise<T>): Promise<T> {
      if (dialect !== 'postgres') return fn(this);
      return refreshGate(() =>
        db.transaction().execute(async (trx) => {
          await lockInTransaction(trx, LOCK_NAMESPACE.oauthRefresh, id);
          return fn(createAccountRepo(trx, now, dialect));
        }),
      );
    },

    async get(id: number): Promise<AccountRow | undefined> {
      return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async getByScope(scopeId: string): Promise<AccountRow | undefined> {
      return db.selectFrom('accounts').selectAll().where('scope_id', '=', scopeId).executeTakeFirst();
    },

    async getBySiteKey(siteKey: string): Promise<AccountRow | undefined> {
      return db.selectFrom('accounts').selectAll().where('site_key', '=', siteKey).executeTakeFirst();
    },

    async getByAmojoId(amojoId: string): Promise<AccountRow | undefined> {
      return db.selectFrom('accounts').selectAll().where('amojo_id', '=', amojoId).executeTakeFirst();
    },

    async listConnected(): Promise<AccountRow[]> {
      return db.selectFrom('accounts').selectAll().where('connection_state', '=', 'connected').execute();
    },

    /** Creates the account row if missing (idempotent), then applies `patch`. */
    async upsert(id: number, patch: AccountUpdate = {}): Promise<AccountRow> {
      const t = now();
      await db
        .insertInto('accounts')
        .values({ id, connection_state: 'not_connected', created_at: t, updated_at: t })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      if (Object.keys(patch).length > 0) {
        await db.updateTable('accounts').set({ ...patch, updated_at: t }).where('id', '=', id).execute();
      }
      const row = await this.get(id);
      if (!row) throw new Error(`account ${id} vanished during upsert`);
      return row;
    },

    async saveTokens(id: number, host: string, tokens: OAuthTokens): Promise<void> {
      await this.upsert(id, {
        host,
        access_token: tokens.accessToken,
        refresh_token: tokens.refreshToken,
        token_expires_at: tokens.expiresAt,
      });
    },

    /**
     * Rotated refresh tokens are single-use: the new pair replaces the old one only while the row
     * still holds the refresh token that was spent, in one conditional UPDATE, so two writers (two
     * processes refreshing the same account) can never leave a stale pair behind. False when the
     * row had already moved on.
     */
    async replaceTokens(id: number, expectedRefreshToken: string, tokens: OAuthTokens): Promise<boolean> {
      const res = await db
        .updateTable('accounts')
        .set({ access_token: tokens.accessToken, refresh_token: tokens.refreshToken, token_expires_at: tokens.expiresAt, updated_at: now() })
        .where('id', '=', id)
        .where('refresh_token', '=', expectedRefreshToken)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    async forgetTokens(id: number): Promise<void> {
      await db
        .updateTable('accounts')
        .set({ access_token: null, refresh_token: null, token_expires_at: null, updated_at: now() })
        .where('id', '=', id)
        .execute();
    },

    async setConnection(
      id: number,
      state: ConnectionState,
      fields: { scope_id?: string | null; amojo_id?: string | null; title?: string | null; state_reason?: string | null } = {},
    ): Promise<AccountRow> {
      return this.upsert(id, { connection_state: state, state_reason: null, ...fields });
    },

    /** The account's site key, created on first use. */
    async ensureSiteKey(id: number): Promise<string> {
      const row = await this.upsert(id);
      if (row.site_key) return row.site_key;
      const key = newSiteKey();
      await db.updateTable('accounts').set({ site_key: key, updated_at: now() }).where('id', '=', id).where('site_key', 'is', null).execute();
      const after = await this.get(id);
      return after?.site_key ?? key;
    },

    /** Replaces the site key; snippets with the old key stop working. */
    async rotateSiteKey(id: number): Promise<string> {
      const key = newSiteKey();
      await this.upsert(id, { site_key: key });
      return key;
    },
  };
}

/** Site keys are public (they sit in websites' HTML) but unguessable, so nobody can enumerate accounts. */
function newSiteKey(): string {
  return `sk_${randomBytes(16).toString('base64url')}`;
}
