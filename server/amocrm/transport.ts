/**
 * The HTTP layer under the amoCRM client: one request in, status + headers + bytes out. Redirects
 * are not followed (a token must never be replayed to a host we did not choose). Tests pass their
 * own function of the same shape.
 */
import http from 'node:http';
import https from 'node:https';
import axios from 'axios';

export type AmocrmMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface AmocrmTransportRequest {
  method: AmocrmMethod;
  url: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  timeoutMs: number;
}

export interface AmocrmTransportResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** Rejects only when no HTTP answer arrived. */
export type AmocrmTransport = (req: AmocrmTransportRequest) => Promise<AmocrmTransportResponse>;

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32 });

export const axiosAmocrmTransport: AmocrmTransport = async (req) => {
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
