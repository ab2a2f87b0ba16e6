/**
 * Visitor message → amojo: 50 concurrent visitors post messages (each the next as soon as the
 * previous is acknowledged) for N seconds to the real backend in a child process; the amojo
 * emulator in this process answers at once and stamps each message as it receives it. Measures
 * messages/s reaching amojo and the added latency from the POST's acknowledgement (202) to that
 * receipt, then the backend's RSS once at least 10,000 messages have gone through.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAmojoEmulator } from '../../server/sandbox/amojo/index.js';
import { startChild } from './child.js';

export interface BridgeDeliveryResult {
  visitors: number;
  seconds: number;
  acknowledged: number;
  /** Messages amojo received during the load, per second. */
  messagesPerSec: number;
  /** Acknowledgement → amojo receipt, ms. */
  p50: number;
  p99: number;
  /** POST → 202, ms. */
  ackP99: number;
  /** Total messages through the backend when RSS was read. */
  totalMessages: number;
  rssBytes: number;
  errors: number;
}

const CHANNEL = { id: randomUUID(), secret: 'bench0bridge0channel0secret0000000000000', code: 'amo.ext.bench_bridge' };

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function benchBridgeDelivery(seconds = 10, visitors = 50, rssAfter = 10_000): Promise<BridgeDeliveryResult> {
  const emulator = createAmojoEmulator({ channels: [{ ...CHANNEL, webhookUrl: 'http://127.0.0.1:1/amojo/webhook/:scope_id' }] });
  const amojo = await emulator.listen();
  const dir = mkdtempSync(join(tmpdir(), 'bench-bridge-'));
  const port = await freePort();
  const target = await startChild('../../test/support/bridge-child.ts', [], {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: `sqlite:${join(dir, 'app.sqlite')}`,
    AMOJO_CHANNEL_ID: CHANNEL.id,
    AMOJO_CHANNEL_SECRET: CHANNEL.secret,
    AMOJO_CHANNEL_CODE: CHANNEL.code,
    AMOJO_BASE_URL: amojo.url,
    AMO_CLIENT_ID: 'bench-client',
    AMO_CLIENT_SECRET: 'bench-client-secret',
    SEED_ACCOUNT_AMOJO_ID: randomUUID(),
    WEBCHAT_NO_LIMITS: '1',
    LOG_LEVEL: 'silent',
    ...(process.env['CHILD_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['CHILD_NODE_OPTIONS'] } : {}),
  });
  const [url, siteKey, scopeId] = target.url.split(' ') as [string, string, string];
  try {
    const tokens = await Promise.all(
      Array.from({ length: visitors }, async () => {
        const res = await fetch(`${url}/webchat/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ site_key: siteKey }) });
        return ((await res.json()) as { visitor_token: string }).visitor_token;
      }),
    );
    const ackAt = new Map<string, number>();
    const ackLatency: number[] = [];
    let errors = 0;

    async function run(durationMs: number, maxTotal = Infinity): Promise<void> {
      const until = Date.now() + durationMs;
      await Promise.all(
        tokens.map(async (token, v) => {
          for (let n = 0; Date.now() < until && ackAt.size < maxTotal; n++) {
            const text = `visitor ${v} message ${n} ${randomUUID().slice(0, 8)}`;
            const sentAt = performance.now();
            try {
              const res = await fetch(`${url}/webchat/v1/messages`, {
                method: 'POST',
                headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                body: JSON.stringify({ client_msgid: text.replace(/ /g, '-'), text }),
              });
              await res.arrayBuffer();
              if (res.status !== 202) errors++;
              else {
                ackAt.set(text, Date.now());
                ackLatency.push(performance.now() - sentAt);
              }
            } catch {
              errors++;
            }
          }
        }),
      );
    }

    const received = () => emulator.chats(scopeId).flatMap((c) => emulator.messages(c.id));
    async function drain(timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (received().length < ackAt.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    }

    await run(1000); // warm-up
    await drain(30_000);
    const warm = new Set(ackAt.keys());
    ackLatency.length = 0;
    const startedAt = Date.now();
    await run(seconds * 1000);
    const endedAt = Date.now();
    await drain(60_000);

    const added: number[] = [];
    let inWindow = 0;
    for (const m of received()) {
      const at = ackAt.get(m.content.text);
      if (at === undefined || warm.has(m.content.text)) continue;
      if (m.createdAt <= endedAt) inWindow++;
      // Received before the 202 reached the visitor: nothing added.
      added.push(Math.max(0, m.createdAt - at));
    }
    added.sort((a, b) => a - b);
    const ackSorted = [...ackLatency].sort((a, b) => a - b);
    const acknowledged = ackAt.size - warm.size;

    // Top up to the RSS mark, then read the backend's memory once everything went through.
    if (ackAt.size < rssAfter) {
      await run(120_000, rssAfter);
      await drain(60_000);
    }
    const rssBytes = Number(await target.request('rss'));
    if (process.env['BENCH_MEMORY']) {
      process.stderr.write(`after: ${await target.request('memory')}\n`);
      await new Promise((r) => setTimeout(r, 5000));
      process.stderr.write(`5 s later: ${await target.request('memory')}\n`);

    }
    return {
      visitors,
      seconds,
      acknowledged,
      messagesPerSec: inWindow / ((endedAt - startedAt) / 1000),
      p50: percentile(added, 50),
      p99: percentile(added, 99),
      ackP99: Math.round(percentile(ackSorted, 99) * 10) / 10,
      totalMessages: received().length,
      rssBytes,
      errors,
    };
  } finally {
    await target.stop();
    await amojo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// `tsx scripts/bench/bridge-delivery.ts` runs this bench alone.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  benchBridgeDelivery(Number(process.env['BENCH_SECONDS'] ?? 10)).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
