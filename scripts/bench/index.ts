/**
 * `npm run bench`: runs the benchmarks and prints one table with each figure, its target and
 * whether it is met. Targets are ratios against a bare route where machines are noisy.
 * `BENCH_SECONDS` shortens or lengthens each load phase (default 10).
 */
import { benchBridgeDelivery } from './bridge-delivery.js';
import { benchWebhookIngest } from './webhook-ingest.js';

interface Row {
  bench: string;
  figure: string;
  target: string;
  met: boolean | undefined;
}

const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const rows: Row[] = [];
const fmt = (n: number, digits = 0) => n.toFixed(digits);

async function main(): Promise<void> {
  const { ours, bare } = await benchWebhookIngest(seconds, 50);
  const rpsRatio = ours.requestsPerSec / bare.requestsPerSec;
  const p99Ratio = ours.p99 / Math.max(bare.p99, 1);
  rows.push(
    { bench: 'webhook ingest: ours', figure: `${fmt(ours.requestsPerSec)} req/s, p50 ${ours.p50} ms, p99 ${ours.p99} ms, non-2xx ${ours.non2xx}, errors ${ours.errors}`, target: '', met: ours.non2xx === 0 && ours.errors === 0 },
    { bench: 'webhook ingest: bare route', figure: `${fmt(bare.requestsPerSec)} req/s, p50 ${bare.p50} ms, p99 ${bare.p99} ms`, target: '', met: undefined },
    { bench: 'webhook ingest: req/s ratio', figure: fmt(rpsRatio, 2), target: '≥ 0.60', met: rpsRatio >= 0.6 },
    { bench: 'webhook ingest: p99 ratio', figure: fmt(p99Ratio, 2), target: '≤ 1.50', met: p99Ratio <= 1.5 },
  );
  const d = await benchBridgeDelivery(seconds, 50);
  const mb = d.rssBytes / 1024 / 1024;
  rows.push(
    {
      bench: 'visitor → amojo: throughput',
      figure: `${fmt(d.maxMessagesPerSec)} msg/s (${d.visitors} visitors sending flat out; ack p99 ${fmt(d.ackP99, 1)} ms; errors ${d.errors})`,
      target: '≥ 500 msg/s',
      met: d.maxMessagesPerSec >= 500 && d.errors === 0,
    },
    {
      bench: 'visitor → amojo: added latency',
      figure: `p50 ${fmt(d.p50)} ms, p99 ${fmt(d.p99)} ms at ${fmt(d.pacedMessagesPerSec)} msg/s (202 → amojo receipt)`,
      target: 'p99 ≤ 50 ms',
      met: d.p99 <= 50,
    },
    { bench: 'visitor → amojo: backend RSS', figure: `${fmt(mb)} MB after ${d.totalMessages} messages`, target: '≤ 200 MB', met: mb <= 200 },
  );
  print();
}

function print(): void {
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
