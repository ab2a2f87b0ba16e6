/**
 * `npm run bench`: runs the benchmarks and prints one table with each figure, its target and
 * whether it is met. Targets are ratios against a bare route where machines are noisy.
 * `BENCH_SECONDS` shortens or lengthens each load phase (default 10); `BENCH_ONLY=name,…` runs
 * only the named benchmarks (names in the list below).
 */
import { bridgeDeliveryBenchmark } from './bridge-delivery.js';
import { coldStartBenchmark } from './cold-start.js';
import { crashRecoveryBenchmark } from './crash-recovery.js';
import { crossInstanceBenchmark } from './cross-instance.js';
import { edgeFloodBenchmark } from './edge-flood.js';
import { embedLoadBenchmark } from './embed-load.js';
import { headOfLineBenchmark } from './head-of-line.js';
import { jobBacklogBenchmark } from './job-backlog.js';
import { jobIdleCostBenchmark } from './job-idle-cost.js';
import type { Benchmark, Row } from './rows.js';
import { webhookIngestBenchmark } from './webhook-ingest.js';
import { telegramBenchmark } from './telegram.js';

const BENCHMARKS: Benchmark[] = [coldStartBenchmark, webhookIngestBenchmark, bridgeDeliveryBenchmark, edgeFloodBenchmark, jobIdleCostBenchmark, jobBacklogBenchmark, headOfLineBenchmark, crashRecoveryBenchmark, crossInstanceBenchmark, embedLoadBenchmark, telegramBenchmark];

const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const only = process.env['BENCH_ONLY']?.split(',').map((s) => s.trim()).filter(Boolean);

async function main(): Promise<void> {
  const unknown = (only ?? []).filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  const rows: Row[] = [];
  for (const b of BENCHMARKS) if (!only || only.includes(b.name)) rows.push(...(await b.run(seconds)));
  print(rows);
  if (rows.some((r) => r.met === false)) process.exitCode = 1;
}

function print(rows: Row[]): void {
  const head: Row = { bench: 'benchmark', figure: 'measured', target: 'target', met: undefined };
  const all = [head, ...rows];
  const w = (k: 'bench' | 'figure' | 'target') => Math.max(...all.map((r) => r[k].length));
  const line = (r: Row, mark: string) => `| ${r.bench.padEnd(w('bench'))} | ${r.figure.padEnd(w('figure'))} | ${r.target.padEnd(w('target'))} | ${mark.padEnd(4)} |`;
  process.stdout.write(`${line(head, 'ok?')}\n`);
  process.stdout.write(`|${'-'.repeat(w('bench') + 2)}|${'-'.repeat(w('figure') + 2)}|${'-'.repeat(w('target') + 2)}|------|\n`);
  for (const r of rows) process.stdout.write(`${line(r, r.met === undefined ? '' : r.met ? 'yes' : 'NO')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
