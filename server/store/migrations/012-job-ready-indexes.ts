import { sql, type Kysely, type Migration } from 'kysely';

// Migrations see the database as it was then, not today's `Database` interface.
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The claim's index becomes two partial ones: pending jobs by when they are due, running jobs by
 * when their lease lapses. The index on (state, run_after) also served every other test on a
 * state, and PostgreSQL's planner, when it first planned a statement on a new and nearly empty
 * table, took it for "the next waiting job of this queue", "the queue's unfinished tail" and the
 * like: plans that read every waiting job, the whole backlog, on every message. Without an index
 * on the state, those statements have only the queue's index (queue_key, id), the one they need.
 * The claim's statements name the states as literals, so both engines match the partial indexes.
 */
export const jobReadyIndexesSchema: Migration = {
  async up(db: AnyDb) {
    await db.schema.dropIndex('jobs_ready').execute();
    await sql`create index jobs_pending on jobs (run_after) where state = 'pending'`.execute(db);
    await sql`create index jobs_running on jobs (lease_until) where state = 'running'`.execute(db);
  },
};
