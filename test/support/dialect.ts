/**
 * The database the app-level tests run on. Vitest's `postgres` project (vitest.config.ts, present
 * when TEST_DATABASE_URL is set) runs the store-dependent integration files again with
 * TEST_STORE=postgres: each backend or store those files start gets a fresh PostgreSQL database
 * instead of a SQLite file. Everywhere else: SQLite, as in production's single instance.
 */
import { createPostgresDatabase, type TestDatabase } from './postgres.js';

export type TestDialect = 'sqlite' | 'postgres';

export const testDialect: TestDialect = process.env['TEST_STORE'] === 'postgres' ? 'postgres' : 'sqlite';

/** The PostgreSQL databases this process created and has not dropped yet, by URL. */
const created = new Map<string, TestDatabase>();

/** A fresh PostgreSQL database, dropped by `dropTestDatabase` (a restart may reuse it first). */
export async function createTestPostgresDatabase(): Promise<string> {
  const database = await createPostgresDatabase();
  created.set(database.url, database);
  return database.url;
}

/** Drops a database `createTestPostgresDatabase` made; any other URL is left alone. */
export async function dropTestDatabase(url: string): Promise<void> {
  const database = created.get(url);
  if (!database) return;
  created.delete(url);
  await database.dispose();
}
