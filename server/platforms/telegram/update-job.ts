/**
 * The job that processes one stored Telegram update (stored by the webhook route before Telegram
 * got its 200; repeats of an `update_id` were dropped on the way into jobs). Private chats only:
 * a group's updates are logged and ignored. A message opens the person's conversation on first
 * contact (their name, username and profile link go to amoCRM with it); its files are fetched
 * with `getFile` (a file over Telegram's 20 MB bot limit becomes a text that says so). Edits,
 * button presses and reactions reach the bridge as what they are.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { asClientMsgId, BridgeRefusal, type Bridge, type ConversationRecord, type FileId, type MsgId } from '../../bridge/index.js';
import type { JobHandler } from '../../bridge/job-runner.js';
import type { Logger } from '../../log.js';
import { TELEGRAM_PLATFORM } from './adapter.js';
import { botApi, fileDownloadUrl, type BotApi } from './bot-api.js';
import type { BotDirectory, ConnectedBot } from './bots.js';
import { inboundContent, type InboundFile } from './inbound-content.js';
import { telegramUpdate, updateJobPayload, type TelegramMessage, type TelegramUpdate, type TelegramUser } from './schema.js';

export const UPDATE_JOB_KIND = 'telegram.update';

/**
 * This job was answered to Telegram long ago and may wait for amojo: the message goes out from
 * here, without a send job of its own (the bridge's `sendNow`).
 */
const SEND_NOW = { sendNow: true } as const;

/** Bots may download files up to 20 MB (telegram.md §4). */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

export interface UpdateJobOptions {
  bridge: Pick<Bridge, 'conversations' | 'messages' | 'signals' | 'files'>;
  bots: BotDirectory;
  apiRoot: string;
  logger: Logger;
  fetch?: typeof fetch;
}

function displayName(u: TelegramUser | undefined, chatId: number): string {
  const name = u ? [u.first_name, u.last_name].filter(Boolean).join(' ').trim() : '';
  if (name) return name;
  return u?.username ? `@${u.username}` : `Telegram user ${chatId}`;
}

