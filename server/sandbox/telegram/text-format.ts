/**
 * `parse_mode` (core.telegram.org/bots/api#formatting-options): turns HTML, MarkdownV2 or legacy
 * Markdown into the plain text and entities the message carries, refusing what Telegram refuses (an
 * unknown tag, an unclosed entity, an unescaped reserved MarkdownV2 character) in its words
 * ("can't parse entities: …"). Offsets are UTF-16 units; the error's byte offsets are UTF-8.
 * Nested-entity rules and a few rare constructs (custom emoji, expandable quotes) are not checked
 * [unconfirmed details of Telegram's parser].
 */
import type { BotApiMessageEntity } from './bot-api-types.js';
import { badRequest, type TelegramApiError } from './api-errors.js';

export interface FormattedText {
  text: string;
  entities: BotApiMessageEntity[];
}

export const PARSE_MODES = ['HTML', 'MarkdownV2', 'Markdown'] as const;

const cantParse = (what: string): TelegramApiError => badRequest(`can't parse entities: ${what}`);
const byteOffset = (src: string, at: number): number => Buffer.byteLength(src.slice(0, at), 'utf8');

interface Open {
  marker: string;
  type: string;
  start: number;
  at: number;
  url?: string;
}

function close(entities: BotApiMessageEntity[], open: Open, end: number): void {
  if (end > open.start) entities.push({ type: open.type, offset: open.start, length: end - open.start, ...(open.url ? { url: open.url } : {}) });
}

const HTML_TAGS: Record<string, string> = {
  b: 'bold', strong: 'bold', i: 'italic', em: 'italic', u: 'underline', ins: 'underline',
  s: 'strikethrough', strike: 'strikethrough', del: 'strikethrough', 'tg-spoiler': 'spoiler', span: 'spoiler',
  a: 'text_link', code: 'code', pre: 'pre', blockquote: 'blockquote', 'tg-emoji': 'custom_emoji',
};
const HTML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function parseHtml(src: string): FormattedText {
  let text = '';
  const entities: BotApiMessageEntity[] = [];
  const stack: Open[] = [];
  for (let i = 0; i < src.length; ) {
    const c = src[i] ?? '';
    if (c === '&') {
      const m = /^&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-f]{1,6});/i.exec(src.slice(i, i + 12));
      const name = m?.[1];
      if (m && name) {
        text += name.startsWith('#') ? String.fromCodePoint(Number(name[1] === 'x' || name[1] === 'X' ? `0x${name.slice(2)}` : name.slice(1))) : (HTML_ENTITIES[name.toLowerCase()] ?? '');
        i += m[0].length;
        continue;
      }
    }
    if (c !== '<') {
      text += c;
      i++;
      continue;
    }
    const end = src.indexOf('>', i);
    if (end < 0) throw cantParse(`Unclosed start tag at byte offset ${byteOffset(src, i)}`);
    const tag = src.slice(i + 1, end).trim();
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim().toLowerCase();
      const open = stack.pop();
      if (open?.marker !== name) throw cantParse(`Unmatched end tag at byte offset ${byteOffset(src, i)}, expected "</${open?.marker ?? ''}>", found "</${name}>"`);
      close(entities, open, text.length);
    } else {
      const name = (tag.split(/\s/)[0] ?? '').toLowerCase();
      const type = HTML_TAGS[name];
      if (!type) throw cantParse(`Unsupported start tag "${name}" at byte offset ${byteOffset(src, i)}`);
      const href = /href\s*=\s*"([^"]*)"|href\s*=\s*'([^']*)'/i.exec(tag);
      const url = href?.[1] ?? href?.[2];
      stack.push({ marker: name, type, start: text.length, at: i, ...(url !== undefined ? { url } : {}) });
    }
    i = end + 1;
  }
  const open = stack.pop();
  if (open) throw cantParse(`Can't find end tag corresponding to start tag "${open.marker}"`);
  return { text, entities: entities.sort((a, b) => a.offset - b.offset) };
}

