/**
 * The store: the database handle plus one repository per table group. Everything outside
 * `store/` sees repositories, never SQL.
 */
import { openDatabase, type StoreDb } from './db.js';
import { createAccountRepo } from './accounts-repo.js';
import { createKvRepo } from './kv-repo.js';
import { createSettingsRepo } from './settings-repo.js';
import { createUsedTokenRepo } from './used-token-repo.js';
import { createJobRepo } from './jobs-repo.js';
import { createInboundRepo } from './inbound-repo.js';
import { createJobQueue } from './job-queue.js';
import { createBridgeStore } from './bridge-store.js';
import { createChannelLinksRepo } from './channel-links-repo.js';
import { purgeExpired } from './housekeeping.js';
import { countJobsByKindAndState } from './job-stats.js';
import { createDiskBlobStore } from './blob-store.js';
import { createPostgresBlobStore } from './pg-blob-store.js';
import type { BlobStore } from '../bridge/ports.js';

export type Store = ReturnType<typeof createStore>;

export function createStore(storeDb: StoreDb, now: () => number = Date.now) {
  const jobs = createJobRepo(storeDb, now);
  const inbound = createInboundRepo(storeDb, now);
  return {
    storeDb,
    accounts: createAccountRepo(storeDb.db, now, storeDb.dialect),
    kv: createKvRepo(storeDb.db),
    /** Each account's connections to the channels beyond the first (Telegram, …). */
    channelLinks: createChannelLinksRepo(storeDb.db, now),
    /** What admins set in the widget: bubble settings, identity secret, channel sources. */
    settings: createSettingsRepo(storeDb.db, now),
    usedTokens: createUsedTokenRepo(storeDb.db, now),
    jobs,
    inbound,
    /** What the job runner works from: jobs, fed from the webhook inbox. */
    jobQueue: createJobQueue(jobs, inbound, storeDb.dialect),
    /** Conversations, messages, timeline, files and reactions, as the bridge uses them. */
    bridge: createBridgeStore(storeDb, now),
    /** Deletes what can no longer matter (expired token ids, old hook dedupe keys, long-parked jobs). */
    purgeExpired: () => purgeExpired(storeDb.db, now()),
    /** Jobs per kind and state (metrics). */
    jobCounts: () => countJobsByKindAndState(storeDb.db),
    ping: () => storeDb.ping(),
    close: () => storeDb.close(),
  };
}

export async function openStore(databaseUrl: string, now: () => number = Date.now): Promise<Store> {
  return createStore(await openDatabase(databaseUrl), now);
}

/**
 * Where stored files' bytes live: in the database on PostgreSQL (any instance serves any file, no
 * shared disk), in the files folder beside SQLite. `filesDir` is read only for SQLite.
 */
export function createBlobStore(storeDb: StoreDb, filesDir: () => string, now: () => number = Date.now): BlobStore {
  return storeDb.dialect === 'postgres' ? createPostgresBlobStore(storeDb.db, now) : createDiskBlobStore(filesDir());
}

export { filesDirFor } from './blob-store.js';
export { createNotificationBus, type NotificationBus } from './notify/index.js';
export type { JobCount } from './job-stats.js';
