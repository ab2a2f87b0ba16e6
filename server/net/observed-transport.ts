/**
 * A ByteTransport that reports each call's outcome and duration, for the upstream-call metrics.
 * It wraps whatever transport a client is given, so retries inside a client show as separate calls.
 */
import { performance } from 'node:perf_hooks';
import type { ByteTransport } from './byte-transport.js';

/** `status` is undefined when no HTTP answer arrived (connection error, timeout). */
export type TransportObserver = (status: number | undefined, seconds: number) => void;

export function observedTransport(transport: ByteTransport, observe: TransportObserver): ByteTransport {
  return async (req) => {
    const started = performance.now();
    try {
      const res = await transport(req);
      observe(res.status, (performance.now() - started) / 1000);
      return res;
    } catch (err) {
      observe(undefined, (performance.now() - started) / 1000);
      throw err;
    }
  };
}