const V2_RESERVED = '_*[]()~`>#+-=|{}.!';
const V2_MARKERS: Array<[string, string, string]> = [
  ['||', 'spoiler', 'Spoiler'],
  ['__', 'underline', 'Underline'],
  ['*', 'bold', 'Bold'],
  ['_', 'italic', 'Italic'],
  ['~', 'strikethrough', 'Strikethrough'],
];

function parseMarkdown(src: string, v2: boolean): FormattedText {
  let text = '';
  const entities: BotApiMessageEntity[] = [];
  const stack: Open[] = [];
  const markers = v2 ? V2_MARKERS : V2_MARKERS.filter(([m]) => m === '*' || m === '_');
  const unclosed = (open: Open) =>
    cantParse(v2 ? `Can't find end of ${open.marker} entity at byte offset ${byteOffset(src, open.at)}` : `Can't find end of the entity starting at byte offset ${byteOffset(src, open.at)}`);
  for (let i = 0; i < src.length; ) {
    const c = src[i] ?? '';
    if (c === '\\' && i + 1 < src.length) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const fence = src.startsWith('```', i) ? '```' : '`';
      const end = src.indexOf(fence, i + fence.length);
      if (end < 0) throw unclosed({ marker: fence === '```' ? 'Pre' : 'Code', type: '', start: 0, at: i });
      let body = src.slice(i + fence.length, end);
      let language: string | undefined;
      if (fence === '```' && /^[^\s`]*\n/.test(body)) {
        language = body.slice(0, body.indexOf('\n')) || undefined;
        body = body.slice(body.indexOf('\n') + 1);
      }
      if (v2) body = body.replace(/\\([\\`])/g, '$1');
      if (body.length > 0) entities.push({ type: fence === '```' ? 'pre' : 'code', offset: text.length, length: body.length, ...(language ? { language } : {}) });
      text += body;
      i = end + fence.length;
      continue;
    }
    if (c === '[') {
      stack.push({ marker: 'TextUrl', type: 'text_link', start: text.length, at: i });
      i++;
      continue;
    }
    if (c === ']' && stack[stack.length - 1]?.type === 'text_link') {
      const m = /^\]\(((?:\\.|[^)\\])*)\)/.exec(src.slice(i));
      const open = stack.pop();
      if (!m || !open) throw cantParse(`Can't find end of a URL at byte offset ${byteOffset(src, i)}`);
      close(entities, { ...open, url: (m[1] ?? '').replace(/\\(.)/g, '$1') }, text.length);
      i += m[0].length;
      continue;
    }
    const marker = markers.find(([m]) => src.startsWith(m, i));
    if (marker) {
      const [m, type, name] = marker;
      const top = stack[stack.length - 1];
      if (top?.type === type) close(entities, stack.pop() ?? top, text.length);
      else stack.push({ marker: name, type, start: text.length, at: i });
      i += m.length;
      continue;
    }
    if (v2 && V2_RESERVED.includes(c) && !(c === '>' && (i === 0 || src[i - 1] === '\n'))) {
      throw cantParse(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    }
    text += c;
    i++;
  }
  const open = stack.pop();
  if (open) throw unclosed(open);
  return { text, entities: entities.sort((a, b) => a.offset - b.offset) };
}

/** Text and entities of a message; without parse_mode, the given entities as they are. */
export function formatText(src: string, parseMode: string | undefined, entities: BotApiMessageEntity[] | undefined): FormattedText {
  if (parseMode === undefined || parseMode === '') return { text: src, entities: entities ?? [] };
  if (parseMode === 'HTML') return parseHtml(src);
  if (parseMode === 'MarkdownV2') return parseMarkdown(src, true);
  if (parseMode === 'Markdown') return parseMarkdown(src, false);
  throw badRequest('unsupported parse_mode');
}
