/**
 * The HTTP layer under the amojo and amoCRM clients, against a real server on 127.0.0.1: the
 * bytes and headers that go out are exactly the ones given, redirects are answers (never
 * followed), and a slow, oversized or refused exchange fails with the code the retry policy reads.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_ANSWER_BYTES, httpByteTransport } from '../../server/net/byte-transport.js';
import { isConnectionError } from '../../server/net/retry.js';
import { freePort } from '../support/net.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

let server: http.Server | undefined;

async function serve(answer: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      answer(req, res, s);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

describe('HTTP byte transport', () => {
  it('sends the exact bytes and headers given and hands back status, lower-case headers and the body', async () => {
    const { url, seen } = await serve((_req, res) => {
      res.writeHead(201, { 'X-Answer': 'yes', 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    });
    const body = Buffer.from('{"b":1,"a":"é"}', 'utf8');
    const res = await httpByteTransport({ method: 'POST', url: `${url}/v2/origin/custom/x?q=1`, headers: { 'Content-Type': 'application/json', 'X-Signature': 'abc' }, body, timeoutMs: 2000 });
    expect(res.status).toBe(201);
    expect(res.headers['x-answer']).toBe('yes');
    expect(res.body.toString()).toBe('{"ok":true}');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.url).toBe('/v2/origin/custom/x?q=1');
    expect(seen[0]!.body.equals(body)).toBe(true);
    // No charset suffix, no compression asked for: what is signed is what arrives.
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.headers['content-length']).toBe(String(body.length));
    expect(seen[0]!.headers['accept-encoding']).toBeUndefined();
    expect(seen[0]!.headers['x-signature']).toBe('abc');
  });

  it('sends the path exactly as given, never re-normalized (it is the path that was signed)', async () => {
    const { url, seen } = await serve((_req, res) => res.end());
    await httpByteTransport({ method: 'GET', url: `${url}/v2/origin/custom/a/../b%2Fc?x=%20`, headers: {}, body: undefined, timeoutMs: 2000 });
    expect(seen[0]!.url).toBe('/v2/origin/custom/a/../b%2Fc?x=%20');
  });

  it('sends no body for a GET and reuses the kept-alive connection for the next request', async () => {
    const ports = new Set<number>();
    const { url, seen } = await serve((req, res) => {
      ports.add(req.socket.remotePort ?? 0);
      res.end('fine');
    });
    for (let i = 0; i < 3; i++) await httpByteTransport({ method: 'GET', url, headers: {}, body: undefined, timeoutMs: 2000 });
    expect(seen.map((s) => s.body.length)).toEqual([0, 0, 0]);
    expect(seen[0]!.headers['content-length']).toBeUndefined();
    expect(ports.size).toBe(1);
  });

  it('answers a redirect as it is, without following it', async () => {
    const { url, seen } = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
      res.end();
    });
    const res = await httpByteTransport({ method: 'POST', url, headers: { authorization: 'Bearer secret' }, body: Buffer.from('{}'), timeoutMs: 2000 });
    expect(res.status).toBe(302);
    expect(res.headers['location']).toBe('http://127.0.0.1:1/elsewhere');
    expect(seen).toHaveLength(1);
  });

  it('gives up on an answer that does not arrive in time, as a timeout (not repeated as a connection failure)', async () => {
    const { url } = await serve(() => undefined);
    const err = await httpByteTransport({ method: 'GET', url, headers: {}, body: undefined, timeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETIMEDOUT' });
    expect(isConnectionError(err)).toBe(false);
  });

  it('refuses an answer larger than the bound instead of holding it', async () => {
    const { url } = await serve((_req, res) => {
      const chunk = Buffer.alloc(1024 * 1024, 97);
      let sent = 0;
      const more = () => {
        while (sent <= MAX_ANSWER_BYTES) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    const err = await httpByteTransport({ method: 'GET', url, headers: {}, body: undefined, timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_ANSWER_TOO_LARGE' });
  });

  it('reports a refused connection with the code the one connection retry looks for', async () => {
    const port = await freePort();
    const err = await httpByteTransport({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {}, body: undefined, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isConnectionError(err)).toBe(true);
  });
});
