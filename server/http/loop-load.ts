/**
 * How busy the event loop has been lately: its utilization (the share of time spent running
 * code rather than waiting for I/O) over the last `windowMs`. Reading it costs a clock read; the
 * window moves on when a read finds it complete, so no timer runs.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface LoopLoad {
  /** Utilization between 0 and 1 over the last complete window. */
  utilization(): number;
}

export function createLoopLoad(windowMs = 50): LoopLoad {
  let mark: EventLoopUtilization = performance.eventLoopUtilization();
  let markedAt = performance.now();
  let last = 0;
  return {
    utilization() {
      const t = performance.now();
      if (t - markedAt >= windowMs) {
        last = performance.eventLoopUtilization(mark).utilization;
        mark = performance.eventLoopUtilization();
        markedAt = t;
      }
      return last;
    },
  };
}
