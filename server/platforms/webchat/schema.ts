/** Request shapes of the website-chat API (`/webchat/v1/*`, product.md), validated at the edge. */
import { z } from 'zod';
import { cleanName, cleanText } from '../../bridge/index.js';

/** Strings cleaned before they are checked (clean-text.ts): what is stored and sent on is what passed. */
const cleanedName = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' ? cleanName(v) : v), schema);
const cleanedText = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' ? cleanText(v) : v), schema);

/** An empty string counts as "not given" (forms send empty fields); profile fields are cleaned first. */
const optionalText = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    const clean = cleanName(v);
    return clean.trim() === '' ? undefined : clean;
  }, schema.optional());

export const clientMsgIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1–64 characters of A–Z a–z 0–9 _ . : -');
export const msgIdSchema = z.string().regex(/^m_[A-Za-z0-9_-]{10,64}$/, 'is not a message id');
export const fileIdSchema = z.string().regex(/^f_[A-Za-z0-9_-]{20,64}$/, 'is not a file id');

export const sessionBody = z.object({
  site_key: z.string().trim().min(1).max(100),
  name: optionalText(z.string().trim().max(100)),
  phone: optionalText(z.string().trim().regex(/^\+?[0-9 ()-]{5,32}$/, 'is not a phone number')),
  email: optionalText(z.string().trim().max(254).pipe(z.email('is not an email address'))),
  /** The site's own id of a signed-in visitor, with `user_hash` (identity.ts). */
  user_id: z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters').optional(),
  user_hash: z.string().max(128).optional(),
}).refine((b) => b.user_hash === undefined || b.user_id !== undefined, { path: ['user_hash'], message: 'is only meaningful with user_id' });

/** A page address is cut to this length after its query and fragment are gone (it is shown, never followed by us). */
export const MAX_PAGE_URL_LENGTH = 500;

/**
 * The page the visitor wrote from: an http(s) address of at most 2048 characters, passed on as scheme, host and
 * path only. Query and fragment are dropped because sites put tokens, e-mail addresses and campaign ids there;
 * user name and password in the address are dropped with them (`origin` has none).
 */
const pageUrl = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .transform((v, ctx) => {
    const u = URL.canParse(v) ? new URL(v) : undefined;
    if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:')) {
      ctx.addIssue({ code: 'custom', message: 'must be an http or https address' });
      return z.NEVER;
    }
    return `${u.origin}${u.pathname}`.slice(0, MAX_PAGE_URL_LENGTH);
  });

export const pageBody = z.object({
  url: pageUrl,
  title: optionalText(z.string().trim().max(200, 'must be at most 200 characters')),
});

export function messageBody(maxTextLength: number) {
  return z.object({
    client_msgid: clientMsgIdSchema,
    text: cleanedText(z.string().max(maxTextLength, `must be at most ${maxTextLength} characters`)).optional(),
    file_id: fileIdSchema.optional(),
    reply_to: msgIdSchema.optional(),
    /** Sent by the bubble only when the page changed since the visitor's previous message. */
    page: pageBody.optional(),
  });
}

export function editBody(maxTextLength: number) {
  return z.object({ text: cleanedText(z.string().max(maxTextLength, `must be at most ${maxTextLength} characters`)) });
}

/** `emoji` null (or `type: "unreact"`) withdraws the visitor's reaction. */
export const reactionBody = z.object({
  msgid: msgIdSchema,
  emoji: cleanedName(z.string().trim().min(1).max(32)).nullish(),
  type: z.enum(['react', 'unreact']).optional(),
});

export const readBody = z.object({ msgid: msgIdSchema });

export const settingsQuery = z.object({ site_key: z.string().trim().min(1).max(100) });

export const messagesQuery = z.object({
  cursor: z.string().regex(/^\d{1,15}$/, 'must be a number').transform(Number).optional(),
});

export const eventsQuery = z.object({
  token: z.string().optional(),
  last_event_id: z.string().regex(/^\d{1,15}$/, 'must be a number').transform(Number).optional(),
});

export const lastEventIdHeader = z.string().regex(/^\d{1,15}$/).transform(Number);
