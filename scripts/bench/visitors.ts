/**
 * Website-chat visitors for the benchmarks: sessions opened over the public API, and messages sent
 * by all of them at once, either flat out (the next as soon as the previous is acknowledged) or
 * paced, each stamped with when its `202` arrived.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';

export interface BenchVisitor {
  token: string;
  conversationId: string;
}

export interface Acknowledged {
  text: string;
  /** Index of the visitor in the list sent with. */
  visitor: number;
  /** `Date.now()` when the 202 arrived: comparable with amojo's receipt stamp. */
  ackedAt: number;
  /** POST → 202, ms. */
  ackMs: number;
}

export interface SendOptions {
  durationMs: number;
  /** Each visitor sends once per interval (spread over it); flat out without. */
  intervalMs?: number;
  /** Checked before each message: true stops sending. */
  enough?: () => boolean;
  /** Called on each 202 as it arrives. */
  onAck?: (a: Acknowledged) => void;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The load generator shares the machine with the backend: its requests go through node:http on
 * kept-alive connections, several times cheaper per request than `fetch`, so that the generator
 * is not what limits the figure.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** Where POSTs go, taken apart once: a request built from parts parses no URL. */
export interface PostTarget {
  hostname: string;
  port: number;
  path: string;
  /** The Host header, which a request given its headers as a list does not add itself. */
  host: string;
}

export function postTarget(url: string): PostTarget {
  const u = new URL(url);
  return { hostname: u.hostname, port: Number(u.port || 80), path: `${u.pathname}${u.search}`, host: u.host };
}

/**
 * POSTs a JSON body and answers the status once the whole answer was read. `headers` are name,
 * value, name, value…: Node writes a list as it is, where an object's names are checked and
 * lower-cased one by one.
 */
export function postJson(target: PostTarget, headers: readonly string[], body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const list = [...headers, 'host', target.host, 'content-type', 'application/json', 'content-length', String(Buffer.byteLength(body))];
    const req = http.request({ method: 'POST', hostname: target.hostname, port: target.port, path: target.path, agent, headers: list }, (res) => {
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
      res.resume();
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function openVisitors(url: string, siteKey: string, count: number): Promise<BenchVisitor[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const res = await fetch(`${url}/webchat/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ site_key: siteKey }) });
      if (res.status !== 201) throw new Error(`opening a visitor session answered ${res.status}`);
      const body = (await res.json()) as { visitor_token: string; conversation_id: string };
      return { token: body.visitor_token, conversationId: body.conversation_id };
    }),
  );
}

/** Every visitor sends until the time is up or `enough()`; a refused or failed POST counts as an error. */
export async function sendMessages(url: string, visitors: BenchVisitor[], opts: SendOptions): Promise<{ acked: Acknowledged[]; errors: number }> {
  const started = Date.now();
  const until = started + opts.durationMs;
  const acked: Acknowledged[] = [];
  let errors = 0;
  const target = postTarget(`${url}/webchat/v1/messages`);
  await Promise.all(
    visitors.map(async ({ token }, v) => {
      const auth = ['authorization', `Bearer ${token}`];
      for (let n = 0; Date.now() < until && !opts.enough?.(); n++) {
        if (opts.intervalMs) {
          // Spread the visitors over the interval instead of sending in lockstep.
          const due = started + (v / visitors.length) * opts.intervalMs + n * opts.intervalMs;
          if (due > Date.now()) await sleep(due - Date.now());
        }
        const text = `visitor ${v} message ${n} ${randomUUID().slice(0, 8)}`;
        const sentAt = performance.now();
        try {
          const status = await postJson(target, auth, JSON.stringify({ client_msgid: text.replace(/ /g, '-'), text }));
          if (status !== 202) {
            errors++;
            continue;
          }
          const a = { text, visitor: v, ackedAt: Date.now(), ackMs: performance.now() - sentAt };
          acked.push(a);
          opts.onAck?.(a);
        } catch {
          errors++;
        }
      }
    }),
  );
  return { acked, errors };
}
