/**
 * The one job runner, for outgoing calls and incoming events alike. Jobs live in the store
 * (`JobQueueStore`); each is leased while it runs, retried with exponential backoff on retryable
 * failures, and parked as dead after `maxAttempts` or on a permanent failure, with its last error.
 * Jobs of one queue key (one conversation) run strictly one after another.
 *
 * This file imports nothing from other server folders: the store and the error policy come in
 * as parameters.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export interface JobRecord {
  id: number;
  kind: string;
  payload: string;
  attempts: number;
  queue_key: string | null;
}

export interface JobQueueStore {
  claim(workerId: string, limit: number, leaseMs: number): Promise<JobRecord[]>;
  complete(id: number, workerId: string): Promise<void>;
  retryLater(id: number, workerId: string, runAfter: number, error: string): Promise<void>;
  bury(id: number, workerId: string, error: string): Promise<void>;
  nextRunAfter(): Promise<number | undefined>;
}

export interface JobContext {
  jobId: number;
  /** 1 on the first try. */
  attempt: number;
  /** True when this is the last try before the job is parked. */
  isLastAttempt: boolean;
}

export interface JobHandler<P = unknown> {
  readonly kind: string;
  /** Does the work. Must be safe to repeat: a crash after the effect and before `complete` reruns it. */
  perform(payload: P, ctx: JobContext): Promise<void>;
  /** Runs once when the job is parked as dead (e.g. report a delivery error). */
  onFailed?(payload: P, error: unknown, ctx: JobContext): Promise<void>;
}

interface RunnerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface JobRunnerOptions {
  jobs: JobQueueStore;
  handlers: JobHandler[];
  logger: RunnerLogger;
  now: () => number;
  /** Decides retry vs. park for a failure. */
  isRetryable: (err: unknown) => boolean;
  workerId?: string;
  /** Idle poll interval; `wake()` shortcuts it when work is enqueued in-process. */
  pollMs?: number;
  leaseMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Jobs run in parallel (from different queue keys). */
  concurrency?: number;
  /**
   * True while requests that must be answered fast need the whole process: a burst of amoCRM
   * webhooks (5 seconds to answer, never retried) that keeps the event loop busy. Meanwhile the
   * runner pauses between batches; what the requests stored waits for the burst to end, and one
   * batch still runs at least every second. Work that merely arrives often (the loop has room)
   * is never held back.
   */
  shouldYield?: () => boolean;
}

export type JobRunner = ReturnType<typeof createJobRunner>;

export function createJobRunner(opts: JobRunnerOptions) {
  const workerId = opts.workerId ?? `worker-${randomUUID()}`;
  const pollMs = opts.pollMs ?? 1_000;
  const leaseMs = opts.leaseMs ?? 120_000;
  const maxAttempts = opts.maxAttempts ?? 12;
  const baseDelayMs = opts.baseDelayMs ?? 1_000;
  const maxDelayMs = opts.maxDelayMs ?? 10 * 60_000;
  const concurrency = opts.concurrency ?? 32;
  /** However busy the process, a batch runs at least this often. */
  const maxStarvationMs = 1_000;
  const yieldSliceMs = 20;
  const handlers = new Map<string, JobHandler>();
  for (const h of opts.handlers) register(h);

  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let wakePending = false;

  function register(handler: JobHandler): void {
    if (handlers.has(handler.kind)) throw new Error(`job handler for ${handler.kind} registered twice`);
    handlers.set(handler.kind, handler as JobHandler);
  }

  function retryDelay(attempt: number): number {
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  async function runJob(job: JobRecord): Promise<void> {
    // Database work completes in microtasks, which never let I/O in: starting each job in its
    // own macrotask keeps a batch of jobs from holding up request handling for its whole length.
    await new Promise<void>((r) => setImmediate(r));
    const handler = handlers.get(job.kind);
    const ctx: JobContext = { jobId: job.id, attempt: job.attempts, isLastAttempt: job.attempts >= maxAttempts };
    if (!handler) {
      await opts.jobs.bury(job.id, workerId, `no handler for job kind ${job.kind}`);
      opts.logger.error({ jobId: job.id, kind: job.kind }, 'job parked: no handler');
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(job.payload);
      await handler.perform(payload, ctx);
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      if (opts.isRetryable(err) && job.attempts < maxAttempts) {
        const runAfter = opts.now() + retryDelay(job.attempts);
        await opts.jobs.retryLater(job.id, workerId, runAfter, message);
        opts.logger.warn({ jobId: job.id, kind: job.kind, attempt: job.attempts, err: message }, 'job failed; will retry');
        return;
      }
      await opts.jobs.bury(job.id, workerId, message);
      opts.logger.error({ jobId: job.id, kind: job.kind, attempt: job.attempts, err: message }, 'job parked as dead');
      if (handler.onFailed) {
        try {
          await handler.onFailed(payload, err, ctx);
        } catch (hookErr) {
          opts.logger.error({ jobId: job.id, err: String(hookErr) }, 'onFailed of a parked job failed');
        }
      }
      return;
    }
    await opts.jobs.complete(job.id, workerId);
  }

  /** Claims and runs one batch of ready jobs; returns how many ran. */
  async function runBatch(): Promise<number> {
    const batch = await opts.jobs.claim(workerId, concurrency, leaseMs);
    await Promise.all(batch.map(runJob));
    return batch.length;
  }

  /** Claims and runs ready jobs until none is left; returns how many ran. */
  async function runReady(): Promise<number> {
    let total = 0;
    for (let ran = await runBatch(); ran > 0; ran = await runBatch()) total += ran;
    return total;
  }

  /** During a burst of requests that must be answered fast, gives them the process (`shouldYield`). */
  async function yieldToRequests(): Promise<void> {
    if (!opts.shouldYield) return;
    const started = performance.now();
    while (running && opts.shouldYield() && performance.now() - started < maxStarvationMs) {
      await new Promise<void>((r) => setTimeout(r, yieldSliceMs));
    }
  }

  async function sleepUntilWork(): Promise<void> {
    if (wakePending) {
      wakePending = false;
      return;
    }
    const next = await opts.jobs.nextRunAfter();
    const wait = next === undefined ? pollMs : Math.max(0, Math.min(pollMs, next - opts.now()));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  return {
    workerId,
    register,
    runReady,
    /** Starts the background loop. */
    start(): void {
      if (running) return;
      running = true;
      loop = (async () => {
        while (running) {
          let ran = 0;
          try {
            ran = await runBatch();
          } catch (err) {
            opts.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'job loop error');
          }
          if (!running) break;
          if (ran > 0) await yieldToRequests();
          else await sleepUntilWork();
        }
      })();
    },
    /** Tells an idle loop that work was just enqueued. */
    wake(): void {
      if (wakeUp) wakeUp();
      else wakePending = true;
    },
    /** Stops taking jobs and waits for the ones in progress. */
    async stop(): Promise<void> {
      running = false;
      wakeUp?.();
      await loop;
      loop = undefined;
    },
  };
}
