/**
 * Telegram as a bridge platform: manager messages are sent with the Bot API (text split safely,
 * pictures, files, voice, video, places, contact cards, quoted replies, salesbot buttons as an
 * inline keyboard), their
 * outcome answered to the bridge (Telegram's message id, a wait, or a refusal such as a user who
 * blocked the bot); manager reactions become `setMessageReaction`, manager typing `sendChatAction`.
 * Telegram tells a bot nothing about delivery or reading (telegram.md §5): a message Telegram took
 * is reported as delivered to the messenger, and nothing more.
 */
import { InputFile } from 'grammy';
import type { ReactionTypeEmoji } from 'grammy/types';
import type {
  Bridge,
  ConversationRecord,
  DeliveryCapable,
  DeliveryResult,
  MediaCapable,
  MessageRecord,
  OutboundDelivery,
  PlatformAdapter,
  ReactionCapable,
  TypingCapable,
} from '../../bridge/index.js';
import type { Logger } from '../../log.js';
import { botApi, failureOf, type BotApi } from './bot-api.js';
import type { BotDirectory } from './bots.js';
import { inlineKeyboard, MAX_CAPTION, splitText } from './outbound-text.js';
import { MAX_INLINE_WAIT_MS, type Pacer } from './pacing.js';

export const TELEGRAM_PLATFORM = 'telegram';

export type TelegramAdapter = PlatformAdapter & DeliveryCapable & MediaCapable & ReactionCapable & TypingCapable;

