/**
 * The text amoCRM receives for a client message, which may carry more than the client wrote.
 *
 * Above it, the platform's note for the managers only (`managerNote`, e.g. "written outside working
 * hours"). Below it, the web page the client wrote from. The Chats API message has no field for it
 * (chats-api.md §4.4: text, media, reply, no metadata; `profile_link` is not displayed), so it travels as
 * the last line of the text (or the caption) amoCRM receives: `🔗 <title> — <url>`. Clients send a page only
 * when it changed since the last message they sent, so a chat shows one line per page, not per message.
 * The client's own view of the conversation never shows it.
 */
import type { MessageContent } from './records.js';

export interface PageRef {
  /** Scheme, host and path only: the platform strips query and fragment before it gets here. */
  url: string;
  title?: string | undefined;
}

export function pageLine(page: PageRef): string {
  const title = page.title?.trim();
  return title ? `🔗 ${title} — ${page.url}` : `🔗 ${page.url}`;
}

/**
 * The text amoCRM receives for a client message (on send and on every edit, since amoCRM replaces
 * the whole text): the managers' note on its own line, what was written, then the page.
 */
export function textForAmojo(content: Pick<MessageContent, 'text' | 'page' | 'managerNote'>): string | undefined {
  const written = content.managerNote ? (content.text !== undefined ? `${content.managerNote}\n${content.text}` : content.managerNote) : content.text;
  if (!content.page) return written;
  const line = pageLine(content.page);
  return written !== undefined && written !== '' ? `${written}\n\n${line}` : line;
}