export function createUpdateJob(opts: UpdateJobOptions): JobHandler {
  const { bridge, logger } = opts;
  const doFetch = opts.fetch ?? fetch;

  /** The person's conversation, opened on first contact; name and profile link kept current. */
  async function conversationOf(bot: ConnectedBot, m: TelegramMessage | { chat: { id: number }; from?: TelegramUser }, from: TelegramUser | undefined): Promise<ConversationRecord> {
    const chatId = String(m.chat.id);
    const name = displayName(from, m.chat.id);
    const profileLink = from?.username ? `https://t.me/${from.username}` : undefined;
    const found = await bridge.conversations.findByPlatformChat(bot.accountId, TELEGRAM_PLATFORM, chatId);
    if (!found) {
      return bridge.conversations.open({ accountId: bot.accountId, platform: TELEGRAM_PLATFORM, platformChatId: chatId, name, profile: profileLink ? { profileLink } : {} });
    }
    if (from && (found.participantName !== name || found.profile.profileLink !== profileLink)) {
      return bridge.conversations.updateProfile(found, name, profileLink ? { profileLink } : {});
    }
    return found;
  }

  async function download(bot: ConnectedBot, api: BotApi, conversation: ConversationRecord, f: InboundFile): Promise<FileId | string> {
    const tooLarge = `The client sent a file larger than 20 MB (${f.name}); Telegram does not let bots download it. Ask them to send it another way.`;
    if (f.size !== undefined && f.size > MAX_DOWNLOAD_BYTES) return tooLarge;
    const info = await api.getFile(f.fileId);
    if (!info.file_path || (info.file_size !== undefined && info.file_size > MAX_DOWNLOAD_BYTES)) return tooLarge;
    const res = await doFetch(fileDownloadUrl(opts.apiRoot, bot.token, info.file_path), { signal: AbortSignal.timeout(60_000) });
    if (!res.ok || !res.body) throw new Error(`telegram file download answered ${res.status}`);
    const saved = await bridge.files.save({
      accountId: conversation.accountId,
      conversationId: conversation.id,
      name: f.name,
      contentType: f.contentType ?? res.headers.get('content-type') ?? 'application/octet-stream',
      kind: f.kind,
      source: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
      maxBytes: MAX_DOWNLOAD_BYTES,
      origin: 'client',
    });
    return saved.id;
  }

  async function onMessage(bot: ConnectedBot, m: TelegramMessage): Promise<void> {
    const conversation = await conversationOf(bot, m, m.from);
    const clientMsgId = asClientMsgId(String(m.message_id));
    const content = inboundContent(m);
    // A repeat is refused by `accept` anyway; asking first only spares downloading its file again.
    if (content.file && (await bridge.messages.findByPlatformId(conversation, clientMsgId))) return;
    let text = content.text;
    let fileId: FileId | undefined;
    if (content.file) {
      const got = await download(bot, botApi(opts.apiRoot, bot.token), conversation, content.file);
      if (got.startsWith('f_')) fileId = got as FileId;
      else text = text ? `${text}\n\n${got}` : got;
    }
    // A reply may quote any part of a manager message that was sent in parts.
    const quoted = m.reply_to_message ? await bridge.messages.findByAnyPart(conversation, String(m.reply_to_message.message_id)) : undefined;
    if (text === undefined && !fileId && !content.location && !content.contact) {
      logger.info({ conversationId: conversation.id }, 'telegram: a message of a kind the channel does not carry was ignored');
      return;
    }
    await bridge.messages.accept(conversation, {
      clientMsgId,
      text,
      fileId,
      ...(fileId && content.file ? { fileKind: content.file.kind } : {}),
      replyTo: quoted?.id as MsgId | undefined,
      durationSec: content.durationSec,
      location: content.location,
      contact: content.contact,
    }, SEND_NOW);
  }

  async function onEdit(bot: ConnectedBot, m: TelegramMessage): Promise<void> {
    const conversation = await bridge.conversations.findByPlatformChat(bot.accountId, TELEGRAM_PLATFORM, String(m.chat.id));
    const original = conversation ? await bridge.messages.findByPlatformId(conversation, String(m.message_id)) : undefined;
    const text = inboundContent(m).text;
    if (!conversation || !original || text === undefined) return;
    await bridge.messages.edit(conversation, original.id, text);
  }

  async function onButton(bot: ConnectedBot, q: NonNullable<TelegramUpdate['callback_query']>): Promise<void> {
    const api = botApi(opts.apiRoot, bot.token);
    // Answered first: until then the person sees a spinner on the button.
    await api.answerCallbackQuery(q.id).catch((err: unknown) => logger.debug({ err: String(err) }, 'telegram: callback query not answered'));
    if (!q.message || q.message.chat.type !== 'private' || q.data === undefined) return;
    const pressed = q.message.reply_markup?.inline_keyboard.flat().find((b) => b.callback_data === q.data);
    const conversation = await conversationOf(bot, q.message, q.from);
    await bridge.messages.accept(conversation, { clientMsgId: asClientMsgId(`cb:${q.id}`), text: pressed?.text ?? q.data }, SEND_NOW);
  }

  async function onReaction(bot: ConnectedBot, r: NonNullable<TelegramUpdate['message_reaction']>): Promise<void> {
    const conversation = await bridge.conversations.findByPlatformChat(bot.accountId, TELEGRAM_PLATFORM, String(r.chat.id));
    const message = conversation ? await bridge.messages.findByAnyPart(conversation, String(r.message_id)) : undefined;
    if (!conversation || !message) return;
    const emoji = r.new_reaction.find((x) => x.type === 'emoji')?.emoji ?? null;
    await bridge.signals.react(conversation, message.id, emoji);
  }

  return {
    kind: UPDATE_JOB_KIND,
    async perform(payload) {
      const job = updateJobPayload.parse(payload);
      const update = telegramUpdate.parse(job.update);
      const bot = await opts.bots.byBotId(job.botId);
      // Disconnected since: the update is for nobody now.
      if (!bot || bot.accountId !== job.accountId) return;
      const chat = update.message?.chat ?? update.edited_message?.chat ?? update.callback_query?.message?.chat ?? update.message_reaction?.chat ?? update.my_chat_member?.chat;
      if (chat && chat.type !== 'private') {
        logger.info({ botId: job.botId, chatType: chat.type }, 'telegram: update from a group chat ignored (only private chats are carried)');
        return;
      }
      try {
        if (update.message) await onMessage(bot, update.message);
        else if (update.edited_message) await onEdit(bot, update.edited_message);
        else if (update.callback_query) await onButton(bot, update.callback_query);
        else if (update.message_reaction) await onReaction(bot, update.message_reaction);
        else if (update.my_chat_member) logger.info({ botId: job.botId, status: update.my_chat_member.new_chat_member.status }, 'telegram: the person changed the bot membership');
      } catch (err) {
        // A refusal (a message too long, a quote of something gone) will not get better by retrying.
        if (err instanceof BridgeRefusal) {
          logger.warn({ botId: job.botId, updateId: update.update_id, reason: err.message }, 'telegram: update refused');
          return;
        }
        throw err;
      }
    },
  };
}
