/**
 * The job runner over a real SQLite store: per-queue order, retries with backoff, parking after
 * N attempts, permanent failures, lease takeover after a crash, idempotent enqueue, and
 * giving way to a burst of webhooks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createJobRunner, type JobHandler, type JobRunner } from '../../server/bridge/job-runner.js';
import { backoffDelay, retryAfterOf } from '../../server/net/retry.js';
import { ValidationError, isRetryable } from '../../server/errors.js';
import { silentLogger } from '../../server/log.js';
import { openStore, type Store } from '../../server/store/index.js';

let dir: string;
let store: Store;
let clock: number;
const now = () => clock;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jobs-'));
  clock = 1_000_000;
  store = await openStore(`sqlite:${join(dir, 'db.sqlite')}`, now);
});
afterEach(async () => {
  vi.useRealTimers();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

type RunnerExtra = Partial<Pick<Parameters<typeof createJobRunner>[0], 'jobs' | 'maxAttempts' | 'workerId' | 'leaseMs' | 'concurrency' | 'shouldYield' | 'pollMs'>>;

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
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
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
