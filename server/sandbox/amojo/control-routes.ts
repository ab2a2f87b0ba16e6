/**
 * JSON control API of the emulated amoCRM inbox, for the sandbox page: read chats and messages, act as
 * a manager, inject failures. Unauthenticated: it exists only in sandbox mode, never next to real
 * credentials. Errors follow the product's format `{"error","message"}`.
 */
import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import { z } from 'zod';
import { sendBodyParserError, sendControlError } from '../emulator-http.js';
import { describeZodError } from './api-errors.js';
import type { AmojoEmulator } from './index.js';
import { ManagerActionError } from './manager-actions.js';
import { MESSAGE_TYPES } from './types.js';

const managerMessageSchema = z.object({
  text: z.string().optional(),
  type: z.enum(MESSAGE_TYPES).optional(),
  file: z.object({ fileName: z.string().min(1), contentType: z.string().min(1), base64: z.base64() }).optional(),
  media: z.object({ url: z.url(), fileName: z.string().optional(), fileSize: z.int().nonnegative().optional() }).optional(),
  mediaDuration: z.int().nonnegative().optional(),
  replyTo: z.string().optional(),
  markup: z.record(z.string(), z.unknown()).optional(),
  template: z.record(z.string(), z.unknown()).optional(),
  mediaGroupId: z.string().optional(),
  senderAmojoId: z.guid().optional(),
});

const writeFirstSchema = z.object({ phone: z.string().min(1), text: z.string().min(1), sourceExternalId: z.string().optional() });

const reactSchema = z
  .object({ amojoMsgId: z.string().optional(), msgid: z.string().optional(), emoji: z.string().optional(), unreact: z.boolean().optional() })
  .refine((r) => r.amojoMsgId !== undefined || r.msgid !== undefined, { message: 'amojoMsgId or msgid is required', path: ['amojoMsgId'] });

const failNextSchema = z.object({ count: z.int().min(1), status: z.int().min(400).max(599), retryAfterSeconds: z.int().nonnegative().optional() });
const delaySchema = z.object({ ms: z.number().nonnegative(), afterProcessing: z.boolean().optional() });

class ControlInputError extends Error {}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new ControlInputError(describeZodError(result.error));
  return result.data;
}

const param = (req: Request, name: string): string => String(req.params[name] ?? '');
const optionalQuery = (req: Request, name: string): string | undefined => (typeof req.query[name] === 'string' ? req.query[name] : undefined);

export function createControlRouter(emulator: AmojoEmulator): Router {
  const router = Router();
  // Files travel as base64 in JSON; 20 MB covers the sandbox's pictures and voice notes.
  router.use(express.json({ limit: '20mb' }));

  router.get('/connections', (_req, res) => void res.json(emulator.connections()));
  router.get('/scopes/:scopeId/chats', (req, res) => void res.json(emulator.chats(param(req, 'scopeId'))));
  router.get('/chats/:chatId/messages', (req, res) => void res.json(emulator.messages(param(req, 'chatId'))));
  router.get('/reactions', (req, res) => void res.json(emulator.reactions(optionalQuery(req, 'scopeId'))));
  router.get('/typing', (req, res) => void res.json(emulator.typingEvents(optionalQuery(req, 'scopeId'))));
  router.get('/requests', (_req, res) => void res.json(emulator.requests()));
  router.get('/webhooks', (_req, res) => void res.json(emulator.webhooks()));

  router.post('/scopes/:scopeId/chats/:chatId/messages', async (req, res) => {
    const { file, ...rest } = parse(managerMessageSchema, req.body);
    const result = await emulator.sendManagerMessage({
      ...rest,
      scopeId: param(req, 'scopeId'),
      chatId: param(req, 'chatId'),
      ...(file ? { file: { fileName: file.fileName, contentType: file.contentType, bytes: Buffer.from(file.base64, 'base64') } } : {}),
    });
    res.status(201).json(result);
  });
  router.post('/scopes/:scopeId/write-first', async (req, res) => {
    const input = parse(writeFirstSchema, req.body);
    res.status(201).json(await emulator.writeFirst({ ...input, scopeId: param(req, 'scopeId') }));
  });
  router.post('/scopes/:scopeId/reactions', async (req, res) => {
    const input = parse(reactSchema, req.body);
    res.json(await emulator.managerReact({ ...input, scopeId: param(req, 'scopeId') }));
  });
  router.post('/scopes/:scopeId/chats/:chatId/typing', async (req, res) => {
    res.json(await emulator.managerTyping({ scopeId: param(req, 'scopeId'), chatId: param(req, 'chatId') }));
  });
  router.post('/faults', (req, res) => {
    emulator.failNext(parse(failNextSchema, req.body));
    res.status(204).end();
  });
  router.post('/delay', (req, res) => {
    const { ms, afterProcessing } = parse(delaySchema, req.body);
    emulator.setDelay(ms, afterProcessing === undefined ? {} : { afterProcessing });
    res.status(204).end();
  });

  router.use((_req, res) => sendControlError(res, 404, 'not_found', 'no such control route'));
  router.use(controlErrorHandler);
  return router;
}

const ACTION_STATUS = { not_found: 404, not_connected: 409, invalid: 400 } as const;

const controlErrorHandler: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  if (res.headersSent) return next(err);
  if (err instanceof ManagerActionError) return sendControlError(res, ACTION_STATUS[err.code], err.code, err.message);
  if (err instanceof ControlInputError) return sendControlError(res, 400, 'invalid_request', err.message);
  if (sendBodyParserError(err, res)) return;
  sendControlError(res, 500, 'internal_error', 'the emulator failed to carry out the action');
};
