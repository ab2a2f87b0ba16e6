/**
 * Account settings (006): the bubble's settings an admin changed, the identity secret, and the
 * amoCRM source of each channel. The row is created on first read with a fresh identity secret;
 * two processes racing on it keep the secret inserted first.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The source that routes a channel's new chats into the pipeline the admin chose. */
export interface ChannelSource {
  pipelineId: number;
  /** amoCRM's id of the source (PATCH goes to it). */
  sourceId: number;
  /** Ours; sent with every message of the channel as `source.external_id`. */
  externalId: string;
}

export type ChannelSources = Partial<Record<string, ChannelSource>>;

export interface AccountSettingsRecord {
  /** Only what the admin changed; the caller merges it over the defaults. */
  webchat: Record<string, unknown>;
  identitySecret: string;
  sources: ChannelSources;
}

export type SettingsRepo = ReturnType<typeof createSettingsRepo>;

export function createSettingsRepo(db: Kysely<Database>, now: () => number = Date.now) {
  async function read(accountId: number): Promise<AccountSettingsRecord | undefined> {
    const row = await db.selectFrom('account_settings').selectAll().where('account_id', '=', accountId).executeTakeFirst();
    if (!row) return undefined;
    return { webchat: parseObject(row.webchat), identitySecret: row.identity_secret, sources: parseObject(row.channel_sources) as ChannelSources };
  }

  return {
    /** The account's settings, created (with a new identity secret) on first use. */
    async get(accountId: number): Promise<AccountSettingsRecord> {
      const found = await read(accountId);
      if (found) return found;
      await db
        .insertInto('account_settings')
        .values({ account_id: accountId, webchat: null, identity_secret: newIdentitySecret(), channel_sources: null, updated_at: now() })
        .onConflict((oc) => oc.column('account_id').doNothing())
        .execute();
      const created = await read(accountId);
      if (!created) throw new Error(`settings of account ${accountId} vanished`);
      return created;
    },

    /** The sources of the account's channels, without creating anything (the send path reads this). */
    async sourcesOf(accountId: number): Promise<ChannelSources> {
      return (await read(accountId))?.sources ?? {};
    },

    /** A new identity secret: hashes made with the old one stop working at once. */
    async rotateIdentitySecret(accountId: number): Promise<string> {
      await this.get(accountId);
      const secret = newIdentitySecret();
      await db.updateTable('account_settings').set({ identity_secret: secret, updated_at: now() }).where('account_id', '=', accountId).execute();
      return secret;
    },

    async save(accountId: number, patch: { webchat?: Record<string, unknown>; sources?: ChannelSources }): Promise<void> {
      await this.get(accountId);
      await db
        .updateTable('account_settings')
        .set({
          ...(patch.webchat ? { webchat: JSON.stringify(patch.webchat) } : {}),
          ...(patch.sources ? { channel_sources: JSON.stringify(patch.sources) } : {}),
          updated_at: now(),
        })
        .where('account_id', '=', accountId)
        .execute();
    },
  };
}

function parseObject(text: string | null): Record<string, unknown> {
  if (!text) return {};
  const value: unknown = JSON.parse(text);
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** 256 bits, hex: site owners paste it into their server code to compute `user_hash`. */
function newIdentitySecret(): string {
  return randomBytes(32).toString('hex');
}
