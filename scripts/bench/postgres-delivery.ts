/**
 * Visitor → amojo on PostgreSQL (runs when BENCH_DATABASE_URL or TEST_DATABASE_URL names a server
 * the benchmark may create databases on): the flat-out phase of `bridge-delivery.ts` against one
 * instance, then against two instances on one fresh database with the visitors split between
 * them. Compared with the SQLite figure of the same run: one instance must reach 0.7× it, two
 * instances 1.0× one.
 */
import { createPostgresDatabase, postgresUrl } from '../../test/support/postgres.js';
import { startBridgeTarget } from './bridge-target.js';
import { fmt, type Row } from './rows.js';
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

/** The PostgreSQL rows beside `sqliteMessagesPerSec` (none without a server). */
export async function postgresDeliveryRows(seconds: number, visitors: number, sqliteMessagesPerSec: number): Promise<Row[]> {
  if (!benchPostgresUrl) return [];
  const one = await benchPostgresFlatOut(benchPostgresUrl, 1, seconds, visitors);
  const two = await benchPostgresFlatOut(benchPostgresUrl, 2, seconds, visitors);
  const r1 = one.messagesPerSec / sqliteMessagesPerSec;
  const r2 = two.messagesPerSec / one.messagesPerSec;
  return [
    {
      bench: 'visitor → amojo on PostgreSQL, one instance / SQLite',
      figure: `${fmt(one.messagesPerSec)} / ${fmt(sqliteMessagesPerSec)} msg/s = ${fmt(r1, 2)}× (errors ${one.errors})`,
      target: '≥ 0.70×',
      met: r1 >= 0.7 && one.errors === 0,
    },
    {
      bench: 'visitor → amojo on PostgreSQL, two instances / one',
      figure: `${fmt(two.messagesPerSec)} / ${fmt(one.messagesPerSec)} msg/s = ${fmt(r2, 2)}× (visitors split between them; errors ${two.errors})`,
      target: '≥ 1.00×',
      met: r2 >= 1 && two.errors === 0,
    },
  ];
}
