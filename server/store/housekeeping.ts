/**
 * Periodic clean-up of tables that would otherwise only grow: spent one-time-token ids once their
 * token has expired, webhook dedupe keys once a repeat of that hook can no longer arrive
 * (amoCRM sends each hook once; a copy replayed by a proxy or by hand comes within minutes), and
 * parked jobs once an operator has had a month to look at them (`npm run jobs`). Finished jobs
 * and dispatched hooks are deleted as they finish, so nothing else of the job machinery stays.
 * It also promotes any waiting job left with nothing ahead of it (jobs-repo's safety net).
 */
import type { Kysely } from 'kysely';
import { promoteOrphans } from './jobs-repo.js';
import type { Database } from './schema.js';

/** How long a stored hook's dedupe key is kept. */
export const HOOK_DEDUPE_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/** How long a parked (dead) job is kept, counted from when it was parked. */
export const DEAD_JOB_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export interface HousekeepingResult {
  tokenIds: number;
  hookKeys: number;
  deadJobs: number;
  /** Waiting jobs that had nothing ahead of them any more (normally 0). */
  promotedJobs: number;
}

export async function purgeExpired(db: Kysely<Database>, now: number): Promise<HousekeepingResult> {
  const tokens = await db.deleteFrom('used_token_ids').where('expires_at', '<', now).executeTakeFirst();
  const hooks = await db.deleteFrom('inbound_events').where('received_at', '<', now - HOOK_DEDUPE_WINDOW_MS).executeTakeFirst();
  const dead = await db.deleteFrom('jobs').where('state', '=', 'dead').where('updated_at', '<', now - DEAD_JOB_RETENTION_MS).executeTakeFirst();
  const promotedJobs = await promoteOrphans(db, now);
  return { tokenIds: Number(tokens.numDeletedRows), hookKeys: Number(hooks.numDeletedRows), deadJobs: Number(dead.numDeletedRows), promotedJobs };
}
