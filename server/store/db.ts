/**
 * Opens the database named by DATABASE_URL (`sqlite:<path>` or `postgres://…`), applies the
 * migrations, and hands back a Kysely instance. SQLite is the embedded default; PostgreSQL is a
 * driver switch: everything above this file speaks Kysely only.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type SqliteDatabase, type SqliteStatement, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import { migrations } from './migrations/index.js';
import { createWalSync } from './wal-sync.js';
import { createGroupCommit, type GroupCommit } from './group-commit.js';
import { directRunner, runDirectlyIn } from './sqlite-direct.js';
import { useNamedStatements } from './pg-named-statements.js';
import { pipelinedTransaction, sharedReads } from './pg-pipeline.js';

export type SqlDialect = 'sqlite' | 'postgres';

export interface StoreDb {
  readonly db: Kysely<Database>;
  readonly dialect: SqlDialect;
  /** PostgreSQL only: where the notification bus opens its listening connection. */
  readonly postgresUrl?: string;
  /**
   * A transaction whose commit is on disk before it resolves: use it for every write that is
   * acknowledged to someone outside (a webhook's 200, a visitor's 202). Other writes use a plain
   * transaction, which survives a process crash but may wait for the next durable commit to
   * survive a power cut.
   */
  durableTransaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  /**
   * The store's one group commit: writes that arrive together share a transaction (`group-commit.ts`),
   * durable or not, whoever makes them (the bridge, the job runner). A unit must not wait for
   * another write of the store inside it: that write may be queued behind its own batch. On SQLite
   * the units of a batch run one after another; on PostgreSQL side by side (`unitsSideBySide`).
   */
  readonly groupCommit: GroupCommit<Transaction<Database>>;
  /** True when a trivial query answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export async function openDatabase(url: string): Promise<StoreDb> {
  const store = url.startsWith('sqlite:') ? await openSqlite(url.slice('sqlite:'.length)) : await openPostgres(url);
  await migrate(store);
  return store;
}

async function openSqlite(path: string): Promise<StoreDb> {
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const file = path === ':memory:' ? path : resolve(path);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  const journal = String(sqlite.pragma('journal_mode = WAL', { simple: true }));
  // WAL + NORMAL: every commit survives a process crash without an fsync; a durable transaction
  // (below) then syncs the log (wal-sync.ts), which also covers every commit before it.
  // Without WAL (an in-memory database, a file system that refuses it) every commit is FULL.
  const wal = journal === 'wal' ? createWalSync(file) : undefined;
  sqlite.pragma(wal ? 'synchronous = NORMAL' : 'synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  if (wal) {
    // The log is copied into the database every 10,000 pages (40 MB) instead of SQLite's 1,000: the
    // pages every message touches (the jobs table, the newest rows and their indexes) are then
    // copied once per checkpoint instead of ten times, which took about a third off each commit
    // (a commit of six messages: 1.05 → 0.55–0.75 ms). After a checkpoint the log is cut back to 64 MB
    // at most, so the disk it takes stays bounded.
    sqlite.pragma('wal_autocheckpoint = 10000');
    sqlite.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  }
  sqlite.pragma('foreign_keys = ON');
  const statements = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  const run = directRunner(statements);
  return {
    db,
    dialect: 'sqlite',
    groupCommit: createGroupCommit(
      (fn) =>
        db.transaction().execute((trx) => {
          runDirectlyIn(trx, run);
          return fn(trx);
        }),
      { makeDurable: async () => wal?.flush() },
    ),
    async durableTransaction(fn) {
      const value = await db.transaction().execute(fn);
      wal?.sync();
      return value;
    },
    ping: () => pingDb(db),
    async close() {
      await db.destroy();
      wal?.close();
    },
  };
}

/**
 * Kysely prepares every query anew; preparing costs as much as running a small query. Our queries
 * are a few hundred distinct shapes, so prepared statements are kept and reused (better-sqlite3
 * statements are reusable; we never stream, which is the one use that holds a statement busy).
 */
function withStatementCache(sqlite: SqliteDatabase, max = 1000): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    prepare(text: string): SqliteStatement {
      let stmt = cache.get(text);
      if (stmt) return stmt;
      stmt = sqlite.prepare(text);
      // Migrations change the schema, after which old statements would be re-prepared anyway.
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(text, stmt);
      return stmt;
    },
    close: () => sqlite.close(),
  };
}

const POOL_CONNECTIONS = 6;

async function openPostgres(url: string): Promise<StoreDb> {
  const pg = await import('pg');
  // 64-bit integers (our millisecond times and ids) fit in a JS number; read them as numbers.
  pg.default.types.setTypeParser(20, (v: string) => Number(v));
  // Pipelined (pg-pipeline.ts): a connection takes the next statement before the last one answered,
  // so few connections carry the load, and fewer statements-per-connection batches cost the server
  // less CPU per message (0.36-0.39 ms with 4-6 connections against 0.42-0.50 ms with 10, in the
  // flat-out benchmark). Six cover what holds one for a while: the group commit's two transactions,
  // the inbox's move into jobs, and up to MAX_LOCKED_REFRESHES token refreshes (accounts-repo.ts),
  // with one left for the rest; plain reads have their own connection (sharedReads).
  // Every connection of this process carries one name, which is also the home of the jobs it
  // inserts (migration 013: the column's default reads it), so a job runs where it was queued.
  const pool = new pg.default.Pool({ connectionString: url, max: POOL_CONNECTIONS, pipeline: true, application_name: `amochat-${randomUUID().slice(0, 13)}` });
  pool.on('connect', (client) => {
    useNamedStatements(client);
    // A connection the server ends while it is in use (a restart, a failover) fails the statements
    // in flight, which reach their callers; the pool drops it when it comes back. Its 'error'
    // event, unheard, would end the process.
    client.on('error', () => undefined);
  });
  // An idle connection the server ends (a restart, a failover, an idle timeout on a proxy) is
  // dropped by the pool and replaced on the next query; unhandled, its error would end the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const closeReads = sharedReads(db, pool, () => new pg.default.Client({ connectionString: url, pipeline: true }));
  return {
    db,
    dialect: 'postgres',
    postgresUrl: url,
    // Two batches in flight: while one waits for its commit, the next one runs (batcher.ts). Their
    // units run side by side on their connection (group-commit.ts, pg-pipeline.ts).
    groupCommit: createGroupCommit(pipelinedTransaction(pool), { concurrency: 2, unitsSideBySide: true }),
    // PostgreSQL commits are durable (synchronous_commit on, its default).
    durableTransaction: (fn) => db.transaction().execute(fn),
    ping: () => pingDb(db),
    async close() {
      await closeReads();
      await db.destroy();
    },
  };
}

async function pingDb(db: Kysely<Database>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

async function migrate(store: StoreDb): Promise<void> {
  const all = migrations(store.dialect);
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => all },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
