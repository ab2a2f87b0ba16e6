/**
 * Webhook ingest: signed manager-message hooks, each with a fresh message id, from 50 concurrent
 * connections for 10 s, against our route and a bare Express route in the same run.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { signWebhookBody } from '../../server/amojo/signing.js';
import { SANDBOX_CHANNEL } from '../../server/config/index.js';
import { startChild } from './child.js';

const SCOPE = 'bench-channel_bench-account';

export interface LoadResult {
  requestsPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

function hookBody(): Buffer {
  const id = randomUUID();
  return Buffer.from(
    JSON.stringify({
      account_id: 'bench-account',
      time: Math.floor(Date.now() / 1000),
      message: {
        receiver: { id: randomUUID(), client_id: 'visitor-1', phone: '', email: '' },
        sender: { id: 'manager-1' },
        conversation: { id: `chat-${id.slice(0, 2)}`, client_id: 'conv-1' },
        timestamp: Math.floor(Date.now() / 1000),
        msec_timestamp: Date.now(),
        message: { id, type: 'text', text: 'Hello, this is a manager answering a visitor.', tag: '', media: '', thumbnail: '', file_name: '', file_size: 0 },
      },
    }),
  );
}

async function load(url: string, seconds: number, connections: number): Promise<LoadResult> {
  const result = await autocannon({
    url: `${url}/amojo/webhook/${SCOPE}`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const body = hookBody();
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
  };
}

export async function benchWebhookIngest(seconds = 10, connections = 50): Promise<{ ours: LoadResult; bare: LoadResult }> {
  const dbg = (m: string) => process.env['BENCH_DEBUG'] && process.stderr.write(`${m}\n`);
  dbg('start bare');
  const bare = await startChild('./webhook-target.ts', ['bare']);
  dbg('bare ready');
  await load(bare.url, 1, connections); // warm-up
  const bareResult = await load(bare.url, seconds, connections);
  dbg('bare measured');
  await bare.stop();
  dbg('bare stopped');

  const ours = await startChild('./webhook-target.ts', ['ours']);
  dbg('ours ready');
  await load(ours.url, 1, connections);
  dbg('ours warm');
  const oursResult = await load(ours.url, seconds, connections);
  await ours.stop();
  return { ours: oursResult, bare: bareResult };
}
