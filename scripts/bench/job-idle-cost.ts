/**
 * Idle cost of the job runner: one conversation blocked by an amojo outage (its head job fails and
 * waits for its retry, nine more wait behind it) while nothing else happens. Counts the runner's
 * calls into the job store, each one statement or one transaction, per second of wall-clock time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJobRunner } from '../../server/bridge/job-runner.js';
import { isRetryable } from '../../server/errors.js';
import { silentLogger } from '../../server/log.js';
import { JOB_BACKOFF, backoffDelay, retryAfterOf } from '../../server/net/retry.js';
import { openStore } from '../../server/store/index.js';
import { fmt, type Benchmark, type Row } from './rows.js';

const TARGET_PER_SECOND = 20;

export const jobIdleCostBenchmark: Benchmark = {
  name: 'job-idle-cost',
  async run(seconds: number): Promise<Row[]> {
    const dir = mkdtempSync(join(tmpdir(), 'bench-idle-'));
    const store = await openStore(`sqlite:${join(dir, 'app.sqlite')}`);
    let calls = 0;
    const counted = Object.fromEntries(
      Object.entries(store.jobQueue).map(([name, fn]) => [name, (...args: unknown[]) => (calls++, (fn as (...a: unknown[]) => unknown)(...args))]),
    ) as unknown as typeof store.jobQueue;
    const outage = Object.assign(new Error('amojo answered 503'), { retryable: true });
    const runner = createJobRunner({
      jobs: counted,
      handlers: [{ kind: 'send', perform: () => Promise.reject(outage) }],
      logger: silentLogger(),
      now: Date.now,
      isRetryable,
      // The outage lasts longer than the run: the head job's first retry is far enough out.
      retryDelay: (attempt, err) => Math.max(backoffDelay(JOB_BACKOFF, attempt, retryAfterOf(err)), seconds * 2000),
    });
    try {
      await store.jobs.enqueue(Array.from({ length: 10 }, (_, n) => ({ kind: 'send', payload: { n }, queueKey: 'blocked-conversation' })));
      runner.start();
      await new Promise<void>((resolve) => {
        const off = runner.onJobFinished(() => (off(), resolve()));
      });
      await runner.whenIdle();
      calls = 0;
      const started = performance.now();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const perSecond = calls / ((performance.now() - started) / 1000);
      return [
        {
          bench: 'idle cost: job-store statements/s while one conversation is blocked by an amojo outage',
          figure: `${fmt(perSecond, 1)}/s`,
          target: `≤ ${TARGET_PER_SECOND}/s`,
          met: perSecond <= TARGET_PER_SECOND,
        },
      ];
    } finally {
      await runner.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
