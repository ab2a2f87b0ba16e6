/**
 * The statements run several times for every message, built and compiled by Kysely once per
 * dialect and then run with new values (Kysely's "split build, compile and execute" recipe).
 * Building and compiling a query costs more than SQLite takes to run it; for these few it is done
 * once instead of thousands of times a second.
 *
 * A prepared query is written as usual, with the named values taken from `p`:
 *   prepared<{ id: string }, MessageRow>((db, p) => db.selectFrom('messages').selectAll().where('id', '=', p.id))
 * `p.id` is a marker that Kysely sends as a parameter; each run puts the caller's value in its
 * place. A query whose text would change with the values (lists of varying length, optional
 * clauses) is not a prepared query. On PostgreSQL the text is a server-side prepared statement of
 * each connection (pg-named-statements.ts), so the server does not parse and plan it on every run.
 */
import {
  CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Compilable,
  type QueryResult,
  type Transaction,
} from 'kysely';
import type { SqlDialect } from './db.js';
import { nameStatement } from './pg-named-statements.js';
import type { Database } from './schema.js';
import { directRunOf } from './sqlite-direct.js';
import { pgDirectOf } from './pg-pipeline.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Kysely instances that only compile (no connection), one per dialect. */
const compilers: Record<SqlDialect, Kysely<Database>> = {
  sqlite: new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  }),
  postgres: new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  }),
};

const MARK = '\u0000prepared-value:';

/** Where each parameter of the compiled text comes from: a named value, or a constant of the query. */
type Slot = { name: string } | { value: unknown };

interface Compiled {
  sql: string;
  slots: Slot[];
}

export interface Prepared<P, O> {
  /** Runs the query on `db` (the database or a transaction of it) with these values. */
  run(db: Db, dialect: SqlDialect, values: P): Promise<QueryResult<O>>;
}

export function prepared<P extends Record<string, unknown>, O>(build: (db: Kysely<Database>, p: P, dialect: SqlDialect) => Compilable<O>): Prepared<P, O> {
  const byDialect = new Map<SqlDialect, Compiled>();

  function compile(dialect: SqlDialect): Compiled {
    const markers = new Proxy({} as P, { get: (_target, key) => `${MARK}${String(key)}` });
    const query = build(compilers[dialect], markers, dialect).compile();
    if (query.sql.includes(MARK)) throw new Error(`a prepared value was written into the query text: ${query.sql}`);
    const slots = query.parameters.map((v): Slot => (typeof v === 'string' && v.startsWith(MARK) ? { name: v.slice(MARK.length) } : { value: v }));
    // PostgreSQL: each connection parses the text once and keeps it (pg-named-statements.ts).
    if (dialect === 'postgres') nameStatement(query.sql);
    return { sql: query.sql, slots };
  }

  return {
    run(db, dialect, values) {
      let c = byDialect.get(dialect);
      if (!c) {
        c = compile(dialect);
        byDialect.set(dialect, c);
      }
      const parameters = c.slots.map((s) => ('name' in s ? values[s.name] : s.value));
      // PostgreSQL: in the group commit, or a read, on a pipelined connection (pg-pipeline.ts).
      const pgDirect = dialect === 'postgres' ? pgDirectOf(db) : undefined;
      if (pgDirect) return pgDirect(c.sql, parameters) as Promise<QueryResult<O>>;
      // Inside the store's group commit on SQLite: straight to the connection (sqlite-direct.ts).
      const direct = dialect === 'sqlite' ? directRunOf(db) : undefined;
      if (direct) {
        try {
          return Promise.resolve(direct(c.sql, parameters) as QueryResult<O>);
        } catch (err) {
          return Promise.reject(err);
        }
      }
      return db.executeQuery(CompiledQuery.raw(c.sql, parameters) as CompiledQuery<O>);
    },
  };
}
