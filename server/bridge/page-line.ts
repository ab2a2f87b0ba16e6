/**
 * The web page a client wrote from, as amoCRM shows it. The Chats API message has no field for it
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

/** The text amoCRM receives for a client message (on send and on every edit): what was written, then the page. */
export function textForAmojo(content: Pick<MessageContent, 'text' | 'page'>): string | undefined {
  if (!content.page) return content.text;
  const line = pageLine(content.page);
  return content.text !== undefined && content.text !== '' ? `${content.text}\n\n${line}` : line;
}
