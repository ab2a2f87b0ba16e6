/**
 * Checks a Chats API request the way amojo does (chats-api.md §2): an RFC 2822 Date inside a 15-minute window,
 * Content-Type exactly `application/json`, Content-MD5 = lower-case hex MD5 of the received bytes,
 * X-Signature = HMAC-SHA1(channel secret, METHOD\nMD5\nContent-Type\nDate\npath). Pure: no I/O.
 */
import { AMOJO_CONTENT_TYPE, contentMd5, hexEquals, hmacSha1Hex, stringToSign, type AmojoMethod } from '../../amojo/signing.js';
import { parseAmojoDate } from './date-header.js';

/** How far the Date header may be from the emulator's clock, either way (§6). */
export const SIGNATURE_WINDOW_MS = 15 * 60 * 1000;

export interface ReceivedRequest {
  method: string;
  /** The path on the wire, mount prefix included, query string excluded. */
  path: string;
  /** The exact received bytes (empty for GET). */
  body: Buffer;
  headers: {
    date?: string;
    contentType?: string;
    contentMd5?: string;
    signature?: string;
  };
}

export const AUTH_FAILURES = [
  'missing_header',
  'invalid_content_type',
  'invalid_date',
  'date_out_of_window',
  'invalid_content_md5',
  'invalid_signature',
] as const;
export type AuthFailure = (typeof AUTH_FAILURES)[number];

export type AuthResult = { ok: true } | { ok: false; reason: AuthFailure; description: string };

const SIGNED_METHODS: readonly string[] = ['GET', 'POST', 'DELETE'] satisfies AmojoMethod[];
const LOWER_HEX_40 = /^[0-9a-f]{40}$/;

/** Verifies one request against one channel secret at the instant `nowMs`. */
export function verifyAmojoRequest(req: ReceivedRequest, secret: string, nowMs: number): AuthResult {
  const { date, contentType, contentMd5: md5Header, signature } = req.headers;
  if (date === undefined || contentType === undefined || md5Header === undefined || signature === undefined) {
    return refuse('missing_header', 'Date, Content-Type, Content-MD5 and X-Signature are required');
  }
  if (contentType !== AMOJO_CONTENT_TYPE) {
    return refuse('invalid_content_type', `Content-Type must be exactly ${AMOJO_CONTENT_TYPE}`);
  }
  const dateMs = parseAmojoDate(date);
  if (dateMs === null) return refuse('invalid_date', 'Date is not an RFC 2822 date');
  if (Math.abs(nowMs - dateMs) > SIGNATURE_WINDOW_MS) {
    return refuse('date_out_of_window', 'Date is more than 15 minutes away from the server time');
  }
  const md5 = contentMd5(req.body);
  if (md5Header !== md5) return refuse('invalid_content_md5', 'Content-MD5 does not match the body');
  if (!SIGNED_METHODS.includes(req.method) || !LOWER_HEX_40.test(signature)) {
    return refuse('invalid_signature', 'signature mismatch');
  }
  const expected = hmacSha1Hex(secret, stringToSign({ method: req.method as AmojoMethod, path: req.path, body: req.body, date }, md5));
  return hexEquals(expected, signature) ? { ok: true } : refuse('invalid_signature', 'signature mismatch');
}

function refuse(reason: AuthFailure, description: string): AuthResult {
  return { ok: false, reason, description };
}
