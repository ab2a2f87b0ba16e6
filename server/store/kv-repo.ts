/** Small persistent settings (the generated app secret, …). */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type KvRepo = ReturnType<typeof createKvRepo>;

export function createKvRepo(db: Kysely<Database>) {
  return {
    async get(key: string): Promise<string | undefined> {
      const row = await db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value;
    },
    async set(key: string, value: string): Promise<void> {
      await db
        .insertInto('kv')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
    /**
     * Returns the stored value, or stores and returns `create()`. Two processes racing on first
     * start both end up with the value that was inserted first.
     */
    async getOrCreate(key: string, create: () => string): Promise<string> {
      await db.insertInto('kv').values({ key, value: create() }).onConflict((oc) => oc.column('key').doNothing()).execute();
      const value = await this.get(key);
      if (value === undefined) throw new Error(`kv key ${key} vanished`);
      return value;
    },
  };
}

export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}
