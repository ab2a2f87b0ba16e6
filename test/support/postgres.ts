/**
 * Shared switch for PostgreSQL tests: they run where TEST_DATABASE_URL names a server the tests may
 * create databases on (each caller gets a fresh database, dropped by `dispose`). Elsewhere they are
 * skipped with a loud notice, unless REQUIRE_POSTGRES=1 (CI), where a missing server is a failure.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const postgresUrl: string | undefined = process.env['TEST_DATABASE_URL']?.trim() || undefined;
export const postgresRequired: boolean = process.env['REQUIRE_POSTGRES'] === '1';

let warned = false;

/** Whether PostgreSQL tests should run; when required but unset, throws so the file fails. */
export function postgresTestsEnabled(): boolean {
  if (postgresUrl) return true;
  if (postgresRequired) throw new Error('REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set: PostgreSQL tests cannot run');
  if (!warned) {
    warned = true;
    console.warn('\n!!! PostgreSQL tests skipped: set TEST_DATABASE_URL=postgres://user:pass@host/db to run them !!!\n');
  }
  return false;
}

export interface TestDatabase {
  url: string;
  dispose(): Promise<void>;
}

/** Creates a fresh, uniquely named database on the TEST_DATABASE_URL server (or on `adminUrl`'s). */
export async function createPostgresDatabase(adminUrl: string | undefined = postgresUrl): Promise<TestDatabase> {
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const admin = adminUrl;
  const name = `test_${randomBytes(6).toString('hex')}`;
  await withClient(admin, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dispose: () => withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
