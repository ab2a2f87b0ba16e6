/**
 * The job runner over a real store (SQLite; PostgreSQL too in the `postgres` project): per-queue order, retries with backoff, parking after
 * N attempts, permanent failures, lease takeover after a crash, idempotent enqueue, and
 * giving way to a burst of webhooks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createJobRunner, type JobContext, type JobHandler, type JobQueueStore, type JobRunner } from '../../server/bridge/job-runner.js';
import { backoffDelay, retryAfterOf } from '../../server/net/retry.js';
import { ValidationError, isRetryable } from '../../server/errors.js';
import { silentLogger } from '../../server/log.js';
import { openStore, type Store } from '../../server/store/index.js';
import { createTestPostgresDatabase, dropTestDatabase, testDialect } from '../support/dialect.js';

const onPostgres = testDialect === 'postgres';
let dir: string;
let databaseUrl: string;
let store: Store;
let clock: number;
const now = () => clock;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jobs-'));
  clock = 1_000_000;
  databaseUrl = testDialect === 'postgres' ? await createTestPostgresDatabase() : `sqlite:${join(dir, 'db.sqlite')}`;
  store = await openStore(databaseUrl, now);
});
afterEach(async () => {
  vi.useRealTimers();
  await store.close();
  await dropTestDatabase(databaseUrl);
  rmSync(dir, { recursive: true, force: true });
});

type RunnerExtra = Partial<Pick<Parameters<typeof createJobRunner>[0], 'jobs' | 'maxAttempts' | 'workerId' | 'leaseMs' | 'concurrency' | 'shouldYield' | 'pollMs' | 'retryDelay'>>;

function runner(handlers: JobHandler[], extra: RunnerExtra = {}) {
  return createJobRunner({
    jobs: store.jobs,
    handlers,
    logger: silentLogger(),
    now,
    isRetryable,
    retryDelay: (attempt, err) => backoffDelay({ baseDelayMs: 100, maxDelayMs: 1000 }, attempt, retryAfterOf(err)),
    ...extra,
  });
}

/** Counts finished runs of a runner's jobs; `atLeast(n)` resolves once n have finished. */
function counter(r: JobRunner) {
  let n = 0;
  let waiters: Array<{ n: number; resolve: () => void }> = [];
  r.onJobFinished(() => {
    n++;
    waiters = waiters.filter((w) => (w.n <= n ? (w.resolve(), false) : true));
  });
  return {
    get count() {
      return n;
    },
    atLeast: (want: number) => new Promise<void>((resolve) => (n >= want ? resolve() : waiters.push({ n: want, resolve }))),
  };
}

/** Fake timers for the runner's sleeps, leases and heartbeat; setImmediate stays real so jobs move. */
function fakeTimers() {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
}

