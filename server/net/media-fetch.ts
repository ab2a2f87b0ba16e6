/**
 * Downloads a file link on behalf of a sender we do not control (a manager's file in an amojo
 * hook): GET over http(s) only, and only to public addresses. The host is resolved once, every
 * address it resolves to must be public, and the connection goes to that checked address (so a
 * DNS answer that changes between check and connect cannot switch it); each redirect is checked
 * the same way. Connect and total time are bounded; the caller bounds the size. Origins on the
 * allow-list (the sandbox's and the tests' own loopback emulators) skip the address rule only.
 * Implements the bridge's `MediaFetch` port.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { MediaFetch } from '../bridge/ports.js';
import { isPublicAddress } from './public-address.js';

/** A manager's file must arrive whole within this long (the shutdown deadline outlasts it). */
export const MEDIA_TOTAL_TIMEOUT_MS = 60_000;

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface MediaFetchOptions {
  /** `scheme://host:port` origins fetched without the public-address rule (sandbox and test emulators). */
  allowedOrigins?: readonly string[];
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
  maxRedirects?: number;
  /** Name resolution (tests); the system resolver by default. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
}

/** The link may never be fetched (scheme, address, redirects): retrying cannot help. */
export class RefusedLinkError extends Error {
  readonly retryable = false;
  override name = 'RefusedLinkError';
}

/** No answer in time, or the connection broke: a later attempt may work. */
export class DownloadFailedError extends Error {
  readonly retryable = true;
  override name = 'DownloadFailedError';
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const systemResolve = (hostname: string): Promise<ResolvedAddress[]> => dnsLookup(hostname, { all: true, verbatim: true });

export function createMediaFetch(opts: MediaFetchOptions = {}): MediaFetch {
  const allowed = new Set(opts.allowedOrigins ?? []);
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
  const totalTimeoutMs = opts.totalTimeoutMs ?? MEDIA_TOTAL_TIMEOUT_MS;
  const maxRedirects = opts.maxRedirects ?? 5;
  const resolve = opts.resolve ?? systemResolve;

  /** The one address to connect to, or undefined to let the system resolve an allowed origin. */
  async function checkedAddress(url: URL): Promise<ResolvedAddress | undefined> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RefusedLinkError('the file link is not http(s)');
    if (allowed.has(url.origin)) return undefined;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const family = isIP(host);
    let addresses: ResolvedAddress[];
    try {
      addresses = family ? [{ address: host, family }] : await resolve(host);
    } catch {
      throw new DownloadFailedError('the file link’s host does not resolve');
    }
    if (addresses.length === 0) throw new DownloadFailedError('the file link’s host does not resolve');
    if (!addresses.every((a) => isPublicAddress(a.address))) throw new RefusedLinkError('the file link points to a private or local address');
    return addresses[0];
  }

  return async (start) => {
    const deadline = Date.now() + totalTimeoutMs;
    let url = start;
    for (let hop = 0; ; hop++) {
      const address = await checkedAddress(url);
      const res = await get(url, address, { connectTimeoutMs, msLeft: deadline - Date.now() });
      const location = res.headers['location'];
      if (!REDIRECTS.has(res.statusCode ?? 0) || !location) {
        const length = Number(res.headers['content-length']);
        return { status: res.statusCode ?? 0, contentType: res.headers['content-type'], contentLength: Number.isFinite(length) ? length : undefined, body: res };
      }
      res.destroy();
      if (hop >= maxRedirects) throw new RefusedLinkError('the file link redirects too often');
      try {
        url = new URL(location, url);
      } catch {
        throw new RefusedLinkError('the file link redirects to something that is not a URL');
      }
    }
  };
}

/** One GET to `address` (when given) for `url`'s host; resolves with the response head. */
function get(url: URL, address: ResolvedAddress | undefined, limits: { connectTimeoutMs: number; msLeft: number }): Promise<http.IncomingMessage> {
  return new Promise((resolvePromise, reject) => {
    if (limits.msLeft <= 0) {
      reject(new DownloadFailedError('the file link did not answer in time'));
      return;
    }
    const pinned: LookupFunction | undefined = address
      ? (_host, options, callback) => {
          if (options.all) callback(null, [{ address: address.address, family: address.family }]);
          else callback(null, address.address, address.family);
        }
      : undefined;
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, { method: 'GET', agent: false, headers: { accept: '*/*' }, ...(pinned ? { lookup: pinned } : {}) });
    const fail = (message: string) => () => req.destroy(new DownloadFailedError(message));
    const total = setTimeout(fail('the file link did not answer in time'), limits.msLeft);
    req.on('socket', (socket) => {
      const connect = setTimeout(fail('the file link’s host did not accept a connection in time'), limits.connectTimeoutMs);
      socket.once('connect', () => clearTimeout(connect));
      socket.once('close', () => clearTimeout(connect));
    });
    req.on('error', (err) => {
      clearTimeout(total);
      reject(err instanceof DownloadFailedError ? err : new DownloadFailedError(`the file link could not be fetched (${(err as NodeJS.ErrnoException).code ?? 'network error'})`));
    });
    req.on('response', (res) => {
      // The total time covers the body too: a trickling download is cut off.
      res.once('close', () => clearTimeout(total));
      resolvePromise(res);
    });
    req.end();
  });
}
