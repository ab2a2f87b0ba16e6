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
