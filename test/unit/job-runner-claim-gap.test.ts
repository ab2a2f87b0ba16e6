/**
 * The gap between claims (`claimGapMs`): while jobs keep finishing, a freed slot waits for the gap
 * to pass so that one claim refills every slot freed meanwhile; once every slot is free the claim
 * happens at once. Without a gap each freed slot claims at once. An in-memory queue counts claims.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createJobRunner, type JobQueueStore, type JobRecord, type JobRunner } from '../../server/bridge/job-runner.js';

function memoryQueue(count: number) {
  const waiting: JobRecord[] = Array.from({ length: count }, (_, i) => ({ id: i + 1, kind: 'k', payload: '{}', attempts: 0, queue_key: `q${i}` }));
  const store = {
    claims: 0,
    async claim(_worker: string, limit: number) {
      store.claims++;
      return waiting.splice(0, limit).map((j) => ({ ...j, attempts: j.attempts + 1 }));
    },
    complete: async () => undefined,
    retryLater: async () => undefined,
    bury: async () => undefined,
    renew: async (_w: string, ids: number[]) => ids,
    nextRunAfter: async () => (waiting.length > 0 ? 0 : undefined),
  } satisfies JobQueueStore & { claims: number };
  return store;
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
let runner: JobRunner | undefined;
let release = new Map<number, () => void>();

afterEach(async () => {
  // Every job still running ends, so that the runner can stop.
  const stopping = runner?.stop();
  for (const done of release.values()) done();
  await stopping;
  runner = undefined;
});

function start(claimGapMs: number) {
  const queue = memoryQueue(9);
  release = new Map<number, () => void>();
  runner = createJobRunner({
    jobs: queue,
    handlers: [{ kind: 'k', perform: (_p, ctx) => new Promise<void>((r) => release.set(ctx.jobId, r)) }],
    logger: silent,
    now: Date.now,
    isRetryable: () => false,
    retryDelay: () => 0,
    concurrency: 3,
    pollMs: 60_000,
    claimGapMs,
  });
  runner.start();
  return { queue, release, runner };
}

describe('job runner: gap between claims', () => {
  it('refills the slots freed within the gap with one claim, at once when every slot is free', async () => {
    const { queue, release, runner: r } = start(60_000);
    await vi.waitFor(() => expect(release.size).toBe(3));
    expect(queue.claims).toBe(1);
    release.get(1)!();
    release.get(2)!();
    // Two slots free, one job still running: no claim inside the gap.
    await vi.waitFor(() => expect(r.activeCount).toBe(1));
    expect(queue.claims).toBe(1);
    release.get(3)!();
    // Every slot free: the claim does not wait for the gap, and takes three at once.
    await vi.waitFor(() => expect(release.size).toBe(6));
    expect(queue.claims).toBe(2);
  });

  it('without a gap, a freed slot claims at once', async () => {
    const { queue, release } = start(0);
    await vi.waitFor(() => expect(release.size).toBe(3));
    release.get(1)!();
    await vi.waitFor(() => expect(release.size).toBe(4));
    expect(queue.claims).toBe(2);
  });
});
