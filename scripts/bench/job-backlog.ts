/**
 * A job store planned while empty, then holding a backlog: on PostgreSQL (BENCH_DATABASE_URL or
 * TEST_DATABASE_URL), the statements are prepared and planned on a new database while its jobs
 * table is nearly empty, as on every new install. Then 20,000 jobs wait in 500 queues whose heads
 * are running elsewhere (an amojo outage, say), and one conversation's jobs run one after another:
 * insert, then each ended in its own transaction with the next handed on (`finish`). The cost of a
 * job with that backlog must stay within 2× the cost without it.
 */
import { openStore, type Store } from '../../server/store/index.js';
import { createPostgresDatabase } from '../../test/support/postgres.js';
import { benchPostgresUrl } from './postgres-delivery.js';
import { fmt, type Benchmark, type Row } from './rows.js';

const BACKLOG = 20_000;
const QUEUES = 500;
/** Enough jobs before the backlog that every pooled connection has made its generic plans. */
const WARM_JOBS = 300;
const JOBS = 1_000;

/** Queues `n` jobs on `queueKey`, then runs them through hand-offs; ms per job. */
async function runQueue(store: Store, queueKey: string, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await store.jobs.enqueue({ kind: 'bench', payload: { i }, queueKey });
  let head: { id: number; queue_key: string | null } | undefined = (await store.jobs.claim('bench', 1, 60_000))[0];
  let ran = 0;
  while (head) {
    const lease = { jobId: head.id, queueKey: head.queue_key, workerId: 'bench', leaseMs: 60_000, handOff: true };
    head = (await store.bridge.transaction((tx) => tx.jobs.finish(lease)))?.[0];
    ran++;
  }
  if (ran !== n) throw new Error(`ran ${ran} of ${n} jobs`);
  return (performance.now() - t0) / n;
}

async function costPerJob(adminUrl: string, backlog: number): Promise<number> {
  const database = await createPostgresDatabase(adminUrl);
  const store = await openStore(database.url);
  try {
    await runQueue(store, 'warm', WARM_JOBS);
    for (let i = 0; i < backlog; i += 1000) {
      await store.jobs.enqueue(Array.from({ length: Math.min(1000, backlog - i) }, (_, j) => ({ kind: 'bench', payload: { j }, queueKey: `q${(i + j) % QUEUES}` })));
    }
    // Every backlog queue's head is running on another worker: the rest of each queue waits.
    await store.jobs.claim('elsewhere', QUEUES, 600_000);
    return await runQueue(store, 'hot', JOBS);
  } finally {
    await store.close();
    await database.dispose();
  }
}

export const jobBacklogBenchmark: Benchmark = {
  name: 'job-backlog',
  async run(): Promise<Row[]> {
    if (!benchPostgresUrl) return [];
    const without = await costPerJob(benchPostgresUrl, 0);
    const withBacklog = await costPerJob(benchPostgresUrl, BACKLOG);
    const ratio = withBacklog / without;
    return [
      {
        bench: 'job cycle on PostgreSQL with a backlog planned while empty',
        figure: `${fmt(withBacklog, 2)} ms per job with ${fmt(BACKLOG)} waiting, ${fmt(without, 2)} ms without = ${fmt(ratio, 2)}×`,
        target: '≤ 2.00×',
        met: ratio <= 2,
      },
    ];
  },
};
