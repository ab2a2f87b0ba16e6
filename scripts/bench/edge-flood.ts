/**
 * The public edge under a header flood: 20,000 `POST /webchat/v1/sessions` with made-up site keys,
 * each with a distinct 8 KB `X-Forwarded-For`, against the real backend (default limits) in a
 * child process. Twice: with TRUST_PROXY unset (every request is the socket's one client), and
 * with TRUST_PROXY=1 and a distinct client address behind the proxy on every request (the
 * limiters fill to their key bound). Figures: the backend's RSS growth (peak during the flood
 * minus before it) and whether it is still alive and answering.
 */
import autocannon from 'autocannon';
import { startBridgeTarget } from './bridge-target.js';
import { fmt, type Benchmark } from './rows.js';
const REQUESTS = 20_000;
const HEADER_BYTES = 8 * 1024;

export interface EdgeFloodResult {
  trustProxy: string | undefined;
  requests: number;
  rssBeforeBytes: number;
  rssPeakBytes: number;
  statuses: Record<string, number>;
  errors: number;
  alive: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchEdgeFlood(trustProxy: string | undefined, requests = REQUESTS): Promise<EdgeFloodResult> {
  const bridge = await startBridgeTarget(trustProxy !== undefined ? { TRUST_PROXY: trustProxy } : {});
  const { url, child: target } = bridge;
  const pad = 'f'.repeat(HEADER_BYTES - 32);
  let n = 0;
  /** A distinct 8 KB value; behind a trusted proxy its right-most entry is a distinct client address. */
  const forwardedFor = (): string => {
    const i = ++n;
    const text = `${i.toString(16)}-${pad}`;
    return trustProxy === undefined ? text : `${text}, 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  };
  const flood = (amount: number) =>
    autocannon({
      url: `${url}/webchat/v1/sessions`,
      connections: 50,
      amount,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => ({
            ...req,
            headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor() },
            body: JSON.stringify({ site_key: `made-up-${n}` }),
          }),
        },
      ],
    });
  try {
    await flood(500); // warm-up: modules, JIT, first allocations
    const rssBeforeBytes = Number(await target.request('rss'));
    let rssPeakBytes = rssBeforeBytes;
    let flooding = true;
    const sampling = (async () => {
      while (flooding) {
        rssPeakBytes = Math.max(rssPeakBytes, Number(await target.request('rss')));
        await sleep(200);
      }
    })();
    const result = await flood(requests);
    flooding = false;
    await sampling;
    rssPeakBytes = Math.max(rssPeakBytes, Number(await target.request('rss')));
    const health = await fetch(`${url}/healthz`).then((r) => r.status, () => 0);
    const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, (s as { count: number }).count]));
    return { trustProxy, requests, rssBeforeBytes, rssPeakBytes, statuses, errors: result.errors, alive: target.child.exitCode === null && health === 200 };
  } finally {
    await bridge.stop();
  }
}

// `tsx scripts/bench/edge-flood.ts` runs this bench alone and prints its figures as JSON.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  (async () => {
    for (const trustProxy of [undefined, '1']) process.stdout.write(`${JSON.stringify(await benchEdgeFlood(trustProxy))}\n`);
  })().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}

function row(r: EdgeFloodResult) {
  const growthMb = (r.rssPeakBytes - r.rssBeforeBytes) / 1024 / 1024;
  const answers = Object.entries(r.statuses).map(([code, count]) => `${code}×${count}`).join(', ');
  return {
    bench: `edge flood: RSS growth, TRUST_PROXY ${r.trustProxy ?? 'unset'}`,
    figure: `+${fmt(growthMb, 1)} MB (${fmt(r.rssBeforeBytes / 1024 / 1024)} → ${fmt(r.rssPeakBytes / 1024 / 1024)} MB peak) over ${r.requests} sessions requests with distinct 8 KB X-Forwarded-For; answers ${answers}; errors ${r.errors}; ${r.alive ? 'alive' : 'DEAD'}`,
    target: '≤ 50 MB, alive',
    met: growthMb <= 50 && r.alive,
  };
}

export const edgeFloodBenchmark: Benchmark = {
  name: 'edge',
  async run() {
    return [row(await benchEdgeFlood(undefined)), row(await benchEdgeFlood('1'))];
  },
};
