/**
 * Wraps job handlers so that each attempt's run time lands in the job-duration histogram. The
 * runner sees the same kinds and the same failures: the wrapper only measures.
 */
import { performance } from 'node:perf_hooks';
import type { JobHandler } from '../bridge/job-runner.js';
import type { Metrics } from './index.js';

export function timedJobHandlers(handlers: readonly JobHandler[], metrics: Pick<Metrics, 'jobFinished'>): JobHandler[] {
  return handlers.map((handler) => ({
    ...handler,
    async perform(payload, ctx) {
      const started = performance.now();
      try {
        await handler.perform(payload, ctx);
        metrics.jobFinished(handler.kind, 'ok', (performance.now() - started) / 1000);
      } catch (err) {
        metrics.jobFinished(handler.kind, 'error', (performance.now() - started) / 1000);
        throw err;
      }
    },
  }));
}
