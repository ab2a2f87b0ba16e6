/**
 * Visitor → amojo on PostgreSQL (runs when BENCH_DATABASE_URL or TEST_DATABASE_URL names a server
 * the benchmark may create databases on): the flat-out phase of `bridge-delivery.ts` against one
 * instance, then against two instances on one fresh database with the visitors split between
 * them. Compared with the SQLite figure of the same run: one instance must reach 0.7× it, two
 * instances 1.0× one.
 *
 * This machine's speed drifts by a fifth and more from one 10 s window to the next (other tenants
 * of the host), enough to decide a ratio of two single runs either way. So one and two instances
 * run in alternating rounds (`BENCH_PG_ROUNDS`, default 3: one, two, two, one, one, two…), each
 * side's figure is the median of its rounds, and the row shows every round's ratio.
 */
import { createPostgresDatabase, postgresUrl } from '../../test/support/postgres.js';
import { startBridgeTarget } from './bridge-target.js';
import { fmt, percentile, type Row } from './rows.js';
import { openVisitors, sendMessages, type BenchVisitor } from './visitors.js';

export const benchPostgresUrl: string | undefined = process.env['BENCH_DATABASE_URL']?.trim() || postgresUrl;

export interface FlatOut {
  messagesPerSec: number;
  errors: number;
}

/** `instances` backends on one fresh database; every visitor sends flat out for `seconds`. */
export async function benchPostgresFlatOut(adminUrl: string, instances: number, seconds: number, visitors: number): Promise<FlatOut> {
  const database = await createPostgresDatabase(adminUrl);
  try {
    const bridge = await startBridgeTarget({ WEBCHAT_NO_LIMITS: '1', DATABASE_URL: database.url }, instances);
    try {
      const { receipts, siteKey } = bridge;
      const urls = [bridge.url, ...bridge.others.map((o) => o.url)];
      // Visitor i talks to instance i mod n: the load is split evenly.
      const groups: BenchVisitor[][] = await Promise.all(urls.map((u, i) => openVisitors(u, siteKey, Math.floor(visitors / urls.length) + (i < visitors % urls.length ? 1 : 0))));
      const acked: string[] = [];
      const run = (durationMs: number) =>
        Promise.all(urls.map((u, i) => sendMessages(u, groups[i]!, { durationMs, onAck: (a) => acked.push(a.text) })));
      await run(1000); // warm-up
      await receipts.until(acked, 30_000);
      const before = receipts.total;
      const t0 = Date.now();
      const sent = await run(seconds * 1000);
      // Read at once: what arrived by now is what was received by t1.
      const t1 = Date.now();
      const inWindow = receipts.total - before;
      await receipts.until(acked, 60_000);
      return { messagesPerSec: inWindow / ((t1 - t0) / 1000), errors: sent.reduce((n, s) => n + s.errors, 0) };
    } finally {
      await bridge.stop();
    }
  } finally {
    await database.dispose();
  }
}

const rounds = Math.max(1, Number(process.env['BENCH_PG_ROUNDS'] ?? 3));

/** The PostgreSQL rows beside `sqliteMessagesPerSec` (none without a server). */
export async function postgresDeliveryRows(seconds: number, visitors: number, sqliteMessagesPerSec: number): Promise<Row[]> {
  if (!benchPostgresUrl) return [];
  const one: FlatOut[] = [];
  const two: FlatOut[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternating which goes first, so that a drift within a round favours neither side.
    const order = round % 2 === 0 ? [1, 2] : [2, 1];
    for (const n of order) (n === 1 ? one : two).push(await benchPostgresFlatOut(benchPostgresUrl, n, seconds, visitors));
  }
  const oneRate = percentile(one.map((r) => r.messagesPerSec), 50);
  const twoRate = percentile(two.map((r) => r.messagesPerSec), 50);
  const errors = (runs: FlatOut[]) => runs.reduce((n, r) => n + r.errors, 0);
  const r1 = oneRate / sqliteMessagesPerSec;
  const r2 = twoRate / oneRate;
  const each = one.map((o, i) => fmt(two[i]!.messagesPerSec / o.messagesPerSec, 2)).join(', ');
  const ofRounds = rounds > 1 ? `median of ${rounds} rounds, ` : '';
  return [
    {
      bench: 'visitor → amojo on PostgreSQL, one instance / SQLite',
      figure: `${fmt(oneRate)} / ${fmt(sqliteMessagesPerSec)} msg/s = ${fmt(r1, 2)}× (${ofRounds}errors ${errors(one)})`,
      target: '≥ 0.70×',
      met: r1 >= 0.7 && errors(one) === 0,
    },
    {
      bench: 'visitor → amojo on PostgreSQL, two instances / one',
      figure: `${fmt(twoRate)} / ${fmt(oneRate)} msg/s = ${fmt(r2, 2)}× (${ofRounds}each round ${each}; visitors split between them; errors ${errors(two)})`,
      target: '≥ 1.00×',
      met: r2 >= 1 && errors(two) === 0,
    },
  ];
}
