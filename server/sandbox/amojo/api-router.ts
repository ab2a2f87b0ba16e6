/**
 * The emulated Chats API over HTTP. Each call is authenticated like amojo does it (request-auth.ts)
 * over the raw received bytes and the full path on the wire (mount prefix included, query excluded),
 * then handed to its endpoint. Failure injection and delays wrap every call.
 */
import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { AmojoApiError, badRequest, forbidden, notFound, type ApiReply } from './api-errors.js';
import { connectChannel, disconnectChannel } from './channel-endpoints.js';
import { createChatEndpoint, historyEndpoint } from './chat-endpoints.js';
import type { ModelContext, ScopeTarget } from './chat-model.js';
import type { ChannelState } from './emulator-state.js';
import { conversationIdOfBody, type FaultInjector } from './faults.js';
import { deliveryStatusEndpoint, reactEndpoint, typingEndpoint } from './interaction-endpoints.js';
import { messageEventEndpoint } from './message-endpoints.js';
import { verifyAmojoRequest } from './request-auth.js';
import { rawBody } from '../../http/raw-body.js';

export const API_BASE_PATH = '/v2/origin/custom';

export interface ApiRouterDeps extends ModelContext {
  faults: FaultInjector;
  /** Called with the external base URL (mount prefix included) a request came in through. */
  onBaseUrlSeen: (baseUrl: string) => void;
}

type ChannelHandler = (ctx: ModelContext, channel: ChannelState, body: unknown) => ApiReply;
type ScopeHandler = (ctx: ModelContext, target: ScopeTarget, req: Request, body: unknown) => ApiReply;

/** The path as sent, without the query string: what the client signed. */
const wirePath = (req: Request): string => req.originalUrl.split('?')[0] ?? '';

export function createApiRouter(deps: ApiRouterDeps): Router {
  const router = Router();
  // Raw bytes, whatever the Content-Type claims: the MD5 and signature cover exactly what arrived.
  const exactBytes = rawBody(2 * 1024 * 1024);
  const base = API_BASE_PATH;

  router.post(`${base}/:channelId/connect`, exactBytes, channelCall(deps, connectChannel));
  router.delete(`${base}/:channelId/disconnect`, exactBytes, channelCall(deps, disconnectChannel));
  router.post(`${base}/:scopeId/chats`, exactBytes, scopeCall(deps, (ctx, t, _req, body) => createChatEndpoint(ctx, t, body)));
  router.get(`${base}/:scopeId/chats/:chatId/history`, exactBytes, scopeCall(deps, (ctx, t, req) => historyEndpoint(ctx, t, param(req, 'chatId'), req.query)));
  router.post(`${base}/:scopeId/typing`, exactBytes, scopeCall(deps, (ctx, t, _req, body) => typingEndpoint(ctx, t, body)));
  router.post(`${base}/:scopeId/react`, exactBytes, scopeCall(deps, (ctx, t, _req, body) => reactEndpoint(ctx, t, body)));
  router.post(
    `${base}/:scopeId/:amojoMsgId/delivery_status`,
    exactBytes,
    scopeCall(deps, (ctx, t, req, body) => deliveryStatusEndpoint(ctx, t, param(req, 'amojoMsgId'), body)),
  );
  router.post(
    `${base}/:scopeId`,
    exactBytes,
    scopeCall(deps, (ctx, t, _req, body) => messageEventEndpoint(ctx, t, body)),
  );
  // Anything else under the API path: 404 with an empty body, as for a wrong URL.
  router.use(base, (req, res) => send(deps, req, res, { status: 404 }));
  router.use(base, bodyErrorHandler(deps));
  return router;
}

function param(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}

/** Connect and disconnect are addressed to a channel: unknown channel → 404 (§4.1). */
function channelCall(deps: ApiRouterDeps, handler: ChannelHandler): RequestHandler {
  return apiCall(deps, (req, body) => {
    const channel = deps.state.channels.get(param(req, 'channelId'));
    if (!channel) throw notFound('channel_not_found', 'channel does not exist');
    authenticate(deps, req, body, channel.secret);
    return handler(deps, channel, parseJson(body));
  });
}

