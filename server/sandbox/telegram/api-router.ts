/**
 * The emulated Bot API over HTTP (telegram.md §1): `/bot<token>/<method>` by GET or POST, method names
 * in any case, and `/file/bot<token>/<file_path>` for downloads. Injected faults come first and touch no
 * state; then the token (401 "Unauthorized"), the method (404 "Not Found"), the parameters, the call.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { TelegramApiError, notFound, unauthorized } from './api-errors.js';
import { deleteWebhook, getFile, getMe, getUpdates, getWebhookInfo, setWebhook } from './bot-methods.js';
import { readCallParams } from './call-params.js';
import type { FaultInjector } from './faults.js';
import { answerCallbackQuery, sendChatAction, setMessageReaction } from './interaction-methods.js';
import { sendAudio, sendDocument, sendPhoto, sendVideo, sendVoice } from './media-methods.js';
import { DescribedResult, type MethodContext, type MethodHandler } from './method-context.js';
import { editMessageCaption, sendContact, sendLocation } from './place-methods.js';
import { editMessageText, sendMessage } from './text-methods.js';

/** Every method the emulator answers, by lower-case name (Bot API method names are case-insensitive). */
export const METHODS: ReadonlyMap<string, MethodHandler> = new Map(
  Object.entries({
    getMe, setWebhook, deleteWebhook, getWebhookInfo, getUpdates, getFile,
    sendMessage, editMessageText, editMessageCaption, sendPhoto, sendDocument, sendVoice, sendAudio, sendVideo, sendLocation, sendContact,
    sendChatAction, setMessageReaction, answerCallbackQuery,
  }).map(([name, handler]) => [name.toLowerCase(), handler]),
);

export interface ApiRouterDeps extends MethodContext {
  faults: FaultInjector;
  maxUploadBytes: number;
  /** Answers kept open by a `hang` fault, ended by reset or close. */
  hanging: Set<Response>;
}

const CALL_PATH = /^\/bot([^/]*)\/([^/]+)\/?$/;
const FILE_PATH = /^\/file\/bot([^/]*)\/(.+)$/;

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function createApiRouter(deps: ApiRouterDeps): Router {
  const router = Router();
  router.use(fileDownload(deps));
  router.use(apiCall(deps));
  return router;
}

function apiCall(deps: ApiRouterDeps): RequestHandler {
  return async (req, res, next) => {
    const match = CALL_PATH.exec(req.path);
    if (!match || (req.method !== 'GET' && req.method !== 'POST')) return next();
    const token = decoded(match[1] ?? '');
    const method = decoded(match[2] ?? '');
    const fault = deps.faults.take(method);
    if (fault?.kind === 'hang') {
      deps.hanging.add(res);
      res.on('close', () => deps.hanging.delete(res));
      return;
    }
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    const bot = deps.state.botByToken(token);
    const log = (status: number, description?: string) =>
      deps.state.logApiCall({ method, ...(bot ? { botId: bot.id } : {}), status, ...(description ? { description } : {}), at: deps.now() });
    try {
      if (fault) throw fault.error;
      if (!bot) throw unauthorized();
      const handler = METHODS.get(method.toLowerCase());
      if (!handler) throw notFound();
      const params = await readCallParams(req, res, deps.maxUploadBytes);
      const result: unknown = await handler(deps, bot, params);
      log(200);
      const body = result instanceof DescribedResult ? { ok: true, result: result.result, description: result.description } : { ok: true, result };
      sendJson(res, 200, body);
    } catch (err) {
      const error = err instanceof TelegramApiError ? err : new TelegramApiError(500, `Internal Server Error: ${String(err)}`);
      log(error.errorCode, error.description);
      sendJson(res, error.errorCode, error.toBody());
    }
  };
}

/** Downloads: anything wrong (token, path, expired link) is a plain 404, as for an unknown URL [unconfirmed]. */
function fileDownload(deps: ApiRouterDeps): RequestHandler {
  return (req: Request, res: Response, next) => {
    const match = FILE_PATH.exec(req.path);
    if (!match || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    const bot = deps.state.botByToken(decoded(match[1] ?? ''));
    const file = bot ? deps.files.byPath(bot.id, decoded(match[2] ?? ''), deps.now()) : undefined;
    deps.state.logApiCall({ method: 'file', ...(bot ? { botId: bot.id } : {}), status: file?.bytes ? 200 : 404, at: deps.now() });
    if (!file?.bytes) return sendJson(res, 404, notFound().toBody());
    res.status(200).setHeader('Content-Type', file.mimeType ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(file.bytes.length));
    res.end(req.method === 'HEAD' ? undefined : file.bytes);
  };
}

export function sendJson(res: Response, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.status(status).type('application/json').send(JSON.stringify(body));
}