/** A promise with its resolve, for a handler that holds on until the test lets it go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

describe('job runner', () => {
  it('runs jobs of one queue key strictly in order, other queues alongside', async () => {
    const seen: string[] = [];
    const h: JobHandler<{ q: string; n: number }> = {
      kind: 'k',
      async perform(p) {
        seen.push(`${p.q}${p.n}`);
      },
    };
    await store.jobs.enqueue([1, 2, 3].flatMap((n) => [{ kind: 'k', payload: { q: 'a', n }, queueKey: 'a' }, { kind: 'k', payload: { q: 'b', n }, queueKey: 'b' }]));
    const ran = await runner([h as JobHandler]).runReady();
    expect(ran).toBe(6);
    expect(seen.filter((s) => s.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(seen.filter((s) => s.startsWith('b'))).toEqual(['b1', 'b2', 'b3']);
    expect(await store.jobs.list()).toEqual([]);
  });

  it('holds later jobs of a queue while an earlier one waits for its retry, then runs all once, in order', async () => {
    const seen: number[] = [];
    let failuresLeft = 2;
    const h: JobHandler<{ n: number }> = {
      kind: 'send',
      async perform(p) {
        if (p.n === 1 && failuresLeft-- > 0) throw new Error('amojo down');
        seen.push(p.n);
      },
    };
    await store.jobs.enqueue([1, 2, 3].map((n) => ({ kind: 'send', payload: { n }, queueKey: 'conv-1' })));
    const r = runner([h as JobHandler]);
    await r.runReady();
    expect(seen).toEqual([]);
    const [first] = await store.jobs.list();
    expect(first).toMatchObject({ state: 'pending', attempts: 1, last_error: 'Error: amojo down' });
    expect(first!.run_after).toBeGreaterThan(clock);
    clock += 60_000;
    await r.runReady();
    clock += 60_000;
    await r.runReady();
    expect(seen).toEqual([1, 2, 3]);
  });

  it('parks a job as dead after maxAttempts with its last error, and calls onFailed once', async () => {
    const failed: unknown[] = [];
    const h: JobHandler = {
      kind: 'x',
      async perform() {
        throw new Error('still down');
      },
      async onFailed(_p, err) {
        failed.push(err);
      },
    };
    await store.jobs.enqueue({ kind: 'x', payload: {}, queueKey: 'q' });
    await store.jobs.enqueue({ kind: 'x2', payload: {}, queueKey: 'q' });
    const done: string[] = [];
    const r = runner([h, { kind: 'x2', perform: async () => void done.push('x2') }], { maxAttempts: 3 });
    for (let i = 0; i < 5; i++) {
      await r.runReady();
      clock += 10_000;
    }
    const dead = await store.jobs.list({ state: 'dead' });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ attempts: 3, last_error: 'Error: still down' });
    expect(failed).toHaveLength(1);
    // A parked job no longer blocks its queue.
    expect(done).toEqual(['x2']);
  });

  it('parks a permanent failure at once', async () => {
    await store.jobs.enqueue({ kind: 'bad', payload: {} });
    await runner([{ kind: 'bad', perform: async () => { throw new ValidationError('cannot ever work'); } }]).runReady();
    expect(await store.jobs.list({ state: 'dead' })).toMatchObject([{ attempts: 1, last_error: 'ValidationError: cannot ever work' }]);
  });

  it('takes over a job whose worker died once its lease lapses, and only then', async () => {
    await store.jobs.enqueue({ kind: 'k', payload: {} });
    const claimed = await store.jobs.claim('dead-worker', 10, 30_000);
    expect(claimed).toHaveLength(1);
    const ran: string[] = [];
    const r = runner([{ kind: 'k', perform: async () => void ran.push('ran') }], { workerId: 'w2' });
    expect(await r.runReady()).toBe(0);
    clock += 30_001;
    expect(await r.runReady()).toBe(1);
    expect(ran).toEqual(['ran']);
    // The dead worker waking up cannot finish or reschedule what it no longer holds.
    await store.jobs.retryLater(claimed[0]!.id, 'dead-worker', clock, 'late');
    expect(await store.jobs.list()).toEqual([]);
  });

  it('never creates a second job with the same idempotency key', async () => {
    await store.jobs.enqueue({ kind: 'k', payload: { v: 1 }, idempotencyKey: 'send:m1' });
    await store.jobs.enqueue({ kind: 'k', payload: { v: 2 }, idempotencyKey: 'send:m1' });
    expect(await store.jobs.list()).toHaveLength(1);
  });

  it('two workers claiming at once never get the same job', async () => {
    await store.jobs.enqueue(Array.from({ length: 20 }, (_, i) => ({ kind: 'k', payload: { i } })));
    const [a, b] = await Promise.all([store.jobs.claim('a', 20, 10_000), store.jobs.claim('b', 20, 10_000)]);
    const ids = [...a, ...b].map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(20);
  });

  it('leaves the process to a burst of webhooks, still claiming every second, and catches up after', async () => {
    fakeTimers();
    let burst = true;
    const ran: number[] = [];
    await store.jobs.enqueue(Array.from({ length: 6 }, (_, i) => ({ kind: 'k', payload: { i } })));
    const r = runner([{ kind: 'k', perform: async (p) => void ran.push((p as { i: number }).i) }], { concurrency: 2, shouldYield: () => burst });
    const finished = counter(r);
    r.start();
    try {
      await finished.atLeast(2);
      await vi.advanceTimersByTimeAsync(900);
      expect(ran).toHaveLength(2);
      // However long the burst, the work moves on: one claim at least every second.
      await vi.advanceTimersByTimeAsync(150);
      await finished.atLeast(4);
      expect(ran).toHaveLength(4);
      burst = false;
      await vi.advanceTimersByTimeAsync(1000);
      await finished.atLeast(6);
      expect(ran.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    } finally {
      await r.stop();
    }
  });
});

describe('job runner: jobs ended in their own transaction', () => {
  /** Ends the job as the send job does: in a transaction of its own work, taking what is handed on. */
  async function endInTransaction(ctx: JobContext): Promise<void> {
    const next = await store.bridge.transaction((tx) => tx.jobs.finish(ctx.lease));
    if (next) ctx.finished(next);
  }
  /** The runner's store, counting the jobs claims answered and the completions asked for. */
  function countingJobs() {
    const counts = { claimed: 0, completed: 0 };
    const jobs: JobQueueStore = {
      ...store.jobs,
      claim: async (...args) => {
        const got = await store.jobs.claim(...args);
        counts.claimed += got.length;
        return got;
      },
      complete: async (...args) => {
        counts.completed++;
        await store.jobs.complete(...args);
      },
    };
    return { jobs, counts };
  }
  const queueA = (count: number) => Array.from({ length: count }, (_, i) => ({ kind: 'k', payload: { n: i + 1 }, queueKey: 'a' }));

  it('runs a conversation’s next job as the last one’s transaction commits: in order, with no claim or completion between', async () => {
    const seen: number[] = [];
    const h: JobHandler<{ n: number }> = {
      kind: 'k',
      async perform(p, ctx) {
        seen.push(p.n);
        await endInTransaction(ctx);
      },
    };
    await store.jobs.enqueue(queueA(5));
    const { jobs, counts } = countingJobs();
    const r = runner([h as JobHandler], { jobs });
    const finished = counter(r);
    const outcomes: string[] = [];
    r.onJobFinished((e) => outcomes.push(e.outcome));
    r.start();
    try {
      await finished.atLeast(5);
      expect(seen).toEqual([1, 2, 3, 4, 5]);
      expect(outcomes).toEqual(Array(5).fill('completed'));
      expect(counts).toEqual({ claimed: 1, completed: 0 });
      expect(await store.jobs.list()).toEqual([]);
    } finally {
      await r.stop();
    }
  });

  it('hands nothing on with every slot busy: the claim then takes the oldest ready job, of another conversation', async () => {
    const seen: string[] = [];
    const h: JobHandler<{ q: string; n: number }> = {
      kind: 'k',
      async perform(p, ctx) {
        seen.push(`${p.q}${p.n}`);
        await endInTransaction(ctx);
      },
    };
    await store.jobs.enqueue([
      { kind: 'k', payload: { q: 'a', n: 1 }, queueKey: 'a' },
      { kind: 'k', payload: { q: 'b', n: 1 }, queueKey: 'b' },
      { kind: 'k', payload: { q: 'a', n: 2 }, queueKey: 'a' },
    ]);
    const r = runner([h as JobHandler], { concurrency: 1 });
    const finished = counter(r);
    r.start();
    try {
      await finished.atLeast(3);
      expect(seen).toEqual(['a1', 'b1', 'a2']);
    } finally {
      await r.stop();
    }
  });

  it('hands nothing on while stopping: the next job is left claimable at once, not leased to a stopped worker', async () => {
    const held = gate();
    const started = gate();
    const seen: number[] = [];
    const h: JobHandler<{ n: number }> = {
      kind: 'k',
      async perform(p, ctx) {
        seen.push(p.n);
        started.open();
        await held.opened;
        await endInTransaction(ctx);
      },
    };
    await store.jobs.enqueue(queueA(2));
    const r = runner([h as JobHandler]);
    r.start();
    await started.opened;
    const stopped = r.stop();
    held.open();
    await stopped;
    expect(seen).toEqual([1]);
    expect(await store.jobs.list()).toMatchObject([{ state: 'pending', leased_by: null }]);
  });

  it('counts a job ended in its transaction as done when the handler fails after that commit', async () => {
    const outcomes: string[] = [];
    const h: JobHandler = {
      kind: 'k',
      async perform(_p, ctx) {
        await endInTransaction(ctx);
        throw new Error('publishing failed');
      },
    };
    await store.jobs.enqueue(queueA(2));
    const r = runner([h]);
    r.onJobFinished((e) => outcomes.push(e.outcome));
    const finished = counter(r);
    r.start();
    try {
      await finished.atLeast(2);
      expect(outcomes).toEqual(['completed', 'completed']);
      expect(await store.jobs.list()).toEqual([]);
    } finally {
      await r.stop();
    }
  });
});

