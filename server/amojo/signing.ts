/**
 * Chats API request signing (chats-api.md §2) and webhook signature checks (§3.2).
 *
 * Every function here is pure: callers serialize a body once into a Buffer, sign that Buffer,
 * and send the very same Buffer, so the hashed bytes are the bytes on the wire.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type AmojoMethod = 'GET' | 'POST' | 'DELETE';

/** The only content type amojo accepts; sent verbatim, also on GET. */
export const AMOJO_CONTENT_TYPE = 'application/json';

/** MD5 of the empty body, the Content-MD5 of every GET. */
export const EMPTY_BODY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

/** RFC 2822 day and month names, indexed like `Date.getUTCDay()` and `Date.getUTCMonth()`. */
export const RFC2822_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
export const RFC2822_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** RFC 2822 date in UTC with a numeric `+0000` zone, e.g. `Thu, 01 Jan 2026 10:00:00 +0000`. */
export function formatRfc2822(date: Date): string {
  return (
    `${RFC2822_DAYS[date.getUTCDay()]}, ${pad2(date.getUTCDate())} ${RFC2822_MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())} +0000`
  );
}

/** Lower-case hex MD5 of the exact body bytes (not RFC 1864 base64). */
export function contentMd5(body: Buffer): string {
  return createHash('md5').update(body).digest('hex');
}

export interface SignableRequest {
  method: AmojoMethod;
  /** Path as sent on the wire, prefix included, without scheme, host or query string. */
  path: string;
  body: Buffer;
  /** The literal Date header value. */
  date: string;
}

/** The five LF-joined lines amojo signs; no trailing newline. */
export function stringToSign(req: SignableRequest, md5 = contentMd5(req.body)): string {
  return [req.method, md5, AMOJO_CONTENT_TYPE, req.date, req.path].join('\n');
}

export function hmacSha1Hex(secret: string, data: string | Buffer): string {
  return createHmac('sha1', secret).update(data).digest('hex');
}

export interface SignedHeaders {
  Date: string;
  'Content-Type': typeof AMOJO_CONTENT_TYPE;
  'Content-MD5': string;
  'X-Signature': string;
}

/** Headers for a signed Chats API request; the secret is the 40-char string as given, not hex-decoded. */
export function signRequest(secret: string, req: SignableRequest): SignedHeaders {
  const md5 = contentMd5(req.body);
  return {
    Date: req.date,
    'Content-Type': AMOJO_CONTENT_TYPE,
    'Content-MD5': md5,
    'X-Signature': hmacSha1Hex(secret, stringToSign(req, md5)),
  };
}

/** Constant-time comparison of two hex strings; false on any length mismatch. */
export function hexEquals(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received.trim().toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Webhook check: X-Signature = hex HMAC-SHA1(secret, raw body). Whether amoCRM ever appends a
 * newline is unconfirmed (chats-api.md §9.2 #5), so a match on the body with trailing whitespace
 * trimmed is accepted too, as other clients do.
 */
export function verifyWebhookSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  if (hexEquals(hmacSha1Hex(secret, rawBody), header)) return true;
  const trimmed = trimTrailingWhitespace(rawBody);
  return trimmed.length !== rawBody.length && hexEquals(hmacSha1Hex(secret, trimmed), header);
}

function trimTrailingWhitespace(buf: Buffer): Buffer {
  let end = buf.length;
  while (end > 0) {
    const c = buf[end - 1];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    end--;
  }
  return end === buf.length ? buf : buf.subarray(0, end);
}

/** Signature of an outgoing webhook, as amojo computes it (used by the emulator and tests). */
export function signWebhookBody(secret: string, rawBody: Buffer): string {
  return hmacSha1Hex(secret, rawBody);
}
