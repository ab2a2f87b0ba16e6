/**
 * PostgreSQL advisory locks of the store. Each use has its own namespace (the first of the two
 * 32-bit keys), so an account id locked for one purpose never blocks another; two-key locks never
 * collide with the one-key lock Kysely's migrator takes.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';

export const LOCK_NAMESPACE = {
  /** One OAuth refresh per account across every instance. */
  oauthRefresh: 0x616d6f01,
} as const;

/** Blocks until this transaction holds the lock; it is released when the transaction ends. */
export async function lockInTransaction(trx: Transaction<Database>, namespace: number, key: number): Promise<void> {
  await sql`select pg_advisory_xact_lock(${namespace}::int4, ${key}::int4)`.execute(trx);
}
