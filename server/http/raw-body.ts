/**
 * Reads a request body into one Buffer, for routes that must see the exact bytes (a signature
 * or an MD5 is computed over them). It does only that: the general parsers (`express.raw`) also
 * negotiate types, which on the webhook path, the busiest of all, cost a noticeable share of
 * each request. A body over `limit` is refused with 413, before reading when Content-Length
 * already says so; a compressed body with 415, since the bytes signed are the bytes sent.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.js';

export function rawBody(limit: number): RequestHandler {
  const tooLarge = () => new PayloadTooLargeError(`The request body is larger than ${limit} bytes.`);
  return (req, _res, next) => {
    // A body another parser already read cannot be read again: leave it for the route to judge.
    if (req.readableEnded) {
      next();
      return;
    }
    if (isCompressed(req)) {
      next(new UnsupportedMediaTypeError(`Content-Encoding ${req.headers['content-encoding']} is not accepted; send the body uncompressed.`));
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      next(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        next(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    // A client that goes away mid-body never gets here: the route never sees a partial body.
    req.on('end', () => {
      if (failed) return;
      req.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      next();
    });
  };
}

/** True when the body is sent with a Content-Encoding other than `identity`. */
export function isCompressed(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  return encoding !== undefined && encoding.toLowerCase() !== 'identity';
}

/** True when the body is uncompressed and its Content-Length is given and at most `limit`. */
export function isPlainSizedBody(req: IncomingMessage, limit: number): boolean {
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) <= limit && !isCompressed(req);
}

/**
 * Reads a body whose Content-Length the caller has already checked against its limit (Node's
 * parser then delivers exactly that many bytes). `done` is not called when the client goes away
 * mid-body, so a partial body is never seen.
 */
export function readSizedBody(req: IncomingMessage, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
}