/** Every other call is addressed to a scope, which must be an active connection of the channel that signed it. */
function scopeCall(deps: ApiRouterDeps, handler: ScopeHandler): RequestHandler {
  return apiCall(deps, (req, body) => {
    const scopeId = param(req, 'scopeId');
    const channel = deps.state.channels.get(scopeId.split('_')[0] ?? '');
    // Without a known channel there is no secret to check against: amojo cannot accept the signature.
    if (!channel) throw forbidden('invalid_signature', 'signature mismatch');
    authenticate(deps, req, body, channel.secret);
    const connection = deps.state.connection(scopeId);
    // amojo's answer for an unknown or disconnected scope is undocumented; 403 is the emulator's choice.
    if (!connection?.isActive || connection.channelId !== channel.id) throw forbidden('scope_not_connected', `scope ${scopeId} is not connected`);
    return handler(deps, { scopeId, channel, connection }, req, req.method === 'GET' ? undefined : parseJson(body));
  });
}

function authenticate(deps: ApiRouterDeps, req: Request, body: Buffer, secret: string): void {
  const result = verifyAmojoRequest(
    {
      method: req.method,
      path: wirePath(req),
      body,
      headers: {
        date: req.get('date'),
        contentType: req.get('content-type'),
        contentMd5: req.get('content-md5'),
        signature: req.get('x-signature'),
      },
    },
    secret,
    deps.now(),
  );
  if (!result.ok) throw forbidden(result.reason, result.description);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw badRequest('invalid_json', 'body is not valid JSON');
  }
}

/** Shared envelope: injected failures, delays, error mapping, logging, sending. */
function apiCall(deps: ApiRouterDeps, run: (req: Request, body: Buffer) => ApiReply): RequestHandler {
  return async (req, res) => {
    deps.onBaseUrlSeen(`${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`);
    const conversationId = deps.faults.delaysConversations && Buffer.isBuffer(req.body) ? conversationIdOfBody(req.body) : undefined;
    await deps.faults.wait('before', conversationId);
    let reply = deps.faults.takeFailure();
    if (!reply && req.body !== undefined && !Buffer.isBuffer(req.body)) {
      // A body parser mounted before the emulator consumed the bytes; the signature cannot be checked.
      reply = new AmojoApiError(500, 'body_already_parsed', 'mount the emulator before any body parser').toReply();
    }
    if (!reply) {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      try {
        reply = run(req, body);
      } catch (err) {
        // A fault of the emulator itself still answers in the API's format, and shows in the request log.
        reply = (err instanceof AmojoApiError ? err : new AmojoApiError(500, 'internal_error', String(err))).toReply();
      }
    }
    await deps.faults.wait('after', conversationId);
    send(deps, req, res, reply);
  };
}

function send(deps: ApiRouterDeps, req: Request, res: Response, reply: ApiReply): void {
  const errorType = (reply.body as { error_type?: unknown } | undefined)?.error_type;
  deps.state.logRequest({
    method: req.method,
    path: wirePath(req),
    status: reply.status,
    ...(typeof errorType === 'string' ? { errorType } : {}),
    at: deps.now(),
  });
  if (res.headersSent || res.destroyed) return;
  res.status(reply.status);
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (reply.body === undefined || reply.status === 204) res.end();
  else res.type('application/json').send(JSON.stringify(reply.body));
}

/** Bodies that could not be read (too large, aborted) are answered in the API's error format. */
function bodyErrorHandler(deps: ApiRouterDeps): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const status = (err as { status?: unknown }).status;
    if (typeof status !== 'number' || status < 400 || status >= 500) return next(err);
    const type = status === 413 ? 'payload_too_large' : 'invalid_body';
    send(deps, req, res, new AmojoApiError(status, type, err instanceof Error ? err.message : 'unreadable body').toReply());
  };
}
