/**
 * Who may read `GET /metrics` (product.md, METRICS_TOKEN): with a token configured, whoever sends
 * it as a bearer token; without one, loopback clients only. The client is the socket's peer, never
 * an X-Forwarded-For value: behind a reverse proxy on the same host every request would otherwise
 * count as local, so such a deployment sets a token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIPv4 } from 'node:net';

export type MetricsAccess = 'allowed' | 'unauthorized' | 'forbidden';

export interface MetricsRequest {
  authorization: string | undefined;
  /** The socket's peer address. */
  remoteAddress: string | undefined;
}

export function metricsAccess(token: string | undefined, req: MetricsRequest): MetricsAccess {
  if (token === undefined) return isLoopbackAddress(req.remoteAddress) ? 'allowed' : 'forbidden';
  const given = /^Bearer\s+(\S+)\s*$/i.exec(req.authorization ?? '')?.[1];
  return given !== undefined && sameSecret(given, token) ? 'allowed' : 'unauthorized';
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return isIPv4(v4) && v4.startsWith('127.');
}

/** Compares digests, so neither the content nor the length of the token shows in the timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
