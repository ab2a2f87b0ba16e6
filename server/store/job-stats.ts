/**
 * How many jobs there are of each kind in each state, for the operator's metrics. One grouped
 * count, read-only; the same query on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { Database, JobState } from './schema.js';

export interface JobCount {
  kind: string;
  state: JobState;
  count: number;
}

export async function countJobsByKindAndState(db: Kysely<Database>): Promise<JobCount[]> {
  const rows = await db
    .selectFrom('jobs')
    .select(['kind', 'state', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
    .groupBy(['kind', 'state'])
    .execute();
  // PostgreSQL returns count(*) as a bigint string.
  return rows.map((r) => ({ kind: r.kind, state: r.state, count: Number(r.n) }));
}
