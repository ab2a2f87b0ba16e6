/**
 * Writes a small JSON answer directly, for the routes every message goes through. Express's
 * `res.json` also computes an ETag and checks freshness, which an answer to a POST never uses, at a
 * measurable cost on the busiest routes (`npm run bench`). Headers set before (CORS) are kept.
 */
import type { ServerResponse } from 'node:http';

export function answerJson(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length });
  res.end(bytes);
}
