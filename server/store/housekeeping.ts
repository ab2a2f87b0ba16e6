/**
 * Periodic clean-up of tables that would otherwise only grow: spent one-time-token ids once their
 * token has expired, and webhook dedupe keys once a repeat of that hook can no longer arrive
 * (amoCRM sends each hook once; a copy replayed by a proxy or by hand comes within minutes).
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** How long a stored hook's dedupe key is kept. */
export const HOOK_DEDUPE_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

export interface HousekeepingResult {
  tokenIds: number;
  hookKeys: number;
}

export async function purgeExpired(db: Kysely<Database>, now: number): Promise<HousekeepingResult> {
  const tokens = await db.deleteFrom('used_token_ids').where('expires_at', '<', now).executeTakeFirst();
  const hooks = await db.deleteFrom('inbound_events').where('received_at', '<', now - HOOK_DEDUPE_WINDOW_MS).executeTakeFirst();
  return { tokenIds: Number(tokens.numDeletedRows), hookKeys: Number(hooks.numDeletedRows) };
}
