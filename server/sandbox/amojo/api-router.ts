/**
 * The emulated Chats API over HTTP. Each call is authenticated like amojo does it (request-auth.ts)
 * over the raw received bytes and the full path on the wire (mount prefix included, query excluded),
 * then handed to its endpoint. Failure injection and delays wrap every call. Calls arrive through
 * the Express router, or, for the one a visitor message makes, through the plain-node path of
 * hot-path.ts when the emulator runs alone: both go through `answerCall` and `respond` here.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
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

/** Largest body a call may carry. */
export const MAX_API_BODY_BYTES = 2 * 1024 * 1024;

export interface ApiRouterDeps extends ModelContext {
  faults: FaultInjector;
  /** Called with the external base URL (mount prefix included) a request came in through. */
  onBaseUrlSeen: (baseUrl: string) => void;
}

/** One received API call, whichever way it came in. */
export interface ApiCall {
  method: string;
  /** The path as sent, without the query string: what the client signed. */
  wirePath: string;
  /** The external base URL it came through, mount prefix included. */
  baseUrl: string;
  headers: IncomingHttpHeaders;
  /** Path parameters (`scopeId`, `channelId`, `chatId`, `amojoMsgId`), decoded. */
  params: Readonly<Record<string, string>>;
  query: unknown;
  /** The exact bytes read, or whatever a body parser mounted before the emulator made of them. */
  body: unknown;
}

type ChannelHandler = (ctx: ModelContext, channel: ChannelState, body: unknown) => ApiReply;
type ScopeHandler = (ctx: ModelContext, target: ScopeTarget, call: ApiCall, body: unknown) => ApiReply;
/** Authenticates a call, carries it out and answers it (injected failures and delays included). */
export type CallAnswerer = (call: ApiCall) => Promise<ApiReply>;

/** The message endpoint, `POST {base}/{scope_id}`: the call every delivered message makes. */
export const messageEventCall = (deps: ApiRouterDeps): CallAnswerer => apiCall(deps, scopeCall(deps, (ctx, t, _call, body) => messageEventEndpoint(ctx, t, body)));

export function createApiRouter(deps: ApiRouterDeps): Router {
  const router = Router();
  // Raw bytes, whatever the Content-Type claims: the MD5 and signature cover exactly what arrived.
  const exactBytes = rawBody(MAX_API_BODY_BYTES);
  const base = API_BASE_PATH;
  const route = (answer: CallAnswerer): RequestHandler => async (req, res) => respond(deps, res, await answer(expressCall(req)), req.method, wirePath(req));
  const scoped = (handler: ScopeHandler) => route(apiCall(deps, scopeCall(deps, handler)));
  const channel = (handler: ChannelHandler) => route(apiCall(deps, channelCall(deps, handler)));

  router.post(`${base}/:channelId/connect`, exactBytes, channel(connectChannel));
  router.delete(`${base}/:channelId/disconnect`, exactBytes, channel(disconnectChannel));
  router.post(`${base}/:scopeId/chats`, exactBytes, scoped((ctx, t, _call, body) => createChatEndpoint(ctx, t, body)));
  router.get(`${base}/:scopeId/chats/:chatId/history`, exactBytes, scoped((ctx, t, call) => historyEndpoint(ctx, t, call.params['chatId'] ?? '', call.query)));
  router.post(`${base}/:scopeId/typing`, exactBytes, scoped((ctx, t, _call, body) => typingEndpoint(ctx, t, body)));
  router.post(`${base}/:scopeId/react`, exactBytes, scoped((ctx, t, _call, body) => reactEndpoint(ctx, t, body)));
  router.post(
    `${base}/:scopeId/:amojoMsgId/delivery_status`,
    exactBytes,
    scoped((ctx, t, call, body) => deliveryStatusEndpoint(ctx, t, call.params['amojoMsgId'] ?? '', body)),
  );
  router.post(`${base}/:scopeId`, exactBytes, route(messageEventCall(deps)));
  // Anything else under the API path: 404 with an empty body, as for a wrong URL.
  router.use(base, (req, res) => respond(deps, res, { status: 404 }, req.method, wirePath(req)));
  router.use(base, bodyErrorHandler(deps));
  return router;
}

/** The path as sent, without the query string: what the client signed. */
const wirePath = (req: Request): string => req.originalUrl.split('?')[0] ?? '';

function expressCall(req: Request): ApiCall {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.params)) if (typeof value === 'string') params[name] = value;
  return {
    method: req.method,
    wirePath: wirePath(req),
    baseUrl: `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`,
    headers: req.headers,
    params,
    // Parsed only by the endpoint that reads it (history): Express parses on each access.
    get query() {
      return req.query;
    },
    body: req.body as unknown,
  };
}

