/**
 * A manager's edit of a message already in Telegram. The new text is split again as a new message
 * would be: part i of the sent message is edited to part i of the new text (the buttons stay on
 * the last part), parts the new text no longer needs are deleted, and parts it needs beyond the
 * sent ones are sent after them (those are not linked to the amoCRM message, so a reply to one of
 * them is not quoted). A file whose caption held the text gets the new caption, cut at 1,024
 * characters; a file followed by its text keeps the file and edits the text parts. Nothing is paced
 * or retried: an edit Telegram refuses is logged by the caller.
 */
import type { MessageRecord } from '../../bridge/index.js';
import type { BotApi } from './bot-api.js';
import { inlineKeyboard, MAX_CAPTION, splitText } from './outbound-text.js';

/** Telegram refuses an edit to the same content; for us that edit is done. */
const isNotModified = (err: unknown): boolean => err instanceof Error && /message is not modified/i.test(err.message);

async function tolerant(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (!isNotModified(err)) throw err;
  }
}

export async function editSentMessage(api: BotApi, chatId: string, message: MessageRecord, partIds: readonly number[]): Promise<void> {
  const text = message.content.text ?? '';
  const buttons = message.content.buttons && message.content.buttons.length > 0 ? { reply_markup: inlineKeyboard(message.content.buttons) } : {};
  const [first, ...later] = partIds;
  if (first === undefined || text === '') return;
  if (message.content.file && later.length === 0) {
    const caption = text.length <= MAX_CAPTION ? text : `${text.slice(0, MAX_CAPTION - 1)}…`;
    await tolerant(() => api.editMessageCaption(chatId, first, { caption, ...buttons }));
    return;
  }
  const textIds = message.content.file ? later : partIds;
  const parts = splitText(text);
  for (let i = 0; i < Math.max(parts.length, textIds.length); i++) {
    const part = parts[i];
    const id = textIds[i];
    const extra = i === parts.length - 1 ? buttons : {};
    if (part !== undefined && id !== undefined) await tolerant(() => api.editMessageText(chatId, id, part, extra));
    else if (part !== undefined) await api.sendMessage(chatId, part, extra);
    else if (id !== undefined) await api.deleteMessage(chatId, id);
  }
}
