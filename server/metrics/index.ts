/**
 * The operator's metrics (`GET /metrics`, product.md): one prom-client registry per service
 * instance, never the global one, so several backends in one process (tests, benchmarks) keep
 * separate figures. Producers call the typed recording functions below; what the store or a
 * platform already knows (jobs, open streams) is read at scrape time instead of being tracked.
 */
import { Gauge, Histogram, Registry } from 'prom-client';
import type { JobCount } from '../store/index.js';
import { JOB_STATES } from '../store/schema.js';
import { registerRuntimeMetrics } from './runtime-metrics.js';
import { plainTally, tallyCounter } from './tally-counter.js';

export const METRICS_PREFIX = 'amochat_';

export type UpstreamService = 'amojo' | 'amocrm';
export type JobOutcome = 'ok' | 'error';

export interface MetricsSources {
  /** Jobs per kind and state, read on each scrape. */
  jobCounts(): Promise<JobCount[]>;
  /** Job kinds reported as 0 when none exists, so their series never vanish. */
  jobKinds(): readonly string[];
  /** Event streams open right now. */
  openStreams(): number;
  /** Webhook refusal reasons reported as 0 before the first refusal. */
  webhookRefusalReasons: readonly string[];
  /** A source failed during a scrape; the other metrics are still answered. */
  onCollectError(err: unknown): void;
}

export interface Metrics {
  /** Content-Type of `render()`'s text. */
  readonly contentType: string;
  /** Every metric in the Prometheus text exposition format. */
  render(): Promise<string>;
  webhookAccepted(): void;
  /** `reason` is the error code the hook was answered with. */
  webhookRefused(reason: string): void;
  jobFinished(kind: string, outcome: JobOutcome, seconds: number): void;
  /** `status` is undefined when no HTTP answer arrived. */
  upstreamCall(service: UpstreamService, status: number | undefined, seconds: number): void;
  /** Stops the event-loop monitor. */
  stop(): void;
}

const JOB_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const UPSTREAM_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  const name = (suffix: string) => METRICS_PREFIX + suffix;

  new Gauge({
    name: name('jobs'),
    help: 'Jobs in the store by kind and state (pending, waiting = queued behind an unfinished job of its conversation, running, dead = parked after its last attempt).',
    labelNames: ['kind', 'state'],
    registers: [registry],
    async collect() {
      let counts: JobCount[];
      try {
        counts = await sources.jobCounts();
      } catch (err) {
        this.reset();
        sources.onCollectError(err);
        return;
      }
      // Reset and set in one synchronous step, so concurrent scrapes never see a half-filled gauge.
      this.reset();
      for (const kind of sources.jobKinds()) for (const state of JOB_STATES) this.set({ kind, state }, 0);
      for (const c of counts) this.set({ kind: c.kind, state: c.state }, c.count);
    },
  });

  const jobDuration = new Histogram({
    name: name('job_duration_seconds'),
    help: 'Run time of one job attempt by kind and outcome (ok, error).',
    labelNames: ['kind', 'outcome'],
    buckets: JOB_BUCKETS,
    registers: [registry],
  });

  const webhookAccepted = plainTally({
    registry,
    name: name('webhooks_accepted_total'),
    help: 'amojo webhooks stored and answered 200.',
  });
  const webhookRefused = tallyCounter({
    registry,
    name: name('webhooks_refused_total'),
    help: 'amojo webhooks refused, by the error code they were answered with.',
    labelName: 'reason',
    known: sources.webhookRefusalReasons,
  });

  const upstream = new Histogram({
    name: name('upstream_request_duration_seconds'),
    help: 'HTTP calls to amojo and amoCRM by service and status (the HTTP status, or "network_error" when no answer came), with their latency.',
    labelNames: ['service', 'status'],
    buckets: UPSTREAM_BUCKETS,
    registers: [registry],
  });

  new Gauge({
    name: name('event_streams_open'),
    help: 'Website-chat event streams (SSE) open right now on this instance.',
    registers: [registry],
    collect() {
      this.set(sources.openStreams());
    },
  });

  const runtime = registerRuntimeMetrics(registry, METRICS_PREFIX);

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    webhookAccepted,
    webhookRefused,
    jobFinished(kind, outcome, seconds) {
      jobDuration.observe({ kind, outcome }, seconds);
    },
    upstreamCall(service, status, seconds) {
      upstream.observe({ service, status: status === undefined ? 'network_error' : String(status) }, seconds);
    },
    stop: () => runtime.stop(),
  };
}