export interface TelegramAdapterOptions {
  bridge: Pick<Bridge, 'conversations' | 'messages'>;
  bots: BotDirectory;
  apiRoot: string;
  pacer: Pacer;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

/** Photos larger than this go as documents (Bot API upload limit for photos, telegram.md §4). */
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

class Paced extends Error {
  constructor(readonly afterMs: number) {
    super('flood limit');
  }
}

export function createTelegramAdapter(opts: TelegramAdapterOptions): TelegramAdapter {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const { logger } = opts;

  async function apiFor(conversation: ConversationRecord): Promise<{ api: BotApi; botId: string } | undefined> {
    const bot = await opts.bots.ofAccount(conversation.accountId);
    return bot ? { api: botApi(opts.apiRoot, bot.token), botId: bot.botId } : undefined;
  }

  /** Waits for the chat's and the bot's free slots, or hands a long wait back to the job runner. */
  async function paced<T>(botId: string, chatId: string, send: () => Promise<T>): Promise<T> {
    for (let waited = 0; ; ) {
      const wait = await opts.pacer.take(botId, chatId);
      if (wait === 0) return send();
      if (waited + wait > MAX_INLINE_WAIT_MS) throw new Paced(wait);
      await sleep(wait);
      waited += wait;
    }
  }

  async function sendFile(api: BotApi, chatId: string, m: MessageRecord, file: NonNullable<OutboundDelivery['file']>, extra: Record<string, unknown>): Promise<number> {
    const ref = m.content.file!;
    const input = new InputFile(() => file.open(), ref.name);
    const isOgg = /ogg|opus/.test(ref.contentType);
    switch (m.kind) {
      case 'picture':
      case 'sticker':
        if (ref.size <= MAX_PHOTO_BYTES && ref.contentType !== 'image/gif') return (await api.sendPhoto(chatId, input, extra)).message_id;
        return (await api.sendDocument(chatId, input, extra)).message_id;
      case 'video':
        return (await api.sendVideo(chatId, input, extra)).message_id;
      case 'voice':
        // A voice message must be OGG/Opus; other recordings go as audio (telegram.md §4).
        if (isOgg) return (await api.sendVoice(chatId, input, extra)).message_id;
        return (await api.sendAudio(chatId, input, extra)).message_id;
      case 'audio':
        return (await api.sendAudio(chatId, input, extra)).message_id;
      default:
        return (await api.sendDocument(chatId, input, extra)).message_id;
    }
  }

  async function deliver(d: OutboundDelivery): Promise<DeliveryResult> {
    const found = await apiFor(d.conversation);
    if (!found) return { outcome: 'failed', reason: 'The Telegram bot of this chat is no longer connected.' };
    const { api, botId } = found;
    const chatId = d.conversation.platformChatId;
    const m = d.message;
    const text = m.content.text ?? '';
    const ids: number[] = [];
    // The quote goes on the first message sent, the buttons on the last.
    const replyOf = () =>
      ids.length === 0 && d.replyToPlatformMsgId && /^\d+$/.test(d.replyToPlatformMsgId)
        ? { reply_parameters: { message_id: Number(d.replyToPlatformMsgId), allow_sending_without_reply: true } }
        : {};
    const buttons = m.content.buttons && m.content.buttons.length > 0 ? { reply_markup: inlineKeyboard(m.content.buttons) } : {};
    try {
      const captionFits = text.length <= MAX_CAPTION;
      const textParts = d.file && captionFits ? [] : splitText(text);
      const place = m.kind === 'location' ? m.content.location : undefined;
      const card = m.kind === 'contact' ? m.content.contact : undefined;
      if (d.file) {
        const file = d.file;
        const extra = { ...replyOf(), ...(captionFits && text ? { caption: text } : {}), ...(textParts.length === 0 ? buttons : {}) };
        ids.push(await paced(botId, chatId, () => sendFile(api, chatId, m, file, extra)));
      } else if (place || card) {
        // A place or a card has no caption: its text follows as a message of its own.
        const extra = { ...replyOf(), ...(textParts.length === 0 ? buttons : {}) };
        const sent = place
          ? await paced(botId, chatId, () => api.sendLocation(chatId, place.lat, place.lon, extra))
          : await paced(botId, chatId, () => api.sendContact(chatId, card!.phone, card!.name || card!.phone, extra));
        ids.push(sent.message_id);
      }
      for (const [i, part] of textParts.entries()) {
        const extra = { ...replyOf(), ...(i === textParts.length - 1 ? buttons : {}) };
        ids.push((await paced(botId, chatId, () => api.sendMessage(chatId, part, extra))).message_id);
      }
    } catch (err) {
      if (err instanceof Paced) {
        // Parts already sent stay sent; a retry would repeat them, so a split message is paced part by part.
        if (ids.length > 0) logger.warn({ conversationId: d.conversation.id, sent: ids.length }, 'telegram: a long message was cut short by the flood limit');
        return ids.length > 0 ? { outcome: 'delivered', platformMsgIds: ids.map(String), status: 'delivered' } : { outcome: 'retry', reason: 'flood limit', afterMs: err.afterMs };
      }
      if (ids.length > 0) return { outcome: 'delivered', platformMsgIds: ids.map(String), status: 'delivered' };
      return failureOf(err);
    }
    if (ids.length === 0) return { outcome: 'failed', reason: 'The message is empty.' };
    return { outcome: 'delivered', platformMsgIds: ids.map(String), status: 'delivered' };
  }

  return {
    platform: TELEGRAM_PLATFORM,
    hasOwnChannel: true,
    mediaKinds: ['picture', 'file', 'video', 'voice', 'audio', 'sticker', 'location', 'contact'],
    showsReactions: true,
    texts: {
      writeFirstRefused: 'This channel is Telegram: a bot cannot start a conversation by phone number. The person has to write to the bot first.',
      unknownConversation: 'The conversation does not exist in Telegram any more.',
      unsupportedKind: (type) => `Telegram messages of type ${type} cannot be sent from here.`,
      deliveryFailed: 'The message could not be delivered to Telegram.',
    },
    deliver,

    async publish(event) {
      // Messages go through `deliver`; of the rest only a manager's reaction concerns Telegram.
      if (event.type !== 'reaction' || event.data.from !== 'manager') return { reachedClients: 0 };
      const conversation = await opts.bridge.conversations.get(event.conversationId);
      const message = conversation ? await opts.bridge.messages.get(event.data.msgid) : undefined;
      const found = conversation ? await apiFor(conversation) : undefined;
      if (!conversation || !message?.clientMsgId || !/^\d+$/.test(message.clientMsgId) || !found) return { reachedClients: 0 };
      const reaction: ReactionTypeEmoji[] = event.data.type === 'react' && event.data.emoji ? [{ type: 'emoji', emoji: event.data.emoji as ReactionTypeEmoji['emoji'] }] : [];
      try {
        await found.api.setMessageReaction(conversation.platformChatId, Number(message.clientMsgId), reaction);
        return { reachedClients: 1 };
      } catch (err) {
        // Telegram allows bots a fixed list of emoji; another one is refused and only logged.
        logger.info({ conversationId: conversation.id, err: failureOf(err).reason }, 'telegram: reaction not shown');
        return { reachedClients: 0 };
      }
    },

    showTyping(conversationId) {
      void (async () => {
        const conversation = await opts.bridge.conversations.get(conversationId);
        const found = conversation ? await apiFor(conversation) : undefined;
        if (!conversation || !found) return;
        await found.api.sendChatAction(conversation.platformChatId, 'typing');
      })().catch((err: unknown) => logger.debug({ conversationId, err: failureOf(err).reason }, 'telegram: typing not shown'));
    },
  };
}
