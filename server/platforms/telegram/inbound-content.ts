/**
 * A Telegram message as a client message (telegram.md §3): its text or caption as plain text
 * (a hidden link's address is written after its words), and at most one attachment: the largest
 * photo size, a document, voice or audio (with its length), video, video note, a static sticker as
 * a picture (an animated one as its preview, or its emoji), a place or a contact card.
 */
import type { MessageKind } from '../../bridge/index.js';
import type { TelegramMessage } from './schema.js';

export interface InboundFile {
  fileId: string;
  size: number | undefined;
  name: string;
  contentType: string | undefined;
  kind: MessageKind;
}

export interface InboundContent {
  text: string | undefined;
  file: InboundFile | undefined;
  durationSec: number | undefined;
  location: { lat: number; lon: number } | undefined;
  contact: { name: string; phone: string } | undefined;
}

type Entities = TelegramMessage['entities'];

/** Plain text: `text_link` entities keep their words and gain the address in brackets. */
export function plainText(text: string | undefined, entities: Entities): string | undefined {
  if (text === undefined) return undefined;
  const links = (entities ?? []).filter((e) => e.type === 'text_link' && e.url).sort((a, b) => b.offset - a.offset);
  let out = text;
  for (const e of links) {
    const end = e.offset + e.length;
    out = `${out.slice(0, end)} (${e.url})${out.slice(end)}`;
  }
  return out;
}

export function inboundContent(m: TelegramMessage): InboundContent {
  const text = plainText(m.text, m.entities) ?? plainText(m.caption, m.caption_entities);
  const base: InboundContent = { text, file: undefined, durationSec: undefined, location: undefined, contact: undefined };
  const largest = m.photo?.reduce((a, b) => (b.width * b.height >= a.width * a.height ? b : a));
  if (largest) return { ...base, file: { fileId: largest.file_id, size: largest.file_size, name: 'photo.jpg', contentType: 'image/jpeg', kind: 'picture' } };
  if (m.document) {
    return { ...base, file: { fileId: m.document.file_id, size: m.document.file_size, name: m.document.file_name ?? 'file', contentType: m.document.mime_type, kind: 'file' } };
  }
  if (m.voice) {
    return { ...base, durationSec: m.voice.duration, file: { fileId: m.voice.file_id, size: m.voice.file_size, name: 'voice.ogg', contentType: m.voice.mime_type ?? 'audio/ogg', kind: 'voice' } };
  }
  if (m.audio) {
    return { ...base, durationSec: m.audio.duration, file: { fileId: m.audio.file_id, size: m.audio.file_size, name: m.audio.file_name ?? 'audio.mp3', contentType: m.audio.mime_type, kind: 'audio' } };
  }
  if (m.video) {
    return { ...base, durationSec: m.video.duration, file: { fileId: m.video.file_id, size: m.video.file_size, name: m.video.file_name ?? 'video.mp4', contentType: m.video.mime_type ?? 'video/mp4', kind: 'video' } };
  }
  if (m.video_note) {
    return { ...base, durationSec: m.video_note.duration, file: { fileId: m.video_note.file_id, size: m.video_note.file_size, name: 'video-note.mp4', contentType: 'video/mp4', kind: 'video' } };
  }
  if (m.sticker) {
    const s = m.sticker;
    if (!s.is_animated && !s.is_video) return { ...base, file: { fileId: s.file_id, size: s.file_size, name: 'sticker.webp', contentType: 'image/webp', kind: 'picture' } };
    if (s.thumbnail) return { ...base, file: { fileId: s.thumbnail.file_id, size: s.thumbnail.file_size, name: 'sticker.webp', contentType: 'image/webp', kind: 'picture' } };
    return { ...base, text: `[sticker${s.emoji ? ` ${s.emoji}` : ''}]` };
  }
  if (m.location) return { ...base, location: { lat: m.location.latitude, lon: m.location.longitude } };
  if (m.contact) {
    const name = [m.contact.first_name, m.contact.last_name].filter(Boolean).join(' ');
    return { ...base, contact: { name, phone: m.contact.phone_number } };
  }
  return base;
}
