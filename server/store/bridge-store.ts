/**
 * The store as the bridge sees it (`bridge/ports.ts` BridgeStore): its repositories over the
 * database or, inside `transaction`, over one transaction, so a message, its timeline event and
 * its job commit together.
 */
import type { Kysely, Transaction } from 'kysely';
import { asScopeId, type ScopeId } from '../bridge/ids.js';
import type { BridgeRepos, BridgeStore } from '../bridge/ports.js';
import { createConversationRepo } from './conversations-repo.js';
import type { SqlDialect, StoreDb } from './db.js';
import { createFileRepo, createReactionRepo } from './files-repo.js';
import { finishJob, insertJobs, isQueueBusy } from './jobs-repo.js';
import { createMessageRepo } from './messages-repo.js';
import type { Database } from './schema.js';
import type { ChannelSources } from './settings-repo.js';
import { createTimelineRepo } from './timeline-repo.js';

type Db = Kysely<Database> | Transaction<Database>;

function reposOver(db: Db, dialect: SqlDialect, now: () => number): BridgeRepos {
  return {
    accounts: {
      async get(id) {
        // One statement (one round trip on PostgreSQL): a row per connected link beyond the first
        // channel, or one row with no link.
        const rows = await db
          .selectFrom('accounts')
          .leftJoin('account_settings', 'account_settings.account_id', 'accounts.id')
          .leftJoin('channel_connections', (join) =>
            join.onRef('channel_connections.account_id', '=', 'accounts.id').on('channel_connections.state', '=', 'connected'),
          )
          .select([
            'accounts.id',
            'accounts.connection_state',
            'accounts.scope_id',
            'accounts.host',
            'account_settings.channel_sources',
            'channel_connections.platform as link_platform',
            'channel_connections.scope_id as link_scope_id',
          ])
          .where('accounts.id', '=', id)
          .execute();
        const row = rows[0];
        if (!row) return undefined;
        const channelScopes: Record<string, ScopeId> = {};
        for (const l of rows) if (l.link_platform && l.link_scope_id) channelScopes[l.link_platform] = asScopeId(l.link_scope_id);
        return {
          id: Number(row.id),
          isConnected: row.connection_state === 'connected',
          scopeId: row.scope_id ? asScopeId(row.scope_id) : null,
          channelScopes,
          host: row.host,
          sourceExternalIds: externalIdsOf(row.channel_sources),
        };
      },
      async listConnectedIds() {
        const rows = await db.selectFrom('accounts').select('id').where('connection_state', '=', 'connected').execute();
        const links = await db.selectFrom('channel_connections').select('account_id').where('state', '=', 'connected').execute();
        return [...new Set([...rows.map((r) => Number(r.id)), ...links.map((r) => Number(r.account_id))])];
      },
    },
    conversations: createConversationRepo(db),
    messages: createMessageRepo(db, dialect, now),
    timeline: createTimelineRepo(db, dialect),
    reactions: createReactionRepo(db),
    files: createFileRepo(db),
    jobs: {
      async enqueue(jobs) {
        if (jobs.length > 0) await insertJobs(db, jobs, now(), dialect);
      },
      isQueueBusy: (queueKey) => isQueueBusy(db, dialect, queueKey),
      finish: (lease) => finishJob(db, dialect, lease, now()),
    },
  };
}

/** `channel_sources` JSON (settings-repo.ts) → the external id per platform. */
function externalIdsOf(json: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!json) return out;
  for (const [platform, source] of Object.entries(JSON.parse(json) as ChannelSources)) if (source) out[platform] = source.externalId;
  return out;
}

export function createBridgeStore(storeDb: StoreDb, now: () => number = Date.now): BridgeStore {
  // Every unit of one group commit gets the same transaction: its repositories are built once.
  const reposOf = new WeakMap<Transaction<Database>, BridgeRepos>();
  const over = (trx: Transaction<Database>): BridgeRepos => {
    let repos = reposOf.get(trx);
    if (!repos) reposOf.set(trx, (repos = reposOver(trx, storeDb.dialect, now)));
    return repos;
  };
  return {
    ...reposOver(storeDb.db, storeDb.dialect, now),
    // Both go through the store's group commit: concurrent callers share one transaction.
    // Survives a process crash; a power cut may take the newest of these, whose work then reruns
    // (jobs are deleted by later commits of the same log, so they come back with it).
    transaction: (fn) => storeDb.groupCommit((trx) => fn(over(trx))),
    // On disk before it resolves: what a visitor was told was accepted (202, 204).
    durableTransaction: (fn) => storeDb.groupCommit((trx) => fn(over(trx)), true),
  };
}
