/**
 * The HTTP layer under the amojo and amoCRM clients: exact bytes in, status + headers + bytes
 * out, over Node's own `http`/`https` with kept-alive connections. Nothing is re-serialized and no
 * header is added beyond Content-Length and User-Agent, because the Chats API signature covers
 * the body and the signed headers; redirects are not followed, so a token or signature is never
 * replayed to a host we did not choose; nothing asks for compression, so the body read is the body
 * sent. Tests pass their own function of the same shape.
 *
 * This used to be axios with every one of its features turned off (transforms, redirects, status
 * checks, decompression): what was left was its per-request configuration work, about a tenth of
 * the CPU time of each visitor message (`npm run bench`), for nothing this layer needs.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface ByteRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  /** Undefined sends no body at all. */
  body: Buffer | undefined;
  /** The whole exchange, from the request to the last byte of the answer. */
  timeoutMs: number;
}

export interface ByteResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** Rejects only when no complete HTTP answer arrived (network error, timeout, answer too large). */
export type ByteTransport = (req: ByteRequest) => Promise<ByteResponse>;

/**
 * amojo and amoCRM answer with small JSON documents; files never come through here (media
 * downloads have their own bounded reader). A larger answer is refused rather than held in memory.
 */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

const USER_AGENT = 'amojo-webchat-channel';

/**
 * Node's agent sets the TCP keep-alive option again each time a socket goes back to the pool, a
 * system call per request that changes nothing after the first: here it is set once per socket.
 */
function keepingAgent<A extends http.Agent>(agent: A): A {
  const prepared = new WeakSet<Socket>();
  // Node's method answers whether to keep the socket (its typings say void).
  type KeepSocketAlive = (socket: Socket) => boolean;
  const keepSocketAlive = agent.keepSocketAlive.bind(agent) as unknown as KeepSocketAlive;
  (agent as unknown as { keepSocketAlive: KeepSocketAlive }).keepSocketAlive = (socket) => {
    if (!prepared.has(socket)) {
      prepared.add(socket);
      return keepSocketAlive(socket);
    }
    socket.unref();
    return true;
  };
  return agent;
}

const httpAgent = keepingAgent(new http.Agent({ keepAlive: true, maxSockets: 64 }));
const httpsAgent = keepingAgent(new https.Agent({ keepAlive: true, maxSockets: 64 }));

interface Origin {
  secure: boolean;
  hostname: string;
  port: number | undefined;
}

/**
 * Where a URL goes, parsed once per origin (a handful: amojo's hosts, the accounts' amoCRM hosts).
 * The path is sent exactly as given, never re-normalized, so it is the path that was signed.
 */
const origins = new Map<string, Origin>();
function split(url: string): { origin: Origin; path: string } {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  const originText = slash < 0 ? url : url.slice(0, slash);
  let origin = origins.get(originText);
  if (!origin) {
    const u = new URL(originText);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw failure(`${u.protocol} URLs are not supported`, 'ERR_INVALID_PROTOCOL');
    const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    origin = { secure: u.protocol === 'https:', hostname, port: u.port ? Number(u.port) : undefined };
    if (origins.size >= 1000) origins.clear();
    origins.set(originText, origin);
  }
  return { origin, path: slash < 0 ? '/' : url.slice(slash) };
}

/** A failure with a Node-style `code`, as the retry policy reads it (`net/retry.ts`). */
function failure(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

export const httpByteTransport: ByteTransport = (req) =>
  new Promise<ByteResponse>((resolve, reject) => {
    const { origin, path } = split(req.url);
    const headers: Record<string, string | number> = { 'user-agent': USER_AGENT, ...req.headers };
    if (req.body !== undefined) headers['content-length'] = req.body.length;
    const options = { method: req.method, hostname: origin.hostname, port: origin.port, path, headers };
    const request = origin.secure ? https.request({ ...options, agent: httpsAgent }) : http.request({ ...options, agent: httpAgent });
    const timer = setTimeout(() => request.destroy(failure(`timeout of ${req.timeoutMs}ms exceeded`, 'ETIMEDOUT')), req.timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    request.on('error', fail);
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) request.destroy(failure(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`, 'E_ANSWER_TOO_LARGE'));
        else chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        const out: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(res.headers)) out[k] = v === undefined ? undefined : Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers: out, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
      });
    });
    request.end(req.body);
  });
