/**
 * The HTTP layer under the Chats API client: sends exact bytes, returns exact bytes. axios is told
 * to leave the body and headers alone (no re-serialization, no charset suffix on Content-Type),
 * because the signature covers them.
 */
import http from 'node:http';
import https from 'node:https';
import axios from 'axios';

export interface TransportRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** Undefined for GET: nothing is sent, the signed MD5 is that of the empty body. */
  body: Buffer | undefined;
  timeoutMs: number;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** A fetch-shaped function; tests pass their own. Rejects only when no HTTP answer arrived. */
export type Transport = (req: TransportRequest) => Promise<TransportResponse>;

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

export const axiosTransport: Transport = async (req) => {
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
