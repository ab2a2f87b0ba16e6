/**
 * Webhook ingest: signed manager-message hooks, each with a fresh message id, from 50 concurrent
 * connections for 10 s, against our route and a bare Express route in the same run.
 */
import { fmt, type Benchmark } from './rows.js';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { signWebhookBody } from '../../server/amojo/signing.js';
import { SANDBOX_CHANNEL } from '../../server/config/index.js';
import { startChild, type ChildTarget } from './child.js';
import type { BenchConversation } from './webhook-target.js';

export interface LoadResult {
  requestsPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** The target's CPU time (user + system) per request answered during the load, µs. */
  cpuPerRequestUs: number;
}

/** A manager's text message in one of the target's real conversations, with a fresh message id. */
function hookBody(accountAmojoId: string, conversations: BenchConversation[]): Buffer {
  const id = randomUUID();
  const c = conversations[Math.floor(Math.random() * conversations.length)]!;
  return Buffer.from(
    JSON.stringify({
      account_id: accountAmojoId,
      time: Math.floor(Date.now() / 1000),
      message: {
        receiver: { id: c.visitorAmojoId ?? randomUUID(), client_id: 'visitor', phone: '', email: '' },
        sender: { id: MANAGER_AMOJO_ID },
        conversation: { id: c.amojoChatId, client_id: c.conversationId },
        timestamp: Math.floor(Date.now() / 1000),
        msec_timestamp: Date.now(),
        message: { id, type: 'text', text: 'Hello, this is a manager answering a visitor.', tag: '', media: '', thumbnail: '', file_name: '', file_size: 0 },
      },
    }),
  );
}

const MANAGER_AMOJO_ID = '76fc2bea-902f-425c-9a3d-dcdac4766090';

interface Target {
  url: string;
  scopeId: string;
  conversations: BenchConversation[];
}

/** The target's READY line: `<url> <scope_id> <conversations json>`; the bare route takes any. */
function parseTarget(line: string): Target {
  const [url, scopeId, json] = line.split(' ');
  return { url: url!, scopeId: scopeId ?? 'any_scope', conversations: json ? (JSON.parse(json) as BenchConversation[]) : [{ amojoChatId: randomUUID(), conversationId: 'c', visitorAmojoId: null }] };
}

async function load(target: Target, seconds: number, connections: number): Promise<Omit<LoadResult, 'cpuPerRequestUs'> & { total: number }> {
  const accountAmojoId = target.scopeId.split('_')[1] ?? 'account';
  const result = await autocannon({
    url: `${target.url}/amojo/webhook/${target.scopeId}`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const body = hookBody(accountAmojoId, target.conversations);
          return {
            ...req,
            body,
            headers: { 'content-type': 'application/json', 'x-signature': signWebhookBody(SANDBOX_CHANNEL.secret, body) },
          };
        },
      },
    ],
  });
  return {
    requestsPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  };
}

/** `load`, with the target's CPU time over it, per request answered. */
async function measuredLoad(child: ChildTarget, target: Target, seconds: number, connections: number): Promise<LoadResult> {
  const before = Number(await child.request('cpu'));
  const { total, ...result } = await load(target, seconds, connections);
  const after = Number(await child.request('cpu'));
  return { ...result, cpuPerRequestUs: (after - before) / Math.max(total, 1) };
}

export async function benchWebhookIngest(seconds = 10, connections = 50): Promise<{ ours: LoadResult; bare: LoadResult }> {
  const bare = await startChild('./webhook-target.ts', ['bare']);
  const bareTarget = parseTarget(bare.url);
  await load(bareTarget, 1, connections); // warm-up
  const bareResult = await measuredLoad(bare, bareTarget, seconds, connections);
  await bare.stop();

  const ours = await startChild('./webhook-target.ts', ['ours']);
  const oursTarget = parseTarget(ours.url);
  await load(oursTarget, 1, connections);
  const oursResult = await measuredLoad(ours, oursTarget, seconds, connections);
  await ours.stop();
  return { ours: oursResult, bare: bareResult };
}

export const webhookIngestBenchmark: Benchmark = {
  name: 'webhook',
  async run(seconds) {
    const { ours, bare } = await benchWebhookIngest(seconds, 50);
    const rpsRatio = ours.requestsPerSec / bare.requestsPerSec;
    const p99Ratio = ours.p99 / Math.max(bare.p99, 1);
    return [
      { bench: 'webhook ingest: ours', figure: `${fmt(ours.requestsPerSec)} req/s, p50 ${ours.p50} ms, p99 ${ours.p99} ms, non-2xx ${ours.non2xx}, errors ${ours.errors}`, target: '', met: ours.non2xx === 0 && ours.errors === 0 },
      { bench: 'webhook ingest: bare route', figure: `${fmt(bare.requestsPerSec)} req/s, p50 ${bare.p50} ms, p99 ${bare.p99} ms`, target: '', met: undefined },
      { bench: 'webhook ingest: req/s ratio', figure: fmt(rpsRatio, 2), target: '≥ 0.80', met: rpsRatio >= 0.8 },
      { bench: 'webhook ingest: p99 ratio', figure: fmt(p99Ratio, 2), target: '≤ 1.50', met: p99Ratio <= 1.5 },
      // The server's CPU per answered request during the load (the job runner's later work on the hooks not included).
      { bench: 'webhook ingest: CPU per request', figure: `ours ${fmt(ours.cpuPerRequestUs)} µs, bare ${fmt(bare.cpuPerRequestUs)} µs (ratio ${fmt(ours.cpuPerRequestUs / bare.cpuPerRequestUs, 2)})`, target: '', met: undefined },
    ];
  },
};
