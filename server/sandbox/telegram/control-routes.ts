/**
 * JSON control API of the emulated Telegram, for the sandbox page's Telegram pane and for tests: create
 * bots and users, act as a user writing to a bot, read what bots sent, inject faults, switch flood
 * limits. Unauthenticated: it exists only in sandbox mode, never next to real credentials. Errors follow
 * the product's format `{"error","message"}`.
 */
import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import { z } from 'zod';
import { sendBodyParserError, sendControlError } from '../emulator-http.js';
import { entity, locationInput } from './schemas.js';
import { StateLimitError } from './emulator-state.js';
import type { TelegramEmulator } from './index.js';
import { UserActionError } from './user-context.js';
import type { UserFile } from './user-messages.js';

const id = z.coerce.number().int();
const fileInput = z.object({ base64: z.base64(), fileName: z.string().min(1).max(255).optional(), mimeType: z.string().min(1).max(255).optional() });
const duration = z.int().min(0).max(86_400);

const newBotSchema = z.object({
  id: z.int().positive().optional(),
  token: z.string().optional(),
  firstName: z.string().min(1).max(64).optional(),
  username: z.string().optional(),
});
const newUserSchema = z.object({
  firstName: z.string().min(1).max(64),
  lastName: z.string().min(1).max(64).optional(),
  username: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{4,31}$/).optional(),
  languageCode: z.string().min(2).max(10).optional(),
});
const target = { userId: z.int(), chatId: z.int().optional() };
const userMessageSchema = z.object({
  ...target,
  text: z.string().max(4096).optional(),
  entities: z.array(entity).optional(),
  caption: z.string().max(1024).optional(),
  replyToMessageId: z.int().optional(),
  mediaGroupId: z.string().min(1).max(64).optional(),
  photo: z.object({ width: z.int().min(1).max(10_000).optional(), height: z.int().min(1).max(10_000).optional(), file: fileInput.optional() }).optional(),
  document: z.object({ fileName: z.string().min(1).max(255).optional(), mimeType: z.string().optional(), sizeBytes: z.int().min(1).max(2 ** 31).optional(), file: fileInput.optional() }).optional(),
  voice: z.object({ duration, file: fileInput.optional() }).optional(),
  audio: z.object({ duration, title: z.string().optional(), performer: z.string().optional(), file: fileInput.optional() }).optional(),
  video: z.object({ duration, width: z.int().positive().optional(), height: z.int().positive().optional(), file: fileInput.optional() }).optional(),
  videoNote: z.object({ duration, length: z.int().positive().optional() }).optional(),
  sticker: z.object({ emoji: z.string().optional(), format: z.enum(['static', 'animated', 'video']).optional() }).optional(),
  location: locationInput.optional(),
  contact: z.object({ phoneNumber: z.string().min(1), firstName: z.string().min(1), lastName: z.string().optional(), userId: z.int().optional() }).optional(),
});
const editSchema = z.object({ ...target, messageId: z.int(), text: z.string().optional(), caption: z.string().optional() });
const pressSchema = z.object({ ...target, messageId: z.int(), data: z.string().optional(), text: z.string().optional() });
const reactSchema = z.object({ ...target, messageId: z.int(), emoji: z.array(z.string()).max(3) });
const blockSchema = z.object({ userId: z.int() });
const faultSchema = z.object({
  method: z.string().min(1).optional(),
  count: z.int().min(1).max(1000),
  kind: z.enum(['error', 'hang', 'drop']),
  errorCode: z.int().min(400).max(599).optional(),
  description: z.string().min(1).optional(),
  retryAfter: z.int().min(1).optional(),
});
const floodSchema = z.object({ enabled: z.boolean() });

class ControlInputError extends Error {}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.map(String).join('.');
    throw new ControlInputError(field ? `${field}: ${issue?.message ?? 'invalid'}` : (issue?.message ?? 'invalid request'));
  }
  return result.data;
}

const numberParam = (req: Request, name: string): number => parse(id, req.params[name]);

/** base64 files of the control API become bytes. */
function withBytes<T extends { file?: z.infer<typeof fileInput> } | undefined>(part: T): (Omit<NonNullable<T>, 'file'> & { file?: UserFile }) | undefined {
  if (!part) return undefined;
  const { file, ...rest } = part;
  return { ...rest, ...(file ? { file: { bytes: Buffer.from(file.base64, 'base64'), ...(file.fileName ? { fileName: file.fileName } : {}), ...(file.mimeType ? { mimeType: file.mimeType } : {}) } } : {}) };
}

