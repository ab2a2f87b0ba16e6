/**
 * JSON answers written without Express, byte for byte and header for header what `res.json` sends
 * (the fast lane answers routes that used to be Express's, and a client must not see a change):
 * Content-Type `application/json; charset=utf-8`, Content-Length and Express's default weak ETag
 * (`W/"<length in hex>-<first 27 characters of the base64 SHA-1>"`, the `etag` package's format).
 * The bodies are fixed, so each is serialised and hashed once.
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
