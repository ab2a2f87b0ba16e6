/**
 * Request bodies of the emulated Chats API (chats-api.md §4). The API is strictly typed: numbers must be
 * JSON numbers, booleans booleans, strings strings. Where the docs leave a field's necessity open, the
 * stricter reading is taken, so a client that passes here also passes on amojo. Unknown fields are ignored.
 */
import { z } from 'zod';
import { MESSAGE_TYPES } from './types.js';

const nonEmpty = z.string().min(1);
const amojoUuid = z.guid();
const httpUrl = z.url({ protocol: /^https?$/ });
const unixSeconds = z.int().positive();
const unixMillis = z.int().positive();

/** Printable ASCII and space. The chats docs allow 40 chars, the Sources API 36: a longer code can name no source. */
const sourceSchema = z.object({ external_id: z.string().regex(/^[\x20-\x7e]{1,36}$/, 'printable ASCII, 1–36 chars') });

const participantSchema = z.object({
  id: nonEmpty,
  ref_id: amojoUuid.optional(),
  name: nonEmpty,
  avatar: httpUrl.optional(),
  profile: z.object({ phone: z.string().optional(), email: z.string().optional() }).optional(),
  profile_link: z.string().optional(),
});
export type ParticipantInput = z.infer<typeof participantSchema>;

const locationSchema = z.object({ lon: z.number().min(-180).max(180), lat: z.number().min(-90).max(90) });
const contactSchema = z.object({ name: nonEmpty, phone: nonEmpty });

/** Types whose file must be described (§4.4: file_name and file_size required). */
const DESCRIBED_FILE_TYPES: readonly string[] = ['file', 'video', 'picture'];
/** Types that are a downloadable file at `media`. */
const MEDIA_TYPES: readonly string[] = ['file', 'video', 'picture', 'voice', 'audio', 'sticker'];

/** Flags the fields a message type needs (§4.4). On edit, an unchanged file may be left out. */
function checkTypeFields(
  msg: { type: string; text?: string | undefined; media?: string | undefined; file_name?: string | undefined; file_size?: number | undefined; location?: unknown; contact?: unknown },
  ctx: z.RefinementCtx,
  isEdit: boolean,
): void {
  const need = (field: string, present: boolean): void => {
    if (!present) ctx.addIssue({ code: 'custom', path: [field], message: `required for type ${msg.type}` });
  };
  if (msg.type === 'text') need('text', !!msg.text);
  if (msg.type === 'location') need('location', msg.location !== undefined);
  if (msg.type === 'contact') need('contact', msg.contact !== undefined);
  if (!isEdit && MEDIA_TYPES.includes(msg.type)) need('media', msg.media !== undefined);
  if (!isEdit && DESCRIBED_FILE_TYPES.includes(msg.type)) {
    need('file_name', msg.file_name !== undefined);
    need('file_size', msg.file_size !== undefined);
  }
}

/** Delivery status rules shared by the endpoint (§4.7) and edit_message: -1 needs 901–905, 905 needs a text. */
export function checkDeliveryRules(status: number, errorCode: number | null | undefined, error: string | null | undefined, ctx: z.RefinementCtx, statusField: string): void {
  if (status !== 1 && status !== 2 && status !== -1) {
    ctx.addIssue({ code: 'custom', path: [statusField], message: 'must be 1, 2 or -1' });
    return;
  }
  if (errorCode != null && (errorCode < 901 || errorCode > 905)) {
    ctx.addIssue({ code: 'custom', path: ['error_code'], message: 'must be 901–905' });
  }
  if (status === -1 && errorCode == null) ctx.addIssue({ code: 'custom', path: ['error_code'], message: 'required with status -1' });
  if (errorCode === 905 && !error?.trim()) ctx.addIssue({ code: 'custom', path: ['error'], message: 'a text is required with error code 905' });
}

