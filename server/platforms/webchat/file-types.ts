/**
 * Which files visitors may upload: pictures, documents, audio (voice notes as browsers record
 * them: WebM/Ogg Opus, Safari's MP4) and video. SVG is not accepted: served from our origin it
 * could run script. Anything else is refused with 415.
 */

const ALLOWED = new Set([
  'image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/heic', 'image/heif', 'image/avif',
  'application/pdf', 'text/plain', 'text/csv', 'application/rtf', 'application/zip',
  'application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text', 'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'audio/webm', 'audio/ogg', 'audio/opus', 'audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/wav', 'audio/x-m4a',
  'video/mp4', 'video/webm', 'video/quicktime',
]);

export function isAllowedType(type: string): boolean {
  return ALLOWED.has(type);
}

/** Images are shown inline from our origin, so their bytes must really be that format. */
export function looksLikeImage(type: string, head: Uint8Array): boolean {
  const b = (i: number) => head[i] ?? -1;
  const ascii = (from: number, to: number) => String.fromCharCode(...head.slice(from, to));
  switch (type) {
    case 'image/jpeg':
      return b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff;
    case 'image/png':
      return b(0) === 0x89 && ascii(1, 4) === 'PNG';
    case 'image/gif':
      return ascii(0, 4) === 'GIF8';
    case 'image/webp':
      return ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP';
    case 'image/heic':
    case 'image/heif':
    case 'image/avif':
      return ascii(4, 8) === 'ftyp';
    default:
      return false;
  }
}

/** Shown inline (pictures); everything else is offered as a download. */
export function isInlineType(type: string): boolean {
  return type.startsWith('image/') && ALLOWED.has(type);
}
