/**
 * SQLite statements run straight on the connection inside the store's group commit. Kysely runs
 * each query through its connection provider and plugins, a few kilobytes of short-lived objects
 * per query; the prepared statements of every message (`prepared.ts`) are text and values
 * already, and inside a transaction the connection is ours: the transaction holds Kysely's lock on
 * it from its begin to its commit. So there they go to better-sqlite3 directly, with the answer
 * shaped as Kysely's SQLite driver shapes it. Outside a transaction they keep going through Kysely,
 * which waits for an open transaction to end.
 */
import type { QueryResult, SqliteDatabase, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type DirectRun = (sql: string, parameters: readonly unknown[]) => QueryResult<unknown>;

const direct = new WeakMap<object, DirectRun>();

/** How statements of `sqlite` run directly (statements prepared once through the store's cache). */
export function directRunner(sqlite: Pick<SqliteDatabase, 'prepare'>): DirectRun {
  return (sql, parameters) => {
    const stmt = sqlite.prepare(sql);
    if (stmt.reader) return { rows: stmt.all(parameters) };
    const { changes, lastInsertRowid } = stmt.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  };
}

/** Marks `trx`, open on the connection `run` uses, as one whose statements may run directly. */
export function runDirectlyIn(trx: Transaction<Database>, run: DirectRun): void {
  direct.set(trx, run);
}

/** The direct runner of a transaction marked by `runDirectlyIn`; undefined for anything else. */
export const directRunOf = (db: object): DirectRun | undefined => direct.get(db);
