/**
 * A Prometheus counter over one label whose increments are plain number additions. prom-client's
 * own `inc` builds a label hash string on every call; on the webhook route, the busiest of all,
 * that per-request allocation is measurable, so totals are kept in a map and handed to prom-client
 * only when scraped.
 */
import { Counter, type Registry } from 'prom-client';

export interface TallyCounterOptions {
  registry: Registry;
  name: string;
  help: string;
  labelName: string;
  /** Label values reported from the start (as 0), so a series exists before its first event. */
  known?: readonly string[];
}

export function tallyCounter(opts: TallyCounterOptions): (labelValue: string) => void {
  const totals = new Map<string, number>((opts.known ?? []).map((v) => [v, 0]));
  new Counter({
    name: opts.name,
    help: opts.help,
    labelNames: [opts.labelName],
    registers: [opts.registry],
    collect() {
      this.reset();
      for (const [value, total] of totals) this.inc({ [opts.labelName]: value }, total);
    },
  });
  return (labelValue) => {
    totals.set(labelValue, (totals.get(labelValue) ?? 0) + 1);
  };
}

/** The same for a counter without labels. */
export function plainTally(opts: Omit<TallyCounterOptions, 'labelName' | 'known'>): () => void {
  let total = 0;
  new Counter({
    name: opts.name,
    help: opts.help,
    registers: [opts.registry],
    collect() {
      this.reset();
      this.inc(total);
    },
  });
  return () => {
    total++;
  };
}
