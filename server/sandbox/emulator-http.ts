/**
 * HTTP plumbing the emulators share: running one alone on its own port, POSTing exact bytes as a
 * webhook, and answering their control APIs' errors in the product's `{"error","message"}` format.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Response, type Router } from 'express';

export interface RunningEmulatorServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`; the router is mounted at `/`. */
  url: string;
  close(): Promise<void>;
}

/**
 * `before`, when given, sees each request first and answers true when it took it: a plain-node
 * path for a hot call, which Express then never sees.
 */
export async function listenRouter(
  router: Router,
  port: number,
  host: string,
  before?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<RunningEmulatorServer> {
  const app = express();
  app.use(router);
  const server = createServer((req, res) => {
    if (!before?.(req, res)) app(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** POSTs `body` byte for byte and resolves with the status; rejects when no answer came within `timeoutMs`. */
export async function postExactBytes(url: string, body: Buffer, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  // A fresh ArrayBuffer-backed copy of the same bytes, the body type fetch is typed to take.
  const bytes = new Uint8Array(body.byteLength);
  bytes.set(body);
  const res = await fetch(url, { method: 'POST', headers, body: bytes, signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer().catch(() => undefined);
  return res.status;
}

export function sendControlError(res: Response, status: number, error: string, message: string): void {
  res.status(status).json({ error, message });
}

/** A body-parser refusal (too large, malformed JSON) as a control API error; false for anything else. */
export function sendBodyParserError(err: unknown, res: Response): boolean {
  const status = (err as { status?: unknown }).status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return false;
  sendControlError(res, status, status === 413 ? 'payload_too_large' : 'invalid_request', err instanceof Error ? err.message : 'invalid request');
  return true;
}