const messageFields = {
  type: z.enum(MESSAGE_TYPES),
  text: z.string().optional(),
  media: httpUrl.optional(),
  file_name: nonEmpty.optional(),
  file_size: z.int().nonnegative().optional(),
  media_duration: z.int().nonnegative().optional(),
  sticker_id: z.string().optional(),
  location: locationSchema.optional(),
  contact: contactSchema.optional(),
  callback_data: z.string().optional(),
  shared_post: z
    .object({ url: nonEmpty, type: z.literal('post'), preview_link: z.string().optional(), preview_permalink: z.string().optional(), site_name: z.string().optional() })
    .optional(),
  post: z
    .object({ id: nonEmpty, url: nonEmpty, preview_url: z.string().optional(), preview_permalink: z.string().optional(), username: z.string().optional(), caption: z.string().optional() })
    .optional(),
};

const newMessageContentSchema = z.object(messageFields).superRefine((m, ctx) => checkTypeFields(m, ctx, false));
export type MessageContentInput = z.infer<typeof newMessageContentSchema>;

const editDeliveryStatusSchema = z
  .object({ status_code: z.int(), error_code: z.int().nullish(), error: z.string().nullish() })
  .superRefine((s, ctx) => checkDeliveryRules(s.status_code, s.error_code, s.error, ctx, 'status_code'));

const editMessageContentSchema = z
  .object({ ...messageFields, delivery_status: editDeliveryStatusSchema.optional() })
  .superRefine((m, ctx) => checkTypeFields(m, ctx, true));

/** A quoted message (§4.4 embedded_message): by id, or described in full. */
const embeddedMessageSchema = z
  .object({
    id: amojoUuid.optional(),
    msgid: nonEmpty.optional(),
    type: z.enum(MESSAGE_TYPES).optional(),
    text: z.string().optional(),
    file_name: z.string().optional(),
    file_size: z.int().nonnegative().optional(),
    media_duration: z.int().nonnegative().optional(),
    location: locationSchema.optional(),
    contact: contactSchema.optional(),
    timestamp: unixSeconds.optional(),
    msec_timestamp: unixMillis.optional(),
    sender: z.object({ id: z.string().optional(), ref_id: amojoUuid.optional(), name: z.string().optional() }).optional(),
  })
  .superRefine((m, ctx) => {
    if (m.id !== undefined || m.msgid !== undefined) return;
    const need = (field: string, present: boolean): void => {
      if (!present) ctx.addIssue({ code: 'custom', path: [field], message: 'required when neither id nor msgid is given' });
    };
    need('type', m.type !== undefined);
    need('timestamp', m.timestamp !== undefined);
    need('msec_timestamp', m.msec_timestamp !== undefined);
    need('sender', m.sender !== undefined);
    if (m.type === 'text') need('text', !!m.text);
    if (m.type === 'location') need('location', m.location !== undefined);
    if (m.type === 'contact') need('contact', m.contact !== undefined);
    if (m.sender && m.sender.id === undefined && m.sender.ref_id === undefined && !m.sender.name) {
      ctx.addIssue({ code: 'custom', path: ['sender', 'name'], message: 'required when the sender has no id' });
    }
  });
export type EmbeddedMessageInput = z.infer<typeof embeddedMessageSchema>;

/** Seconds and milliseconds must name the same instant (§4.4 "keep it consistent"). */
function checkTimestamps(p: { timestamp: number; msec_timestamp: number }, ctx: z.RefinementCtx): void {
  if (Math.floor(p.msec_timestamp / 1000) !== p.timestamp) {
    ctx.addIssue({ code: 'custom', path: ['msec_timestamp'], message: 'must be the same instant as timestamp' });
  }
}

export const newMessagePayloadSchema = z
  .object({
    timestamp: unixSeconds,
    msec_timestamp: unixMillis,
    msgid: nonEmpty,
    conversation_id: nonEmpty,
    conversation_ref_id: amojoUuid.optional(),
    silent: z.boolean().optional(),
    source: sourceSchema.optional(),
    sender: participantSchema,
    receiver: participantSchema.optional(),
    message: newMessageContentSchema,
    reply_to: z.object({ message: embeddedMessageSchema }).optional(),
    forwards: z
      .object({
        messages: z.array(embeddedMessageSchema).min(1).max(1, 'at most 1 message can be forwarded'),
        conversation_ref_id: amojoUuid.optional(),
        conversation_id: nonEmpty.optional(),
      })
      .optional(),
  })
  .superRefine(checkTimestamps);
