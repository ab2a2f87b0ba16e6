/**
 * zod schemas of the emulated methods' parameters (core.telegram.org/bots/api). Each accepts a value
 * typed (JSON body) or as the string a query or form carries (numbers, booleans, JSON-encoded objects).
 * Rules the real API words in its own way (empty text, button data, secret token) are checked by the
 * methods, so that their answers use those words.
 */
import { z } from 'zod';

const jsonString = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};

export const json = <T extends z.ZodType>(schema: T) => z.preprocess(jsonString, schema);
export const int = z.preprocess((v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v), z.int());
export const bool = z.preprocess((v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v), z.boolean());
const number = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v), z.number());

/** An integer id, or `@username` of a public chat (which the emulator never has). */
export const chatId = z.union([int, z.string().regex(/^@[A-Za-z0-9_]{4,32}$/, 'must be an integer or @username')]);

export const entity = z.object({
  type: z.string().min(1),
  offset: z.int().nonnegative(),
  length: z.int().positive(),
  url: z.string().optional(),
  language: z.string().optional(),
  custom_emoji_id: z.string().optional(),
});
export type EntityInput = z.infer<typeof entity>;

const inlineButton = z.looseObject({
  text: z.string(),
  callback_data: z.string().optional(),
  url: z.string().optional(),
});
export type InlineButtonInput = z.infer<typeof inlineButton>;

/** Inline keyboards are stored on the message; reply keyboards and their removal are accepted and not shown. */
export const inlineKeyboardMarkup = z.object({ inline_keyboard: z.array(z.array(inlineButton)) });
export const replyMarkup = json(
  z.union([
    inlineKeyboardMarkup,
    z.looseObject({ keyboard: z.array(z.array(z.unknown())) }),
    z.looseObject({ remove_keyboard: z.literal(true) }),
    z.looseObject({ force_reply: z.literal(true) }),
  ]),
);
export type ReplyMarkupInput = z.infer<typeof replyMarkup>;

const replyParameters = json(
  z.object({
    message_id: z.int(),
    chat_id: chatId.optional(),
    allow_sending_without_reply: z.boolean().optional(),
    quote: z.string().optional(),
  }),
);

/** Parameters every send* method shares. */
const sendBase = {
  chat_id: chatId,
  message_thread_id: int.optional(),
  parse_mode: z.string().optional(),
  disable_notification: bool.optional(),
  protect_content: bool.optional(),
  reply_parameters: replyParameters.optional(),
  /** Replaced by reply_parameters in Bot API 7.0; still accepted (telegram.md §5). */
  reply_to_message_id: int.optional(),
  allow_sending_without_reply: bool.optional(),
  reply_markup: replyMarkup.optional(),
};
export type SendBaseInput = z.infer<z.ZodObject<typeof sendBase>>;

export const sendMessageParams = z.object({
  ...sendBase,
  text: z.unknown().optional(),
  entities: json(z.array(entity)).optional(),
  link_preview_options: json(z.looseObject({ is_disabled: z.boolean().optional() })).optional(),
});

/** sendPhoto & co.: the file itself is read by the method (a string, or a multipart part of that name). */
export const sendMediaParams = z.object({
  ...sendBase,
  caption: z.string().optional(),
  caption_entities: json(z.array(entity)).optional(),
  duration: int.optional(),
  width: int.optional(),
  height: int.optional(),
  performer: z.string().optional(),
  title: z.string().optional(),
  has_spoiler: bool.optional(),
  supports_streaming: bool.optional(),
  disable_content_type_detection: bool.optional(),
});
export type SendMediaInput = z.infer<typeof sendMediaParams>;

/** sendLocation: latitude −90…90, longitude −180…180 (a live location's fields are accepted and not shown). */
export const sendLocationParams = z.object({
  ...sendBase,
  latitude: number.pipe(z.number().min(-90).max(90)),
  longitude: number.pipe(z.number().min(-180).max(180)),
  horizontal_accuracy: number.pipe(z.number().min(0).max(1500)).optional(),
  live_period: int.optional(),
  heading: int.optional(),
  proximity_alert_radius: int.optional(),
});

/** sendContact: the phone number and first name are required (their emptiness is checked by the method). */
export const sendContactParams = z.object({
  ...sendBase,
  phone_number: z.string(),
  first_name: z.string(),
  last_name: z.string().optional(),
  vcard: z.string().max(2048).optional(),
});

export const editMessageCaptionParams = z.object({
  chat_id: chatId.optional(),
  message_id: int.optional(),
  inline_message_id: z.string().optional(),
  caption: z.string().optional(),
  parse_mode: z.string().optional(),
  caption_entities: json(z.array(entity)).optional(),
  reply_markup: replyMarkup.optional(),
});

export const editMessageTextParams = z.object({
  chat_id: chatId.optional(),
  message_id: int.optional(),
  inline_message_id: z.string().optional(),
  text: z.unknown().optional(),
  parse_mode: z.string().optional(),
  entities: json(z.array(entity)).optional(),
  reply_markup: replyMarkup.optional(),
  link_preview_options: json(z.looseObject({})).optional(),
});

export const CHAT_ACTIONS = [
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
] as const;

export const sendChatActionParams = z.object({ chat_id: chatId, action: z.string(), message_thread_id: int.optional() });

const reactionType = z.union([
  z.object({ type: z.literal('emoji'), emoji: z.string() }),
  z.object({ type: z.literal('custom_emoji'), custom_emoji_id: z.string() }),
  z.object({ type: z.literal('paid') }),
]);
export type ReactionInput = z.infer<typeof reactionType>;

export const setMessageReactionParams = z.object({
  chat_id: chatId,
  message_id: int,
  reaction: json(z.array(reactionType)).optional(),
  is_big: bool.optional(),
});

export const answerCallbackQueryParams = z.object({
  callback_query_id: z.string().min(1),
  text: z.string().max(200).optional(),
  show_alert: bool.optional(),
  url: z.string().optional(),
  cache_time: int.optional(),
});

export const setWebhookParams = z.object({
  url: z.string(),
  secret_token: z.string().optional(),
  allowed_updates: json(z.array(z.string())).optional(),
  drop_pending_updates: bool.optional(),
  max_connections: int.optional(),
  ip_address: z.string().optional(),
});

export const deleteWebhookParams = z.object({ drop_pending_updates: bool.optional() });

export const getUpdatesParams = z.object({
  offset: int.optional(),
  limit: int.optional(),
  timeout: int.optional(),
  allowed_updates: json(z.array(z.string())).optional(),
});

export const getFileParams = z.object({ file_id: z.string().min(1) });

export const locationInput = z.object({ latitude: number.pipe(z.number().min(-90).max(90)), longitude: number.pipe(z.number().min(-180).max(180)) });
