/**
 * PostgreSQL without waiting on every round trip. Each statement is a round trip to another
 * process; one after the other, a message's few statements spend most of their time in the
 * trip, not in the database. The connections are pipelined (pg's `pipeline: true`, statements
 * written without waiting for earlier answers, pg-named-statements.ts writes a turn's statements
 * together), and two paths use that:
 *
 * - The group commit's transactions (`pipelinedTransaction`): the units of a batch run side by
 *   side on the transaction's connection, so the batch costs as many round trips as its longest
 *   unit, not as all of its units together.
 * - Prepared reads outside a transaction (`sharedReads`) go through one pipelined connection: the
 *   reads of the moment (the send jobs each loading their message) travel together. Only plain
 *   `select`s: a read never waits for a lock, so nothing on that connection can hold the rest up
 *   behind a transaction. Writes keep a pooled connection each.
 *
 * Prepared statements (`prepared.ts`) reach both paths through `pgDirectOf`.
 */
import { Kysely, PostgresDialect, type QueryResult, type Transaction } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.js';
import { useNamedStatements } from './pg-named-statements.js';

export type PgDirectRun = (sql: string, parameters: unknown[]) => Promise<QueryResult<unknown>>;

const direct = new WeakMap<object, PgDirectRun>();

/** How prepared statements on `db` (the database or a group-commit transaction) run, if not through Kysely. */
export const pgDirectOf = (db: object): PgDirectRun | undefined => direct.get(db);

interface Queryable {
  query(text: string, values: unknown[]): Promise<pg.QueryResult>;
}

/** A statement's answer shaped as Kysely's PostgreSQL driver shapes it. */
function runnerOn(target: Queryable): PgDirectRun {
  return async (text, parameters) => {
    const { command, rowCount, rows } = await target.query(text, parameters);
    const changed = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
    return { ...(changed ? { numAffectedRows: BigInt(rowCount ?? 0) } : {}), rows: rows ?? [] };
  };
}

/**
 * A Kysely instance bound to one pooled connection that lets its queries run side by side
 * (Kysely's own transaction object queues them one after another). It stands for an open
 * transaction on that connection, so it is handed to units as one. Kept per connection.
 */
const boundTo = new WeakMap<pg.PoolClient, Transaction<Database>>();
function transactionOn(client: pg.PoolClient): Transaction<Database> {
  let trx = boundTo.get(client);
  if (!trx) {
    const query = (text: string, values: unknown[]) => client.query(text, values);
    // Kysely's driver takes and releases "connections" from this pool; the real one stays with us.
    const pool = { connect: async () => ({ query, release: () => undefined }), end: async () => undefined };
    trx = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) }) as unknown as Transaction<Database>;
    boundTo.set(client, trx);
    direct.set(trx, runnerOn({ query }));
  }
  return trx;
}

/** The group commit's transaction runner: begin, the units, commit, on a pipelined pooled connection. */
export function pipelinedTransaction(pool: pg.Pool) {
  return async <T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let committed = false;
    // Set when the rollback fails too: the connection is broken and leaves the pool.
    let broken: Error | undefined;
    try {
      // Not waited for: the first statements travel with it; a failed begin fails them too. Its
      // failure is read below, or left when a unit failed first (never an unhandled rejection).
      const begun = client.query('begin');
      begun.catch(() => undefined);
      const value = await fn(transactionOn(client));
      await begun;
      // A statement that failed and was caught inside a unit left the transaction aborted: its
      // commit answers ROLLBACK.
      if ((await client.query('commit')).command === 'ROLLBACK') throw new Error('the transaction was aborted by a failed statement');
      committed = true;
      return value;
    } finally {
      if (!committed) {
        await client.query('rollback').catch((err: unknown) => {
          broken = err instanceof Error ? err : new Error(String(err));
        });
      }
      client.release(broken);
    }
  };
}

/**
 * Prepared statements on the database itself: plain reads through one shared pipelined
 * connection (opened on first use, replaced after an error), everything else through the pool.
 */
export function sharedReads(db: Kysely<Database>, pool: pg.Pool, open: () => pg.Client): () => Promise<void> {
  let reader: Promise<{ client: pg.Client; run: PgDirectRun }> | undefined;
  const connectReader = (): Promise<{ client: pg.Client; run: PgDirectRun }> => {
    const client = open();
    const drop = () => {
      if (reader === opened) reader = undefined;
    };
    // A broken connection (a restart, a failover) fails what is in flight; the next read opens anew.
    client.on('error', drop);
    client.on('end', drop);
    const opened = client.connect().then(() => {
      useNamedStatements(client as unknown as pg.PoolClient);
      return { client, run: runnerOn(client) };
    });
    opened.catch(drop);
    return opened;
  };
  const viaPool = runnerOn(pool);
  const isPlainRead = (text: string) => text.startsWith('select ') && !/ for (update|no key update|share|key share)\b/.test(text);
  direct.set(db, async (text, parameters) => {
    if (!isPlainRead(text)) return viaPool(text, parameters);
    reader ??= connectReader();
    return (await reader).run(text, parameters);
  });
  return async () => {
    const current = reader;
    reader = undefined;
    if (current) await (await current.catch(() => undefined))?.client.end().catch(() => undefined);
  };
}
