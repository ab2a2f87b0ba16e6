/**
 * The stored amojo hook as the bridge reads it back from its job: the parts of the parsed hook
 * event (`amojo/webhook-parse.ts` writes it) that the bridge uses. Declared here, not imported, so
 * the bridge depends on the shape only; validated because the jobs table is an edge.
 */
import { z } from 'zod';

const opt = z.string().nullish().transform((v) => v ?? undefined);

const messageEvent = z.object({
  kind: z.literal('message'),
  amojoChatId: z.string(),
  conversationId: opt,
  senderAmojoId: z.string(),
  senderName: opt,
  receiverPhone: opt,
  msecTimestamp: z.number(),
  isWriteFirst: z.boolean(),
  message: z.object({
    amojoMsgId: z.string(),
    type: z.string(),
    text: opt,
    media: opt,
    fileName: opt,
    fileSize: z.number().nullish(),
    buttons: z.array(z.array(z.object({ text: z.string(), url: opt }))).nullish(),
    template: z.object({ id: z.number().nullish(), content: opt }).nullish(),
    replyTo: z.object({ amojoMsgId: opt, msgid: opt }).nullish(),
    forwarded: z.object({ text: opt }).nullish(),
    location: z.object({ lon: z.number(), lat: z.number() }).nullish(),
    contact: z.object({ name: opt, phone: z.string() }).nullish(),
  }),
});

const typingEvent = z.object({
  kind: z.literal('typing'),
  amojoChatId: z.string(),
  conversationId: opt,
  userAmojoId: z.string(),
  expiresAt: z.number(),
});

const reactionEvent = z.object({
  kind: z.literal('reaction'),
  amojoChatId: z.string(),
  conversationId: opt,
  amojoMsgId: z.string(),
  clientMsgId: opt,
  userAmojoId: z.string(),
  type: z.enum(['react', 'unreact']),
  emoji: opt,
});

export const hookJobPayload = z.object({
  scopeId: z.string(),
  accountId: z.number(),
  /** The platform whose channel the scope belongs to (absent in hooks stored by older versions: the first channel's). */
  platform: opt,
  event: z.discriminatedUnion('kind', [messageEvent, typingEvent, reactionEvent]),
});

export type HookJob = z.infer<typeof hookJobPayload>;
export type ManagerMessageEvent = z.infer<typeof messageEvent>;
export type ManagerTypingEvent = z.infer<typeof typingEvent>;
export type ManagerReactionEvent = z.infer<typeof reactionEvent>;
