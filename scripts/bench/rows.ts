/** One line of the benchmark table, and the shape every benchmark module exports. */
export interface Row {
  bench: string;
  figure: string;
  target: string;
  /** undefined: a figure with no target (a baseline). */
  met: boolean | undefined;
}

export interface Benchmark {
  /** Short name for `BENCH_ONLY=name1,name2`. */
  name: string;
  run(seconds: number): Promise<Row[]>;
}

export const fmt = (n: number, digits = 0): string => n.toFixed(digits);

/** The value below which `p` % of `values` lie (NaN for none). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
