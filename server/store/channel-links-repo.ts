/**
 * Connections of accounts to the channels beyond the first (009), as `bridge/channel-links.ts`
 * reads and writes them. The unique (platform, lookup_key) index decides between two accounts
 * racing for the same bot.
 */
import type { Kysely } from 'kysely';
import type { ChannelLinkRow, ChannelLinkRows } from '../bridge/channel-links.js';
import type { ChannelConnectionsTable, Database } from './schema.js';

type Row = ChannelConnectionsTable;

function toLink(row: Row): ChannelLinkRow {
  let data: Record<string, unknown> = {};
  if (row.data) {
    const parsed: unknown = JSON.parse(row.data);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
  }
  return {
    accountId: Number(row.account_id),
    platform: row.platform,
    state: row.state,
    stateReason: row.state_reason,
    scopeId: row.scope_id,
    title: row.title,
    lookupKey: row.lookup_key,
    data,
  };
}

export function createChannelLinksRepo(db: Kysely<Database>, now: () => number = Date.now): ChannelLinkRows & { listConnected(platform: string): Promise<ChannelLinkRow[]> } {
  return {
    async get(accountId, platform) {
      const row = await db.selectFrom('channel_connections').selectAll().where('account_id', '=', accountId).where('platform', '=', platform).executeTakeFirst();
      return row && toLink(row);
    },
    async getByLookupKey(platform, lookupKey) {
      const row = await db.selectFrom('channel_connections').selectAll().where('platform', '=', platform).where('lookup_key', '=', lookupKey).executeTakeFirst();
      return row && toLink(row);
    },
    async getByScope(scopeId) {
      const row = await db.selectFrom('channel_connections').selectAll().where('scope_id', '=', scopeId).executeTakeFirst();
      return row && toLink(row);
    },
    async listConnected(platform) {
      const rows = await db.selectFrom('channel_connections').selectAll().where('platform', '=', platform).where('state', '=', 'connected').execute();
      return rows.map(toLink);
    },
    async save(link) {
      const values = {
        state: link.state,
        state_reason: link.stateReason,
        scope_id: link.scopeId,
        title: link.title,
        lookup_key: link.lookupKey,
        data: JSON.stringify(link.data),
        updated_at: now(),
      };
      try {
        await db
          .insertInto('channel_connections')
          .values({ account_id: link.accountId, platform: link.platform, ...values })
          .onConflict((oc) => oc.columns(['account_id', 'platform']).doUpdateSet(values))
          .execute();
        return true;
      } catch (err) {
        // Only the lookup key can collide here (the primary key is handled above).
        if (/unique|duplicate/i.test(String(err))) return false;
        throw err;
      }
    },
  };
}
