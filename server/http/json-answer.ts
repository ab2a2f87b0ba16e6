/**
 * JSON answers written without Express's response helpers, for the routes every message goes
 * through.
 *
 * - Fixed bodies (`prepareJson` + `sendPreparedJson`): byte for byte and header for header what
 *   `res.json` sends (the fast lane answers routes that used to be Express's, and a client must not
 *   see a change): Content-Type `application/json; charset=utf-8`, Content-Length and Express's
 *   default weak ETag (`W/"<length in hex>-<first 27 characters of the base64 SHA-1>"`, the `etag`
 *   package's format). Each is serialised and hashed once.
 * - Bodies made per request (`answerJson`): the same Content-Type and Content-Length, without the
 *   ETag and the freshness check, which an answer to a POST never uses and which cost a measurable
 *   share of the visitor's message route (`npm run bench`). Headers set before (CORS) are kept.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export interface PreparedJson {
  bytes: Buffer;
  etag: string;
}

export function prepareJson(body: unknown): PreparedJson {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  const hash = createHash('sha1').update(bytes).digest('base64').substring(0, 27);
  return { bytes, etag: `W/"${bytes.length.toString(16)}-${hash}"` };
}

export function sendPreparedJson(res: ServerResponse, status: number, json: PreparedJson): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': json.bytes.length, ETag: json.etag });
  res.end(json.bytes);
}

export function answerJson(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': bytes.length });
  res.end(bytes);
}