describe('job runner: slots, leases and sleep', () => {
  it('runs another conversation as soon as a slot frees, while a slow one holds its own slot', async () => {
    const slow = gate();
    const seen: string[] = [];
    const h: JobHandler<{ q: string; n: number }> = {
      kind: 'k',
      async perform(p) {
        if (p.q === 'a') await slow.opened;
        seen.push(`${p.q}${p.n}`);
      },
    };
    await store.jobs.enqueue([
      { kind: 'k', payload: { q: 'a', n: 1 }, queueKey: 'a' },
      { kind: 'k', payload: { q: 'a', n: 2 }, queueKey: 'a' },
      ...[1, 2, 3, 4].map((n) => ({ kind: 'k', payload: { q: 'b', n }, queueKey: `b${n}` })),
    ]);
    const r = runner([h as JobHandler], { concurrency: 2 });
    const finished = counter(r);
    r.start();
    try {
      // Conversation a's first job never finishes meanwhile; the other slot works through b's.
      await finished.atLeast(4);
      expect(seen).toEqual(['b1', 'b2', 'b3', 'b4']);
      slow.open();
      await finished.atLeast(6);
      expect(seen.slice(4)).toEqual(['a1', 'a2']);
    } finally {
      await r.stop();
    }
  });

  // These lease tests drive the lease clock with fake timers, which outrun a networked database:
  // renewals and claims are real round trips the advanced clock does not wait for. On PostgreSQL
  // the two-instance tests (instances-postgres-work) hold and take over leases in real time.
  it.skipIf(onPostgres)('renews the leases of running jobs, so no other worker takes a job that takes longer than its lease', async () => {
    fakeTimers();
    const slow = gate();
    let started = 0;
    await store.jobs.enqueue({ kind: 'k', payload: {} });
    const a = runner([{ kind: 'k', perform: async () => void (started++, await slow.opened) }], { workerId: 'a', leaseMs: 3_000 });
    const finished = counter(a);
    a.start();
    try {
      await vi.waitFor(() => expect(started).toBe(1));
      for (let i = 0; i < 10; i++) {
        clock += 1_000;
        await vi.advanceTimersByTimeAsync(1_000);
      }
      // Ten seconds into a 3-second lease: still a's.
      expect(await store.jobs.claim('b', 10, 3_000)).toEqual([]);
      slow.open();
      await finished.atLeast(1);
      expect(await store.jobs.list()).toEqual([]);
    } finally {
      await a.stop();
    }
  });

  it.skipIf(onPostgres)('a worker that lost its lease leaves the job to the new holder: its signal aborts and it records nothing', async () => {
    fakeTimers();
    const slow = gate();
    let signal: AbortSignal | undefined;
    const outcomes: string[] = [];
    await store.jobs.enqueue({ kind: 'k', payload: {} });
    const a = runner([{ kind: 'k', perform: async (_p, ctx) => void ((signal = ctx.signal), await slow.opened) }], { workerId: 'a', leaseMs: 3_000 });
    a.onJobFinished((e) => outcomes.push(e.outcome));
    a.start();
    try {
      await vi.waitFor(() => expect(signal).toBeDefined());
      // The process stalls past its lease (no heartbeat ran) and another worker takes the job.
      clock += 3_001;
      const [taken] = await store.jobs.claim('b', 10, 3_000);
      expect(taken).toMatchObject({ leased_by: 'b', attempts: 2 });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(signal!.aborted).toBe(true);
      slow.open();
      await vi.waitFor(() => expect(outcomes).toEqual(['lost']));
      expect(await store.jobs.list()).toMatchObject([{ id: taken!.id, state: 'running', leased_by: 'b' }]);
      await store.jobs.complete(taken!.id, 'b');
      expect(await store.jobs.list()).toEqual([]);
    } finally {
      await a.stop();
    }
  });

  it('never runs its own job twice at once when the job comes back from a claim after a stall past its lease', async () => {
    fakeTimers();
    const slow = gate();
    let runs = 0;
    let claimsAfterStall = 0;
    let stalled = false;
    const claimed = gate();
    await store.jobs.enqueue({ kind: 'k', payload: {} });
    const jobs = {
      ...store.jobs,
      async claim(workerId: string, limit: number, leaseMs: number) {
        const rows = await store.jobs.claim(workerId, limit, leaseMs);
        if (stalled && rows.length > 0 && ++claimsAfterStall === 1) claimed.open();
        return rows;
      },
    };
    const a = runner([{ kind: 'k', perform: async () => void (runs++, await slow.opened) }], { workerId: 'a', leaseMs: 3_000, jobs });
    const finished = counter(a);
    a.start();
    try {
      await vi.waitFor(() => expect(runs).toBe(1));
      clock += 3_001;
      stalled = true;
      a.wake();
      await claimed.opened;
      expect(runs).toBe(1);
      slow.open();
      await finished.atLeast(1);
      expect(runs).toBe(1);
      expect(await store.jobs.list()).toEqual([]);
    } finally {
      await a.stop();
    }
  });

  it.skipIf(onPostgres)('with SQLite, starts the jobs a previous process left running at once, without waiting out their lease', async () => {
    await store.jobs.enqueue({ kind: 'k', payload: {} });
    await store.jobQueue.claim('gone', 10, 60_000);
    const ran: string[] = [];
    const r = runner([{ kind: 'k', perform: async () => void ran.push('ran') }], { jobs: store.jobQueue });
    const finished = counter(r);
    r.start();
    try {
      await finished.atLeast(1);
      expect(ran).toEqual(['ran']);
    } finally {
      await r.stop();
    }
  });

  it('costs next to no database work while a conversation waits for its retry, and runs it when due', async () => {
    fakeTimers();
    let calls = 0;
    const counted = Object.fromEntries(
      Object.entries(store.jobQueue).map(([name, fn]) => [name, (...args: unknown[]) => (calls++, (fn as (...a: unknown[]) => unknown)(...args))]),
    ) as unknown as typeof store.jobQueue;
    let down = true;
    const sent: number[] = [];
    await store.jobs.enqueue([1, 2, 3, 4, 5].map((n) => ({ kind: 'send', payload: { n }, queueKey: 'conv' })));
    const retryAfter = Object.assign(new Error('amojo 503'), { retryable: true, retryAfterMs: 30_000 });
    const r = runner(
      [{ kind: 'send', perform: async (p) => { if (down) throw retryAfter; sent.push((p as { n: number }).n); } }],
      { jobs: counted, pollMs: 1_000, retryDelay: (a, e) => backoffDelay({ baseDelayMs: 100, maxDelayMs: 60_000 }, a, retryAfterOf(e)) },
    );
    const finished = counter(r);
    r.start();
    try {
      await finished.atLeast(1);
      const [head] = await store.jobs.list();
      expect(head!.run_after).toBe(clock + 30_000); // the failure's Retry-After
      await r.whenIdle();
      calls = 0;
      for (let i = 0; i < 20; i++) {
        clock += 1_000;
        await vi.advanceTimersByTimeAsync(1_000);
      }
      // Twenty seconds blocked: a poll a second at most (claim and next-due check), never a spin.
      expect(calls).toBeLessThanOrEqual(2 * 20 + 2);
      down = false;
      clock += 10_000;
      await vi.advanceTimersByTimeAsync(10_000);
      await finished.atLeast(6);
      expect(sent).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await r.stop();
    }
  });

  it('reports idle once everything ready has run', async () => {
    const ran: number[] = [];
    const r = runner([{ kind: 'k', perform: async (p) => void ran.push((p as { i: number }).i) }], { jobs: store.jobQueue });
    r.start();
    try {
      await r.whenIdle();
      await store.jobs.enqueue([1, 2, 3].map((i) => ({ kind: 'k', payload: { i } })));
      r.wake();
      await r.whenIdle();
      expect(ran.sort()).toEqual([1, 2, 3]);
    } finally {
      await r.stop();
    }
  });
});
