/**
 * Small generated files for what an emulated user "sends" (a real PNG of the announced size, the first
 * bytes of an OGG/Opus, MP3, MP4, WebP or PDF file), and the sniffing of what a bot uploads. Nothing is
 * read from disk; every fixture is a few hundred bytes to a few kilobytes.
 */
import { crc32, deflateSync } from 'node:zlib';

export const FIXTURE_KINDS = ['png', 'ogg', 'mp3', 'mp4', 'webp', 'pdf'] as const;
export type FixtureKind = (typeof FIXTURE_KINDS)[number];

const MIME: Record<FixtureKind, string> = {
  png: 'image/png',
  ogg: 'audio/ogg',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  webp: 'image/webp',
  pdf: 'application/pdf',
};

export const mimeOfFixture = (kind: FixtureKind): string => MIME[kind];

/** Largest side of a generated picture: bigger ones are announced with that size but drawn smaller. */
const MAX_DRAWN_SIDE = 1280;

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A valid grey 8-bit greyscale PNG of `width`×`height` (each side capped at 1280). */
export function pngFixture(width: number, height: number): Buffer {
  const w = Math.max(1, Math.min(MAX_DRAWN_SIDE, Math.round(width)));
  const h = Math.max(1, Math.min(MAX_DRAWN_SIDE, Math.round(height)));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // bit depth 8, greyscale, deflate, no filter, no interlace
  const rows = Buffer.alloc((w + 1) * h, 0x80);
  for (let y = 0; y < h; y++) rows[y * (w + 1)] = 0; // filter byte of each row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The first bytes of a file of the kind: enough for anything that sniffs its type. */
export function headerFixture(kind: Exclude<FixtureKind, 'png'>): Buffer {
  switch (kind) {
    case 'ogg':
      return Buffer.concat([
        Buffer.from('OggS', 'ascii'),
        Buffer.from([0, 2, ...new Array<number>(20).fill(0), 1, 19]),
        Buffer.from('OpusHead', 'ascii'),
        Buffer.from([1, 1, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0]),
      ]);
    case 'mp3':
      return Buffer.concat([Buffer.from('ID3', 'ascii'), Buffer.from([4, 0, 0, 0, 0, 0, 0]), Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(413)]);
    case 'mp4':
      return Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom', 'ascii'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2', 'ascii')]);
    case 'webp':
      return Buffer.concat([Buffer.from('RIFF', 'ascii'), Buffer.from([0x1a, 0, 0, 0]), Buffer.from('WEBPVP8 ', 'ascii'), Buffer.alloc(14)]);
    case 'pdf':
      return Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'ascii');
  }
}

/** A fixture of the kind, padded with zeros to `size` bytes when asked (for files of a given size). */
export function fileFixture(kind: FixtureKind, size?: number): Buffer {
  const base = kind === 'png' ? pngFixture(320, 240) : headerFixture(kind);
  return size === undefined || size <= base.length ? base : Buffer.concat([base, Buffer.alloc(size - base.length)]);
}

/** The type a file's first bytes show, or undefined when they show none of the fixture kinds or JPEG. */
export function sniffMime(bytes: Buffer): string | undefined {
  const ascii = (from: number, to: number) => bytes.subarray(from, to).toString('latin1');
  if (bytes[0] === 0x89 && ascii(1, 4) === 'PNG') return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (ascii(0, 4) === 'OggS') return 'audio/ogg';
  if (ascii(0, 3) === 'ID3' || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) return 'audio/mpeg';
  if (ascii(4, 8) === 'ftyp') return 'video/mp4';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (ascii(0, 5) === '%PDF-') return 'application/pdf';
  return undefined;
}

/** Width and height of a PNG, from its IHDR chunk. */
export function pngDimensions(bytes: Buffer): { width: number; height: number } | undefined {
  if (sniffMime(bytes) !== 'image/png' || bytes.length < 24) return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
