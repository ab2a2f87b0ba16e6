/**
 * Event-loop delay and utilization and process memory. The delay monitor samples natively (no
 * JavaScript timer keeps the process alive) and is disabled by `stop()`. Delay and utilization
 * are measured over the time since the previous scrape: one Prometheus scraping an instance gets
 * every interval exactly once.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

const NS_PER_S = 1e9;

export function registerRuntimeMetrics(registry: Registry, prefix: string): { stop(): void } {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let utilizationMark = performance.eventLoopUtilization();

  new Gauge({
    name: `${prefix}event_loop_delay_seconds`,
    help: 'Event-loop delay since the previous scrape: quantile 0.5, 0.99 and 1 (the maximum).',
    labelNames: ['quantile'],
    registers: [registry],
    collect() {
      // Before the first sample the monitor's figures are meaningless (its minimum is huge).
      const sampled = delay.count > 0;
      this.set({ quantile: '0.5' }, sampled ? delay.percentile(50) / NS_PER_S : 0);
      this.set({ quantile: '0.99' }, sampled ? delay.percentile(99) / NS_PER_S : 0);
      this.set({ quantile: '1' }, sampled ? delay.max / NS_PER_S : 0);
      delay.reset();
    },
  });

  new Gauge({
    name: `${prefix}event_loop_utilization_ratio`,
    help: 'Share of the time since the previous scrape that the event loop spent running code (0 to 1).',
    registers: [registry],
    collect() {
      const next = performance.eventLoopUtilization();
      this.set(performance.eventLoopUtilization(next, utilizationMark).utilization);
      utilizationMark = next;
    },
  });

  new Gauge({
    name: `${prefix}process_memory_bytes`,
    help: 'Process memory by type: rss (resident set), heap_total, heap_used, external, array_buffers.',
    labelNames: ['type'],
    registers: [registry],
    collect() {
      const m = process.memoryUsage();
      this.set({ type: 'rss' }, m.rss);
      this.set({ type: 'heap_total' }, m.heapTotal);
      this.set({ type: 'heap_used' }, m.heapUsed);
      this.set({ type: 'external' }, m.external);
      this.set({ type: 'array_buffers' }, m.arrayBuffers);
    },
  });

  return { stop: () => delay.disable() };
}
