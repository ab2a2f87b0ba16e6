/**
 * The HTTP layer under the amojo and amoCRM clients: exact bytes in, status + headers + bytes
 * out. axios is told to leave body and headers alone (no re-serialization, no charset suffix on
 * Content-Type), because the Chats API signature covers them; redirects are not followed, so a
 * token or signature is never replayed to a host we did not choose. Tests pass their own
 * function of the same shape.
 */
import http from 'node:http';
import https from 'node:https';
import type { AxiosStatic } from 'axios';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface ByteRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  /** Undefined sends no body at all. */
  body: Buffer | undefined;
  timeoutMs: number;
}

export interface ByteResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** Rejects only when no HTTP answer arrived (network error, timeout). */
export type ByteTransport = (req: ByteRequest) => Promise<ByteResponse>;

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * axios is loaded on the first call, not at start-up: loading it (and Node's fetch machinery, which it
 * probes as it loads) is start-up work that /healthz need not wait for, since nothing calls out before.
 */
let axiosLoading: Promise<AxiosStatic> | undefined;
const loadAxios = (): Promise<AxiosStatic> => (axiosLoading ??= import('axios').then((m) => m.default));

export const axiosByteTransport: ByteTransport = async (req) => {
  const axios = await loadAxios();
  const res = await axios.request<ArrayBuffer>({
    method: req.method,
    url: req.url,
    headers: req.headers,
    data: req.body,
    timeout: req.timeoutMs,
    responseType: 'arraybuffer',
    transformRequest: [(data: unknown) => data],
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxRedirects: 0,
    httpAgent,
    httpsAgent,
  });
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(res.headers)) headers[k.toLowerCase()] = v == null ? undefined : String(v);
  return { status: res.status, headers, body: Buffer.from(res.data ?? new ArrayBuffer(0)) };
};
