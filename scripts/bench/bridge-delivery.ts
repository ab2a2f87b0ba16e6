/**
 * Visitor message → amojo, against the real backend in a child process; the amojo emulator runs
 * in this process, answers at once and stamps each message as it receives it. 50 visitors:
 *   1. throughput: each posts its next message as soon as the previous one is acknowledged (202),
 *      for N seconds: messages/s reaching amojo;
 *   2. latency at the target rate: each posts 10 messages/s (500/s together) for N seconds: added
 *      latency from the acknowledgement to amojo's receipt (a saturated system only measures its
 *      own queue, so latency is taken at the rate the target names);
 *   3. memory: topped up to at least 10,000 messages, then the backend's RSS.
 * With a PostgreSQL server, phase 1 then runs on one and on two PostgreSQL instances
 * (`postgres-delivery.ts`).
 */
import { fmt, percentile, type Benchmark } from './rows.js';
import { startBridgeTarget } from './bridge-target.js';
import { postgresDeliveryRows } from './postgres-delivery.js';
import { openVisitors, sendMessages, type Acknowledged } from './visitors.js';

export interface BridgeDeliveryResult {
  visitors: number;
  seconds: number;
  /** Phase 1: messages amojo received per second while every visitor sent flat out. */
  maxMessagesPerSec: number;
  /** Phase 1: POST → 202, p99 ms. */
  ackP99: number;
  /** Phase 1: acknowledged and not yet at amojo when the phase ended (a backlog that grew). */
  behind: number;
  /** Phase 2: messages amojo received per second at the paced rate. */
  pacedMessagesPerSec: number;
  /** Phase 2: acknowledgement → amojo receipt, ms. */
  p50: number;
  p99: number;
  /** Total messages through the backend when RSS was read. */
  totalMessages: number;
  rssBytes: number;
  errors: number;
}

export async function benchBridgeDelivery(seconds = 10, visitors = 50, rssAfter = 10_000, pacedPerVisitorPerSec = 10): Promise<BridgeDeliveryResult> {
  const bridge = await startBridgeTarget({
    WEBCHAT_NO_LIMITS: '1',
    // e.g. `--max-old-space-size=128`, to see the backend's memory under a heap cap.
    ...(process.env['BENCH_BACKEND_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['BENCH_BACKEND_NODE_OPTIONS'] } : {}),
  });
  const { receipts, url, siteKey } = bridge;
  try {
    const sessions = await openVisitors(url, siteKey, visitors);
    const ackAt = new Map<string, number>();
    let errors = 0;

    /** Every visitor sends until the time is up (every `intervalMs` when paced). */
    async function run(durationMs: number, opts: { intervalMs?: number; maxTotal?: number } = {}): Promise<{ texts: Set<string>; ackMs: number[] }> {
      const sent = await sendMessages(url, sessions, {
        durationMs,
        ...(opts.intervalMs ? { intervalMs: opts.intervalMs } : {}),
        enough: () => ackAt.size >= (opts.maxTotal ?? Infinity),
        onAck: (a: Acknowledged) => ackAt.set(a.text, a.ackedAt),
      });
      errors += sent.errors;
      return { texts: new Set(sent.acked.map((a) => a.text)), ackMs: sent.acked.map((a) => a.ackMs) };
    }

    const drain = (timeoutMs: number) => receipts.until(ackAt.keys(), timeoutMs);
    /**
     * Messages of a phase amojo received by `endedAt` (its receipt stamp), and the added latency of
     * each received by now; a phase's text is sent once, so its first receipt is its only one.
     */
    function measure(texts: Set<string>, endedAt: number): { inWindow: number; added: number[] } {
      let inWindow = 0;
      const added: number[] = [];
      for (const text of texts) {
        const receivedAt = receipts.receivedAt(text);
        if (receivedAt === undefined) continue;
        if (receivedAt <= endedAt) inWindow++;
        // Received before the 202 reached the visitor: nothing added.
        added.push(Math.max(0, receivedAt - ackAt.get(text)!));
      }
      return { inWindow, added };
    }

    await run(1000); // warm-up
    await drain(30_000);

    let t0 = Date.now();
    const flatOut = await run(seconds * 1000);
    const max = measure(flatOut.texts, Date.now());
    const maxMessagesPerSec = max.inWindow / ((Date.now() - t0) / 1000);
    await drain(60_000);

    t0 = Date.now();
    const paced = await run(seconds * 1000, { intervalMs: 1000 / pacedPerVisitorPerSec });
    const pacedEnd = Date.now();
    await drain(60_000);
    const atRate = measure(paced.texts, pacedEnd);

    // Top up to the memory mark, then read the backend's memory once everything went through.
    if (ackAt.size < rssAfter) {
      await run(120_000, { maxTotal: rssAfter });
      await drain(60_000);
    }
    const rssBytes = Number(await bridge.child.request('rss'));
    if (process.env['BENCH_MEMORY']) process.stderr.write(`backend memory: ${await bridge.child.request('memory')}\n`);
    return {
      visitors,
      seconds,
      maxMessagesPerSec,
      ackP99: Math.round(percentile(flatOut.ackMs, 99) * 10) / 10,
      behind: flatOut.texts.size - max.inWindow,
      pacedMessagesPerSec: atRate.inWindow / ((pacedEnd - t0) / 1000),
      p50: percentile(atRate.added, 50),
      p99: percentile(atRate.added, 99),
      totalMessages: receipts.total,
      rssBytes,
      errors,
    };
  } finally {
    await bridge.stop();
  }
}

// `tsx scripts/bench/bridge-delivery.ts` runs this bench alone and prints its figures as JSON.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  benchBridgeDelivery(Number(process.env['BENCH_SECONDS'] ?? 10)).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}

export const bridgeDeliveryBenchmark: Benchmark = {
  name: 'visitor',
  async run(seconds) {
    const d = await benchBridgeDelivery(seconds, 50);
    const mb = d.rssBytes / 1024 / 1024;
    return [
      {
        bench: 'visitor → amojo: throughput',
        figure: `${fmt(d.maxMessagesPerSec)} msg/s (${d.visitors} visitors sending flat out; ack p99 ${fmt(d.ackP99, 1)} ms; behind at the end ${fmt(d.behind)}; errors ${d.errors})`,
        target: '≥ 1,000 msg/s',
        met: d.maxMessagesPerSec >= 1000 && d.errors === 0,
      },
      {
        bench: 'visitor → amojo: added latency',
        figure: `p50 ${fmt(d.p50)} ms, p99 ${fmt(d.p99)} ms at ${fmt(d.pacedMessagesPerSec)} msg/s (202 → amojo receipt)`,
        target: 'p99 ≤ 50 ms',
        met: d.p99 <= 50,
      },
      { bench: 'visitor → amojo: backend RSS', figure: `${fmt(mb)} MB after ${d.totalMessages} messages`, target: '≤ 150 MB', met: mb <= 150 },
      // With a PostgreSQL server: the same flat-out phase on one and on two instances.
      ...(await postgresDeliveryRows(seconds, 50, d.maxMessagesPerSec)),
    ];
  },
};
