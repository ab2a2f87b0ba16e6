/**
 * PostgreSQL keeps the plan it made for a prepared statement, and a new install plans its job
 * statements on an empty table. Those plans must still read a queue through the queue's index
 * (`jobs_queue`), never through all pending, running or waiting jobs: with a backlog such a plan
 * costs every message the whole backlog. The statements a queue's life runs (insert behind its
 * tail, claim, hand-off, completion) are recorded as the store sends them, then planned as generic
 * plans on the fresh, empty table. PostgreSQL only: SQLite plans every statement as it prepares it.
 */
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openStore, type Store } from '../../server/store/index.js';
import { createPostgresDatabase, postgresTestsEnabled, type TestDatabase } from '../support/postgres.js';

const enabled = postgresTestsEnabled();

/** A value written as an SQL literal, for `EXECUTE` of a prepared statement. */
function literal(client: pg.Client, v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `${client.escapeLiteral(`{${v.map((x) => String(x)).join(',')}}`)}`;
  return client.escapeLiteral(String(v));
}

/** The scans of `jobs` in a plan: which index each reads, or `Seq Scan`. */
function jobsScans(plan: string): string[] {
  return plan.split('\n').flatMap((line) => {
    const m = /(Seq Scan|Index Scan(?: Backward)?|Index Only Scan|Bitmap Index Scan)(?: using (\w+))? on (\w+)/.exec(line);
    if (!m) return [];
    const [, how, index, table] = m;
    if (how === 'Bitmap Index Scan') return index?.startsWith('jobs') || table?.startsWith('jobs') ? [table!] : [];
    return table === 'jobs' ? [index ?? how!] : [];
  });
}

describe.skipIf(!enabled)('job statements planned on a new, empty table (PostgreSQL)', () => {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  afterAll(async () => {
    await store?.close();
    await database?.dispose();
  });

  it('read a queue only through its index and the primary key', async () => {
    database = await createPostgresDatabase();
    const sent = new Map<string, unknown[]>();
    const query = pg.Client.prototype.query;
    // Records each statement on the jobs table the store sends, with the values it ran with.
    const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      const [first, second] = args as [{ text?: string; values?: unknown[] } | string, unknown];
      const [text, values] = typeof first === 'string' ? [first, second] : [first.text, first.values];
      if (text && /"jobs"/.test(text)) sent.set(text, Array.isArray(values) ? values : []);
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query);
    try {
      store = await openStore(database.url);
      const job = (n: number) => ({ kind: 'k', payload: { n }, queueKey: 'conv:a' });
      await store.jobs.enqueue(job(1));
      await store.jobs.enqueue(job(2));
      await store.jobs.enqueue(job(3));
      const [head] = await store.jobs.claim('w', 10, 60_000);
      const handed = await store.bridge.transaction((tx) => tx.jobs.finish({ jobId: head!.id, queueKey: head!.queue_key, workerId: 'w', leaseMs: 60_000, handOff: true }));
      expect(handed).toHaveLength(1);
      await store.jobs.complete(handed![0]!.id, 'w');
      expect((await store.jobs.claim('w', 10, 60_000)).length).toBe(1);
    } finally {
      spy.mockRestore();
    }
    await store.close();
    store = undefined;

    // Those that pick jobs by their queue: the insert (its queue's tail), the claim (queue heads),
    // the hand-off and the completion (the queue's next job).
    const queueStatements = [...sent].filter(([text]) => /queue_key"? = /.test(text));
    expect(queueStatements.length).toBeGreaterThanOrEqual(4);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('set plan_cache_mode = force_generic_plan');
      const scans: Record<string, string[]> = {};
      for (const [i, [text, values]] of queueStatements.entries()) {
        await client.query(`prepare s${i} as ${text}`);
        const plan = await client.query<{ 'QUERY PLAN': string }>(`explain execute s${i}(${values.map((v) => literal(client, v)).join(', ')})`);
        scans[text.slice(0, 60)] = jobsScans(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
      }
      for (const [statement, used] of Object.entries(scans)) {
        expect({ statement, used: used.filter((u) => !['jobs_queue', 'jobs_pkey', 'jobs_pending', 'jobs_running'].includes(u)) }).toEqual({ statement, used: [] });
      }
    } finally {
      await client.end();
    }
  });
});