/** Connect and disconnect are addressed to a channel: unknown channel → 404 (§4.1). */
function channelCall(deps: ApiRouterDeps, handler: ChannelHandler): (call: ApiCall, body: Buffer) => ApiReply {
  return (call, body) => {
    const channel = deps.state.channels.get(call.params['channelId'] ?? '');
    if (!channel) throw notFound('channel_not_found', 'channel does not exist');
    authenticate(deps, call, body, channel.secret);
    return handler(deps, channel, parseJson(body));
  };
}

/** Every other call is addressed to a scope, which must be an active connection of the channel that signed it. */
function scopeCall(deps: ApiRouterDeps, handler: ScopeHandler): (call: ApiCall, body: Buffer) => ApiReply {
  return (call, body) => {
    const scopeId = call.params['scopeId'] ?? '';
    const channel = deps.state.channels.get(scopeId.split('_')[0] ?? '');
    // Without a known channel there is no secret to check against: amojo cannot accept the signature.
    if (!channel) throw forbidden('invalid_signature', 'signature mismatch');
    authenticate(deps, call, body, channel.secret);
    const connection = deps.state.connection(scopeId);
    // amojo's answer for an unknown or disconnected scope is undocumented; 403 is the emulator's choice.
    if (!connection?.isActive || connection.channelId !== channel.id) throw forbidden('scope_not_connected', `scope ${scopeId} is not connected`);
    return handler(deps, { scopeId, channel, connection }, call, call.method === 'GET' ? undefined : parseJson(body));
  };
}

/** A header's value as sent; a repeated one (which Node hands over as a list) counts as its first. */
function header(call: ApiCall, name: string): string | undefined {
  const value = call.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function authenticate(deps: ApiRouterDeps, call: ApiCall, body: Buffer, secret: string): void {
  const result = verifyAmojoRequest(
    {
      method: call.method,
      path: call.wirePath,
      body,
      headers: {
        date: header(call, 'date'),
        contentType: header(call, 'content-type'),
        contentMd5: header(call, 'content-md5'),
        signature: header(call, 'x-signature'),
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

/** Shared envelope: injected failures, delays, error mapping. */
function apiCall(deps: ApiRouterDeps, run: (call: ApiCall, body: Buffer) => ApiReply): CallAnswerer {
  return async (call) => {
    deps.onBaseUrlSeen(call.baseUrl);
    const conversationId = deps.faults.delaysConversations && Buffer.isBuffer(call.body) ? conversationIdOfBody(call.body) : undefined;
    await deps.faults.wait('before', conversationId);
    let reply = deps.faults.takeFailure();
    if (!reply && call.body !== undefined && !Buffer.isBuffer(call.body)) {
      // A body parser mounted before the emulator consumed the bytes; the signature cannot be checked.
      reply = new AmojoApiError(500, 'body_already_parsed', 'mount the emulator before any body parser').toReply();
    }
    if (!reply) {
      const body = Buffer.isBuffer(call.body) ? call.body : Buffer.alloc(0);
      try {
        reply = run(call, body);
      } catch (err) {
        // A fault of the emulator itself still answers in the API's format, and shows in the request log.
        reply = (err instanceof AmojoApiError ? err : new AmojoApiError(500, 'internal_error', String(err))).toReply();
      }
    }
    await deps.faults.wait('after', conversationId);
    return reply;
  };
}

/**
 * Logs the call and writes its answer with Node's own response methods, the same bytes whichever
 * way the call came in: one write of head and body, and none of Express's per-answer work (ETag,
 * type lookup), which cost a noticeable share of each call.
 */
export function respond(deps: ApiRouterDeps, res: ServerResponse, reply: ApiReply, method: string, path: string): void {
  const errorType = (reply.body as { error_type?: unknown } | undefined)?.error_type;
  deps.state.logRequest({ method, path, status: reply.status, ...(typeof errorType === 'string' ? { errorType } : {}), at: deps.now() });
  if (res.headersSent || res.destroyed) return;
  const headers: OutgoingHttpHeaders = { ...reply.headers };
  if (reply.body === undefined || reply.status === 204) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const json = JSON.stringify(reply.body);
  headers['Content-Type'] = 'application/json; charset=utf-8';
  headers['Content-Length'] = Buffer.byteLength(json);
  res.writeHead(reply.status, headers).end(json);
}

/** Bodies that could not be read (too large, aborted) are answered in the API's error format. */
function bodyErrorHandler(deps: ApiRouterDeps): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const status = (err as { status?: unknown }).status;
    if (typeof status !== 'number' || status < 400 || status >= 500) return next(err);
    const type = status === 413 ? 'payload_too_large' : 'invalid_body';
    respond(deps, res, new AmojoApiError(status, type, err instanceof Error ? err.message : 'unreadable body').toReply(), req.method, wirePath(req));
  };
}
