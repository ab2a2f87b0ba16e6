/**
 * The one job runner, for outgoing calls and incoming events alike. Jobs live in the store
 * (`JobQueueStore`); each is leased while it runs, retried later on retryable failures, and
 * parked as dead after `maxAttempts` or on a permanent failure, with its last error. Jobs of one
 * queue key (one conversation) run strictly one after another.
 *
 * - A pool of `concurrency` slots is refilled as soon as a slot frees: a slow conversation holds
 *   one slot, never the others' work.
 * - Leases are short and renewed by a heartbeat (one statement for all running jobs), so the jobs
 *   of a process that died are taken over within a lease.
 * - With nothing ready, the runner sleeps until the earliest due job (a conversation blocked
 *   behind a job waiting for its retry costs nothing until then), `wake()`, or a poll interval
 *   (work enqueued by another process).
 *
 * This file imports nothing from other server folders: the store, the error policy and the
 * backoff come in as parameters.
 */
import { randomUUID } from 'node:crypto';

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
  /** Extends the leases of these jobs still held by `workerId`; answers the ids it still holds. */
  renew(workerId: string, ids: number[], leaseMs: number): Promise<number[]>;
  /** When the earliest job that could be claimed becomes due (0: now), ignoring jobs queued behind another. */
  nextRunAfter(): Promise<number | undefined>;
  /** Hands back jobs a previous process left running, where no other process can hold them (SQLite). */
  releaseAbandoned?(): Promise<number>;
}

export interface JobContext {
  jobId: number;
  /** 1 on the first try. */
  attempt: number;
  /** True when this is the last try before the job is parked. */
  isLastAttempt: boolean;
  /** Aborted when the lease was lost (another worker took the job over): stop before further effects. */
  signal: AbortSignal;
  /** This run's hold on the job: what the store needs to end it inside the handler's own transaction. */
  readonly lease: JobLease;
  /**
   * The handler ended the job in its own last transaction (the store's `finish` with `lease`),
   * which committed: the runner records nothing more for it, and runs `next`, the queue's next
   * jobs that transaction handed to this worker, in the slot it frees.
   */
  finished(next: JobRecord[]): void;
}

/**
 * A job as held by one worker. With `handOff`, ending it also leases its queue's next job, when
 * that is due, to the same worker: a conversation's next message starts as the last one's
 * transaction commits, with no claim in between. Without it (the runner is stopping, yielding to
 * a burst of requests, or has every slot busy) the next job is only made claimable.
 */
