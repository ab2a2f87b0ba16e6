/**
 * What Telegram sends (telegram.md §3), validated at the edge: only the fields the platform reads,
 * everything else passed through untouched. Unknown update kinds are valid updates (they are
 * stored and ignored); a body without an integer `update_id` is not an Update.
 */
import { z } from 'zod';

export const telegramUser = z.object({
  id: z.number().int(),
  is_bot: z.boolean().optional(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});

const chat = z.object({ id: z.number().int(), type: z.string(), title: z.string().optional() });
const fileFields = { file_id: z.string(), file_size: z.number().int().optional() };
const photoSize = z.object({ ...fileFields, width: z.number(), height: z.number() });
const document = z.object({ ...fileFields, file_name: z.string().optional(), mime_type: z.string().optional() });
const withDuration = { duration: z.number().optional() };
const button = z.object({ text: z.string(), callback_data: z.string().optional(), url: z.string().optional() });

const baseMessage = z.object({
  message_id: z.number().int(),
  from: telegramUser.optional(),
  chat,
  date: z.number(),
  text: z.string().optional(),
  entities: z.array(z.object({ type: z.string(), offset: z.number(), length: z.number(), url: z.string().optional() })).optional(),
  caption: z.string().optional(),
  caption_entities: z.array(z.object({ type: z.string(), offset: z.number(), length: z.number(), url: z.string().optional() })).optional(),
  photo: z.array(photoSize).optional(),
  document: document.optional(),
  voice: z.object({ ...fileFields, ...withDuration, mime_type: z.string().optional() }).optional(),
  audio: document.extend(withDuration).extend({ title: z.string().optional(), performer: z.string().optional() }).optional(),
  video: document.extend(withDuration).optional(),
  video_note: z.object({ ...fileFields, ...withDuration }).optional(),
  sticker: z
    .object({ ...fileFields, is_animated: z.boolean().optional(), is_video: z.boolean().optional(), emoji: z.string().optional(), thumbnail: photoSize.optional() })
    .optional(),
  location: z.object({ latitude: z.number(), longitude: z.number() }).optional(),
  contact: z.object({ phone_number: z.string(), first_name: z.string(), last_name: z.string().optional() }).optional(),
  reply_markup: z.object({ inline_keyboard: z.array(z.array(button)) }).optional(),
});

export const telegramMessage = baseMessage.extend({ reply_to_message: baseMessage.pick({ message_id: true }).passthrough().optional() }).passthrough();

const reaction = z.object({ type: z.string(), emoji: z.string().optional() });

export const telegramUpdate = z
  .object({
    update_id: z.number().int().nonnegative(),
    message: telegramMessage.optional(),
    edited_message: telegramMessage.optional(),
    callback_query: z
      .object({ id: z.string(), from: telegramUser, message: telegramMessage.optional(), data: z.string().optional() })
      .passthrough()
      .optional(),
    message_reaction: z
      .object({ chat, message_id: z.number().int(), user: telegramUser.optional(), new_reaction: z.array(reaction), old_reaction: z.array(reaction).optional() })
      .passthrough()
      .optional(),
    my_chat_member: z.object({ chat, new_chat_member: z.object({ status: z.string() }).passthrough() }).passthrough().optional(),
  })
  .passthrough();

export type TelegramUpdate = z.infer<typeof telegramUpdate>;
export type TelegramMessage = z.infer<typeof telegramMessage>;
export type TelegramUser = z.infer<typeof telegramUser>;

/** `<bot id>:<secret>` (telegram.md §1). */
export const BOT_TOKEN = /^(\d{1,20}):[A-Za-z0-9_-]{20,100}$/;
export const connectBody = z.object({ bot_token: z.string().trim().min(1, 'is required').max(200) });

/** What the platform keeps per connected bot (in the channel link's data; secrets sealed). */
export const botData = z.object({
  botId: z.string(),
  username: z.string().nullable(),
  sealedToken: z.string(),
  sealedWebhookSecret: z.string(),
});
export type BotData = z.infer<typeof botData>;

/** The update kinds we handle; `message_reaction` must be named to be received (telegram.md §2). */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'message_reaction', 'my_chat_member'] as const;

/** The job payload of a stored update. */
export const updateJobPayload = z.object({ accountId: z.number(), botId: z.string(), update: z.unknown() });