export type NewMessagePayload = z.infer<typeof newMessagePayloadSchema>;

/** Edit (§4.5). conversation_id is required: edits naming only conversation_ref_id are unconfirmed (§9.2 #11). */
export const editMessagePayloadSchema = z
  .object({
    timestamp: unixSeconds,
    msec_timestamp: unixMillis,
    msgid: nonEmpty.optional(),
    id: amojoUuid.optional(),
    conversation_id: nonEmpty,
    conversation_ref_id: amojoUuid.optional(),
    message: editMessageContentSchema,
  })
  .superRefine((p, ctx) => {
    checkTimestamps(p, ctx);
    if (p.msgid === undefined && p.id === undefined) ctx.addIssue({ code: 'custom', path: ['msgid'], message: 'msgid or id is required' });
  });
export type EditMessagePayload = z.infer<typeof editMessagePayloadSchema>;

export const messageEventSchema = z.object({
  event_type: z.enum(['new_message', 'edit_message']),
  payload: z.record(z.string(), z.unknown()),
});

/**
 * Connect (§4.1). Only hook_api_version v2 is emulated; v1 is deprecated and never to be used. `title`
 * is optional and defaults to the registered name; a null title (what typed clients send for "none")
 * means the same.
 */
export const connectSchema = z.object({
  account_id: amojoUuid,
  hook_api_version: z.literal('v2'),
  title: nonEmpty.nullish(),
  is_time_window_disabled: z.boolean().optional(),
});

export const disconnectSchema = z.object({ account_id: amojoUuid });

export const createChatSchema = z.object({
  conversation_id: nonEmpty,
  source: sourceSchema.optional(),
  user: participantSchema,
});

/** Delivery status (§4.7): either field name is accepted; when both are sent they must agree. */
export const deliveryStatusSchema = z
  .object({
    msgid: nonEmpty.optional(),
    delivery_status: z.int().optional(),
    status_code: z.int().optional(),
    error_code: z.int().nullish(),
    error: z.string().nullish(),
  })
  .superRefine((s, ctx) => {
    const status = s.delivery_status ?? s.status_code;
    if (status === undefined) {
      ctx.addIssue({ code: 'custom', path: ['delivery_status'], message: 'delivery_status (or status_code) is required' });
      return;
    }
    if (s.delivery_status !== undefined && s.status_code !== undefined && s.delivery_status !== s.status_code) {
      ctx.addIssue({ code: 'custom', path: ['status_code'], message: 'differs from delivery_status' });
      return;
    }
    checkDeliveryRules(status, s.error_code, s.error, ctx, s.delivery_status !== undefined ? 'delivery_status' : 'status_code');
  });

/** Typing (§4.9): conversation_id is required; conversation_ref_id alone is unconfirmed (§9.2 #11). */
export const typingSchema = z.object({
  conversation_id: nonEmpty,
  sender: z.object({ id: nonEmpty }),
  duration_ms: z.int().positive().optional(),
});

/** React / unreact (§4.10). `emoji` is optional for both types, as the docs' table says. */
export const reactSchema = z
  .object({
    conversation_id: nonEmpty.optional(),
    conversation_ref_id: amojoUuid.optional(),
    msgid: nonEmpty.optional(),
    id: amojoUuid.optional(),
    user: z.object({ id: nonEmpty, ref_id: amojoUuid.optional() }),
    type: z.enum(['react', 'unreact']),
    emoji: nonEmpty.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.conversation_id === undefined && r.conversation_ref_id === undefined) {
      ctx.addIssue({ code: 'custom', path: ['conversation_id'], message: 'conversation_id or conversation_ref_id is required' });
    }
    if (r.msgid === undefined && r.id === undefined) ctx.addIssue({ code: 'custom', path: ['msgid'], message: 'msgid or id is required' });
  });

const queryInt = z.string().regex(/^\d+$/, 'must be a non-negative integer').transform(Number);

/** History paging (§4.8): limit at most 50. */
export const historyQuerySchema = z.object({
  offset: queryInt.optional(),
  limit: queryInt.pipe(z.number().min(1).max(50, 'at most 50')).optional(),
});