export interface JobLease {
  jobId: number;
  queueKey: string | null;
  workerId: string;
  leaseMs: number;
  handOff: boolean;
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

/** How one run of a job ended. `lost`: the lease went to another worker meanwhile; nothing was recorded. */
export type JobOutcome = 'completed' | 'retry' | 'dead' | 'lost';

export interface JobFinished {
  id: number;
  kind: string;
  attempt: number;
  outcome: JobOutcome;
}

export interface JobRunnerOptions {
  jobs: JobQueueStore;
  handlers: JobHandler[];
  logger: RunnerLogger;
  now: () => number;
  /** Decides retry vs. park for a failure. */
  isRetryable: (err: unknown) => boolean;
  /** Delay before the next try after failed try number `attempt` (the one backoff policy). */
  retryDelay: (attempt: number, err: unknown) => number;
  workerId?: string;
  /** Longest sleep with nothing due: picks up work enqueued by another process. */
  pollMs?: number;
  /** Lease of a running job; renewed every third of it while the job runs. */
  leaseMs?: number;
  maxAttempts?: number;
  /** Jobs run in parallel (from different queue keys). */
  concurrency?: number;
  /**
   * True while requests that must be answered fast need the whole process: a burst of amoCRM
   * webhooks (5 seconds to answer, never retried) that keeps the event loop busy. Meanwhile the
   * runner pauses between claims; what the requests stored waits for the burst to end, and one
   * claim still happens at least every second. Work that merely arrives often (the loop has room)
   * is never held back.
   */
  shouldYield?: () => boolean;
  /**
   * While jobs keep finishing, a claim waits until this long after the previous one, so that it
   * fills every slot freed meanwhile in one statement instead of one claim per freed slot. A claim
   * after a quiet spell is never delayed. 0 (the default): every freed slot claims at once.
   */
  claimGapMs?: number;
}

/** A job of a process that dies is taken over within this (plus one poll interval). */
export const DEFAULT_LEASE_MS = 12_000;
export const DEFAULT_MAX_ATTEMPTS = 12;

export type JobRunner = ReturnType<typeof createJobRunner>;

interface ActiveJob {
  /** Made when a handler first asks for the signal (few do; an AbortSignal is costly to make). */
  controller?: AbortController;
  lost: boolean;
  done?: Promise<void>;
  /** Set when the handler ended the job in its own transaction: the jobs handed on with it. */
  next?: JobRecord[];
}

/** The job's abort signal, made on first use; aborted at once when the lease is already lost. */
function signalOf(entry: ActiveJob): AbortSignal {
  if (!entry.controller) {
    entry.controller = new AbortController();
    if (entry.lost) entry.controller.abort();
  }
  return entry.controller.signal;
}

export function createJobRunner(opts: JobRunnerOptions) {
  const workerId = opts.workerId ?? `worker-${randomUUID()}`;
  const pollMs = opts.pollMs ?? 1_000;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const concurrency = opts.concurrency ?? 32;
  /** However busy the process, a claim happens at least this often. */
  const maxStarvationMs = 1_000;
  const yieldSliceMs = 20;
  const claimGapMs = opts.claimGapMs ?? 0;
  let lastClaimAt = -Infinity;
  const handlers = new Map<string, JobHandler>();
  for (const h of opts.handlers) register(h);

  const active = new Map<number, ActiveJob>();
  const finishedListeners = new Set<(e: JobFinished) => void>();
  let idleWaiters: Array<() => void> = [];
  let running = false;
  let loop: Promise<void> | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let renewing = false;
  /** Set by `wake()` and by a freed slot; consumed by the next claim. */
  let signalled = false;
  let wakeUp: (() => void) | undefined;
  let idle = false;

  function register(handler: JobHandler): void {
    if (handlers.has(handler.kind)) throw new Error(`job handler for ${handler.kind} registered twice`);
    handlers.set(handler.kind, handler as JobHandler);
  }

  function signal(): void {
    signalled = true;
    idle = false;
    wakeUp?.();
  }

  function finished(e: JobFinished): void {
    for (const l of finishedListeners) {
      try {
        l(e);
      } catch (err) {
        opts.logger.error({ err: describe(err) }, 'job listener failed');
      }
    }
  }

  async function runJob(job: JobRecord, entry: ActiveJob): Promise<JobOutcome> {
    // Database work completes in microtasks, which never let I/O in: starting each job in its
    // own macrotask keeps a run of jobs from holding up request handling for its whole length.
    await new Promise<void>((r) => setImmediate(r));
    const handler = handlers.get(job.kind);
    const ctx: JobContext = {
      jobId: job.id,
      attempt: job.attempts,
      isLastAttempt: job.attempts >= maxAttempts,
      get signal() {
        return signalOf(entry);
      },
      lease: {
        jobId: job.id,
        queueKey: job.queue_key,
        workerId,
        leaseMs,
        // Read when the store ends the job: only the background loop takes jobs handed to it, and
        // only with a slot to spare. With every slot busy, other conversations may be waiting: the
        // next job then goes back to the claim, which takes the oldest ready jobs first, so a few
        // busy conversations cannot keep the slots from the rest.
        get handOff() {
          return running && !entry.lost && active.size < concurrency && !opts.shouldYield?.();
        },
      },
      finished(next) {
        entry.next = next;
      },
    };
    if (!handler) {
      await opts.jobs.bury(job.id, workerId, `no handler for job kind ${job.kind}`);
      opts.logger.error({ jobId: job.id, kind: job.kind }, 'job parked: no handler');
      return 'dead';
    }
    let payload: unknown;
    try {
      payload = JSON.parse(job.payload);
      await handler.perform(payload, ctx);
    } catch (err) {
      // Ended in the handler's own transaction: done, whatever failed after that commit.
      if (entry.next) {
        opts.logger.error({ jobId: job.id, kind: job.kind, err: describe(err) }, 'job failed after it was recorded as done');
        return 'completed';
      }
      // The new lease holder runs the job; this worker records nothing (the store refuses it too).
      if (entry.lost) return 'lost';
      const message = describe(err);
      if (opts.isRetryable(err) && job.attempts < maxAttempts) {
        const runAfter = opts.now() + opts.retryDelay(job.attempts, err);
        await opts.jobs.retryLater(job.id, workerId, runAfter, message);
        opts.logger.warn({ jobId: job.id, kind: job.kind, attempt: job.attempts, err: message }, 'job failed; will retry');
        return 'retry';
      }
      await opts.jobs.bury(job.id, workerId, message);
      opts.logger.error({ jobId: job.id, kind: job.kind, attempt: job.attempts, err: message }, 'job parked as dead');
      if (handler.onFailed) {
        try {
          await handler.onFailed(payload, err, ctx);
        } catch (hookErr) {
          opts.logger.error({ jobId: job.id, err: describe(hookErr) }, 'onFailed of a parked job failed');
        }
      }
      return 'dead';
    }
    if (entry.next) return 'completed';
    if (entry.lost) return 'lost';
    await opts.jobs.complete(job.id, workerId);
    return 'completed';
  }

  /** Runs a claimed job in a slot; the slot, once free, is refilled at once. */
  function launch(job: JobRecord): boolean {
    // Our own job whose lease lapsed (the process stalled past it) comes back from a claim: it is
    // still running here, and must not run a second time alongside.
    if (active.has(job.id)) return false;
    const entry: ActiveJob = { lost: false };
    active.set(job.id, entry);
    entry.done = runJob(job, entry)
      .catch((err: unknown) => {
        opts.logger.error({ jobId: job.id, kind: job.kind, err: describe(err) }, 'recording a job outcome failed');
        return 'lost' as const;
      })
      .then((outcome) => {
        active.delete(job.id);
        // Jobs handed to this worker with the end of this one: leased already, nobody else runs them.
        for (const next of entry.next ?? []) launch(next);
        signal();
        finished({ id: job.id, kind: job.kind, attempt: job.attempts, outcome });
      });
    return true;
  }

  /**
   * Claims ready jobs for the free slots. `more`: the claim was capped by the free slots, so
   * further jobs may be ready; otherwise the claim took everything ready and the runner need not
   * ask again until a slot frees, a wake-up, or the next due time.
   */
  async function fillSlots(): Promise<{ started: number; more: boolean }> {
    const free = concurrency - active.size;
    if (free <= 0) return { started: 0, more: false };
    signalled = false;
    lastClaimAt = performance.now();
    const jobs = await opts.jobs.claim(workerId, free, leaseMs);
    let started = 0;
    for (const job of jobs) if (launch(job)) started++;
    return { started, more: jobs.length >= free };
  }

  /** One statement renews every lease this worker holds; a job found taken over is marked lost. */
  async function renewLeases(): Promise<void> {
    if (renewing || active.size === 0) return;
    renewing = true;
    try {
      const ids = [...active.keys()];
      const held = new Set(await opts.jobs.renew(workerId, ids, leaseMs));
      for (const id of ids) {
        const entry = active.get(id);
        if (!entry || held.has(id) || entry.lost) continue;
        entry.lost = true;
        entry.controller?.abort();
        opts.logger.warn({ jobId: id }, 'job lease lost to another worker; leaving the job to it');
      }
    } catch (err) {
      opts.logger.error({ err: describe(err) }, 'renewing job leases failed');
    } finally {
      renewing = false;
    }
  }

  /** During a burst of requests that must be answered fast, gives them the process (`shouldYield`). */
  async function yieldToRequests(): Promise<void> {
    if (!opts.shouldYield) return;
    for (let waited = 0; running && opts.shouldYield() && waited < maxStarvationMs; waited += yieldSliceMs) {
      await new Promise<void>((r) => setTimeout(r, yieldSliceMs));
    }
  }

  async function sleepUntilWork(): Promise<void> {
    if (signalled && active.size < concurrency) {
      // Jobs finishing together free their slots in one turn: one claim fills them all.
      await new Promise<void>((r) => setImmediate(r));
      return;
    }
    // With every slot busy a wake-up can do nothing until a slot frees (which signals again).
    signalled = false;
    let wait: number | undefined;
    // With every slot busy only a freed slot matters; otherwise the earliest due job does.
    if (active.size < concurrency) {
      const next = await opts.jobs.nextRunAfter();
      wait = next === undefined ? pollMs : Math.max(0, Math.min(pollMs, next - opts.now()));
    }
    if (signalled || !running) return;
    if (wait === 0) {
      // Due now yet nothing was claimable (another worker won it): let I/O in before trying again.
      await new Promise<void>((r) => setImmediate(r));
      return;
    }
    if (active.size === 0) becomeIdle();
    await new Promise<void>((resolve) => {
      const timer = wait === undefined ? undefined : setTimeout(done, wait);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  /** Waits out the gap between claims; cut short once every slot is free, or on stop. */
  function claimGap(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = () => {
        if (!running || active.size === 0) done();
      };
    });
  }

  function becomeIdle(): void {
    idle = true;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  async function runLoop(): Promise<void> {
    try {
      await opts.jobs.releaseAbandoned?.();
    } catch (err) {
      opts.logger.error({ err: describe(err) }, 'releasing abandoned jobs failed');
    }
    let claimedLast = false;
    while (running) {
      if (claimedLast) await yieldToRequests();
      const gap = lastClaimAt + claimGapMs - performance.now();
      if (gap > 0 && active.size > 0) await claimGap(gap);
      if (!running) break;
      let filled = { started: 0, more: false };
      try {
        filled = await fillSlots();
      } catch (err) {
        opts.logger.error({ err: describe(err) }, 'job loop error');
      }
      claimedLast = filled.started > 0;
      if (!running) break;
      // The claim filled every free slot: more may be ready; loop again once slots free up. A
      // claim that took fewer took all that was ready: asking again at once would find nothing.
      if (filled.more && filled.started > 0 && active.size < concurrency) continue;
      try {
        await sleepUntilWork();
      } catch (err) {
        opts.logger.error({ err: describe(err) }, 'job loop error');
        await new Promise<void>((r) => setTimeout(r, pollMs));
      }
    }
  }

  /** Claims and runs ready jobs until none is left; returns how many ran (tests, tools). */
  async function runReady(): Promise<number> {
    let total = 0;
    /** Runs the job, then the jobs handed on with its end (only while the loop runs too). */
    const runChain = async (job: JobRecord): Promise<void> => {
      const entry: ActiveJob = { lost: false };
      active.set(job.id, entry);
      try {
        await runJob(job, entry);
      } finally {
        active.delete(job.id);
      }
      total++;
      for (const next of entry.next ?? []) await runChain(next);
    };
    for (;;) {
      const jobs = await opts.jobs.claim(workerId, concurrency, leaseMs);
      if (jobs.length === 0) return total;
      await Promise.all(jobs.map(runChain));
    }
  }

  return {
    workerId,
    register,
    runReady,
    /** Starts the background loop and the lease heartbeat. */
    start(): void {
      if (running) return;
      running = true;
      idle = false;
      heartbeat = setInterval(() => void renewLeases(), Math.max(1, Math.floor(leaseMs / 3)));
      heartbeat.unref();
      loop = runLoop();
    },
    /** Tells a sleeping loop that work was just enqueued. */
    wake(): void {
      signal();
    },
    /** Jobs running now. */
    get activeCount(): number {
      return active.size;
    },
    /**
     * Resolves when the runner has no job running and none due: everything that was ready has
     * finished. Settles at once when it is idle already.
     */
    whenIdle(): Promise<void> {
      if (idle && !signalled) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    /** Calls `listener` after each run of a job, with its outcome; returns the unsubscribe. */
    onJobFinished(listener: (e: JobFinished) => void): () => void {
      finishedListeners.add(listener);
      return () => finishedListeners.delete(listener);
    },
    /** Stops taking jobs and waits for the ones in progress. */
    async stop(): Promise<void> {
      running = false;
      wakeUp?.();
      await loop;
      loop = undefined;
      // Running jobs finish (their leases still renewed meanwhile) before the store may close. A
      // job may hand on one more that its transaction leased before the stop: that one runs too.
      while (active.size > 0) await Promise.all([...active.values()].map((e) => e.done));
      clearInterval(heartbeat);
      heartbeat = undefined;
      becomeIdle();
    },
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
