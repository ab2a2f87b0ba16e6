import { describe, expect, it } from 'vitest';
import {
  EMPTY_BODY_MD5,
  contentMd5,
  formatRfc2822,
  hmacSha1Hex,
  signRequest,
  stringToSign,
  verifyWebhookSignature,
} from '../../server/amojo/signing.js';
import { PROJECT, REQUEST_VECTORS, V7_LEGACY_SIGNATURE, W1 } from './signing-vectors.js';

describe('Chats API request signing (chats-api.md §8)', () => {
  for (const v of REQUEST_VECTORS) {
    it(`reproduces ${v.name} byte for byte`, () => {
      const body = Buffer.from(v.body, 'utf8');
      const headers = signRequest(v.secret, { method: v.method, path: v.path, body, date: v.date });
      expect(headers['Content-MD5']).toBe(v.md5);
      expect(headers['X-Signature']).toBe(v.signature);
      expect(headers['Content-Type']).toBe('application/json');
      expect(headers.Date).toBe(v.date);
    });
  }

  it('hashes bytes, not characters (V6 is 257 JS chars but 269 bytes)', () => {
    const v6 = REQUEST_VECTORS.find((v) => v.name.startsWith('V6'))!;
    expect(v6.body.length).toBe(257);
    expect(Buffer.byteLength(v6.body, 'utf8')).toBe(269);
  });

  it('builds the exact five-line string to sign for V1', () => {
    const v1 = REQUEST_VECTORS.find((v) => v.name.startsWith('V1'))!;
    expect(stringToSign({ method: 'POST', path: v1.path, body: Buffer.from(v1.body), date: v1.date })).toBe(
      `POST\nf5aa03c095358fec15930f8ff31668a8\napplication/json\n${PROJECT.date}\n${v1.path}`,
    );
  });

  it('uses the MD5 of the empty body on GET', () => {
    expect(contentMd5(Buffer.alloc(0))).toBe(EMPTY_BODY_MD5);
  });

  it('recognises the legacy body-only signature V7 (never used for requests)', () => {
    const v4 = REQUEST_VECTORS.find((v) => v.name.startsWith('V4'))!;
    expect(hmacSha1Hex(PROJECT.secret, Buffer.from(v4.body))).toBe(V7_LEGACY_SIGNATURE);
  });

  it('formats dates as RFC 2822 with a +0000 zone and zero-padded day', () => {
    expect(formatRfc2822(new Date(Date.UTC(2026, 0, 1, 10, 0, 0)))).toBe(PROJECT.date);
    expect(formatRfc2822(new Date(Date.UTC(2021, 11, 15, 23, 12, 55)))).toBe('Wed, 15 Dec 2021 23:12:55 +0000');
    expect(formatRfc2822(new Date(Date.UTC(2026, 1, 3, 4, 5, 6)))).toBe('Tue, 03 Feb 2026 04:05:06 +0000');
  });
});

describe('webhook signature (W1, chats-api.md §3.2)', () => {
  const body = Buffer.from(W1.body, 'utf8');
  const withNewline = Buffer.from(`${W1.body}\n`, 'utf8');

  it('accepts the exact signature, in any letter case', () => {
    expect(verifyWebhookSignature(PROJECT.secret, body, W1.signature)).toBe(true);
    expect(verifyWebhookSignature(PROJECT.secret, body, W1.signature.toUpperCase())).toBe(true);
  });

  it('accepts a body with a trailing newline signed raw or trimmed', () => {
    expect(verifyWebhookSignature(PROJECT.secret, withNewline, W1.signatureWithTrailingNewline)).toBe(true);
    expect(verifyWebhookSignature(PROJECT.secret, withNewline, W1.signature)).toBe(true);
  });

  it('refuses a missing, wrong, truncated or foreign signature and a tampered body', () => {
    expect(verifyWebhookSignature(PROJECT.secret, body, undefined)).toBe(false);
    expect(verifyWebhookSignature(PROJECT.secret, body, '')).toBe(false);
    expect(verifyWebhookSignature(PROJECT.secret, body, W1.signature.slice(0, 39))).toBe(false);
    expect(verifyWebhookSignature('0'.repeat(40), body, W1.signature)).toBe(false);
    const tampered = Buffer.from(W1.body.replace('Hi there', 'Hi therE'), 'utf8');
    expect(verifyWebhookSignature(PROJECT.secret, tampered, W1.signature)).toBe(false);
    // The trimmed fallback only forgives trailing whitespace, not a leading change.
    expect(verifyWebhookSignature(PROJECT.secret, Buffer.from(` ${W1.body}`), W1.signature)).toBe(false);
  });
});