export function createControlRouter(emulator: TelegramEmulator): Router {
  const router = Router();
  // Files travel as base64 in JSON; 28 MB of JSON carries a 20 MB file.
  router.use(express.json({ limit: '28mb' }));

  router.get('/bots', (_req, res) => void res.json(emulator.bots()));
  router.post('/bots', (req, res) => void res.status(201).json(emulator.createBot(parse(newBotSchema, req.body))));
  router.get('/bots/:botId', (req, res) => void res.json({ ...emulator.bot(numberParam(req, 'botId')), webhook: emulator.webhookInfo(numberParam(req, 'botId')) }));
  router.get('/users', (_req, res) => void res.json(emulator.users()));
  router.post('/users', (req, res) => void res.status(201).json(emulator.createUser(parse(newUserSchema, req.body))));
  router.post('/groups', (req, res) => void res.status(201).json(emulator.createGroup(parse(z.object({ title: z.string().min(1).max(128) }), req.body).title)));

  router.get('/bots/:botId/chats', (req, res) => void res.json(emulator.chats(numberParam(req, 'botId'))));
  router.get('/bots/:botId/chats/:chatId/messages', (req, res) => void res.json(emulator.messages(numberParam(req, 'botId'), numberParam(req, 'chatId'))));
  router.get('/bots/:botId/chat-actions', (req, res) => void res.json(emulator.chatActions(numberParam(req, 'botId'))));
  router.get('/bots/:botId/callback-queries', (req, res) => void res.json(emulator.callbackQueries(numberParam(req, 'botId'))));
  // What a Telegram app shows of a file in a chat; bots' files need no token here (the user already has them).
  router.get('/files/:fileId', (req, res) => {
    const file = emulator.file(String(req.params['fileId']));
    if (!file?.bytes) return sendControlError(res, 404, 'not_found', 'no such file, or one announced by size only');
    // Served on the sandbox page's origin: only media is shown inline, anything else is a download.
    const type = file.mimeType ?? 'application/octet-stream';
    const isMedia = /^(image\/(png|jpeg|gif|webp)|audio\/|video\/)/.test(type);
    res.set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Disposition': isMedia ? 'inline' : 'attachment' });
    res.type(isMedia ? type : 'application/octet-stream').send(file.bytes);
  });
  router.get('/webhook-attempts', (_req, res) => void res.json(emulator.webhookAttempts()));
  router.get('/calls', (_req, res) => void res.json(emulator.calls()));

  router.post('/bots/:botId/messages', (req, res) => {
    const { photo, document, voice, audio, video, ...rest } = parse(userMessageSchema, req.body);
    const files = { photo: withBytes(photo), document: withBytes(document), voice: withBytes(voice), audio: withBytes(audio), video: withBytes(video) };
    const defined = Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined));
    res.status(201).json(emulator.sendAsUser({ ...rest, ...defined, botId: numberParam(req, 'botId') }));
  });
  router.post('/bots/:botId/edits', (req, res) => void res.json(emulator.editAsUser({ ...parse(editSchema, req.body), botId: numberParam(req, 'botId') })));
  router.post('/bots/:botId/button-presses', (req, res) => void res.json(emulator.pressButton({ ...parse(pressSchema, req.body), botId: numberParam(req, 'botId') })));
  router.post('/bots/:botId/reactions', (req, res) => void res.json(emulator.reactAsUser({ ...parse(reactSchema, req.body), botId: numberParam(req, 'botId') })));
  router.post('/bots/:botId/block', (req, res) => void res.json(emulator.blockBot({ ...parse(blockSchema, req.body), botId: numberParam(req, 'botId') })));
  router.post('/bots/:botId/unblock', (req, res) => void res.json(emulator.unblockBot({ ...parse(blockSchema, req.body), botId: numberParam(req, 'botId') })));

  router.post('/faults', (req, res) => {
    emulator.injectFault(parse(faultSchema, req.body));
    res.status(204).end();
  });
  router.post('/flood', (req, res) => {
    emulator.setFloodLimits(parse(floodSchema, req.body).enabled);
    res.status(204).end();
  });
  router.post('/reset', (_req, res) => {
    emulator.reset();
    res.status(204).end();
  });

  router.use((_req, res) => sendControlError(res, 404, 'not_found', 'no such control route'));
  router.use(controlErrorHandler);
  return router;
}

const ACTION_STATUS = { not_found: 404, conflict: 409, invalid: 400 } as const;

const controlErrorHandler: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  if (res.headersSent) return next(err);
  if (err instanceof UserActionError) return sendControlError(res, ACTION_STATUS[err.code], err.code, err.message);
  if (err instanceof ControlInputError) return sendControlError(res, 400, 'invalid_request', err.message);
  if (err instanceof StateLimitError) return sendControlError(res, 409, 'conflict', err.message);
  if (err instanceof RangeError) return sendControlError(res, 400, 'invalid_request', err.message);
  if (sendBodyParserError(err, res)) return;
  sendControlError(res, 500, 'internal_error', 'the emulator failed to carry out the action');
};
