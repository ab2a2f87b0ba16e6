/** One-time token ids (`jti`) already spent on a state change; kept until the token expires. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type UsedTokenRepo = ReturnType<typeof createUsedTokenRepo>;

export function createUsedTokenRepo(db: Kysely<Database>, now: () => number = Date.now) {
  return {
    /** Records `jti`; false when it was already used (a replay). */
    async claim(jti: string, expiresAt: number): Promise<boolean> {
      const res = await db
        .insertInto('used_token_ids')
        .values({ jti, expires_at: expiresAt })
        .onConflict((oc) => oc.column('jti').doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
  };
}
