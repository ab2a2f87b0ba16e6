/**
 * `/webchat/v1/*` (product.md): the visitor API the chat bubble calls. Every route validates its
 * input, passes its rate limits (all or none: `takeAll`), and hands the work to the bridge;
 * nothing here talks to amojo. Bridge refusals become 4xx answers in `mapBridgeErrors`.
 */
import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import { asClientMsgId, asFileId, asMsgId, BlobTooLargeError, BridgeRefusal, StorageQuotaExceeded, type Bridge, type ConversationRecord } from '../../bridge/index.js';
import { AuthError, ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError, StorageQuotaError, ValidationError } from '../../errors.js';
import type { BacklogGate } from '../../http/backlog-gate.js';
import { clientAddressKey } from '../../http/client-address.js';
import { answerJson } from '../../http/json-answer.js';
import { takeAll, type LimitCheck, type Taken } from '../../http/limits/index.js';
import { parseInput } from '../../http/validate.js';
import { corsForAnyOrigin } from './cors.js';
import type { WebchatLimiters } from './limits.js';
import { editBody, messageBody, messagesQuery, reactionBody, readBody, sessionBody } from './schema.js';
import { WEBCHAT_PLATFORM, bearerToken, type VisitorAuth, type WebchatAccounts } from './visitor-auth.js';
import type { VisitorTokens } from './visitor-token.js';
import { isValidUserHash, userChatId } from './identity.js';
import type { SiteSettingsReader } from './site-settings.js';
import { isWithinHours, outOfHoursNote } from './working-hours.js';

/** `GET /webchat/v1/messages` returns everything up to this many messages, then pages. */
export const MESSAGE_PAGE_SIZE = 500;

export interface WebchatRouteDeps {
  bridge: Bridge;
  accounts: WebchatAccounts;
  tokens: VisitorTokens;
  authenticate: VisitorAuth;
  limiters: WebchatLimiters;
  siteSettings: SiteSettingsReader;
  now: () => number;
  intakeGate?: BacklogGate;
}

/** Takes one point from each limit (narrowest first), or none and answers 429 with Retry-After. */
export const limit = (...checks: LimitCheck[]): Promise<Taken> => takeAll(checks);

/** The client's limiter key: its parsed address, never header text. */
export const clientIp = (req: Request): string => clientAddressKey(req);

/** Default contact name when the visitor gave none: short and recognisable in the inbox. */
function defaultName(participantHint: string): string {
  return `Website visitor ${participantHint.slice(-4)}`;
}

export function createWebchatApiRouter(deps: WebchatRouteDeps): Router {
  const { bridge, limiters: l, authenticate } = deps;
  const router = Router();
  router.use(corsForAnyOrigin);
  router.use(express.json({ limit: '64kb' }));
  const maxText = bridge.limits.maxTextLength;
  // Built once: a zod schema is costly to build and cheap to run.
  const messageSchema = messageBody(maxText);
  const editSchema = editBody(maxText);
  const site = (c: ConversationRecord) => `account:${c.accountId}`;

  router.post('/sessions', async (req, res) => {
    const body = parseInput(sessionBody, req.body);
    // The address first: made-up site keys are counted against it, and only a real account gets a site bucket.
    const byIp = await limit([l.sessions.perIp, clientIp(req)]);
    const found = await deps.accounts.findBySiteKey(body.site_key);
    if (!found) throw new NotFoundError('No website chat has this site key.', 'unknown_site_key');
    await takeAll([[l.sessions.perSite, `account:${found.accountId}`]], byIp);
    const profile = { ...(body.phone ? { phone: body.phone } : {}), ...(body.email ? { email: body.email } : {}) };
    // A visitor who already has a session and now gives a name, phone or email keeps the conversation.
    // A user id decides by itself: a visitor who signs in after writing anonymously joins their own conversation.
    const existing = body.user_id === undefined && bearerToken(req) ? await authenticate(req).catch(() => undefined) : undefined;
    if (existing && existing.accountId === found.accountId) {
      const updated = await bridge.conversations.updateProfile(existing, body.name, profile);
      res.status(200).json({ visitor_token: await deps.tokens.issue(updated.id, updated.accountId, body.site_key), conversation_id: updated.id });
      return;
    }
    const hint = Math.random().toString(36).slice(2, 6);
    const opening = { accountId: found.accountId, platform: WEBCHAT_PLATFORM, name: body.name ?? defaultName(hint), profile };
    if (body.user_id !== undefined) {
      // Read fresh, not cached: a regenerated secret stops old hashes at once.
      const { identitySecret } = await deps.accounts.siteSettings(found.accountId);
      if (body.user_hash === undefined || !isValidUserHash(identitySecret, body.user_id, body.user_hash)) {
        throw new AuthError('user_hash is not the HMAC-SHA256 of user_id with this chat\'s identity secret.', 'invalid_user_hash');
      }
      const { conversation, created } = await bridge.conversations.openForChat({ ...opening, platformChatId: userChatId(body.user_id) });
      // The same user on another device: the contact details given now join the ones given before.
      const current = created || (body.name === undefined && Object.keys(profile).length === 0) ? conversation : await bridge.conversations.updateProfile(conversation, body.name, profile);
      res.status(created ? 201 : 200).json({ visitor_token: await deps.tokens.issue(current.id, current.accountId, body.site_key), conversation_id: current.id });
      return;
    }
    const conversation = await bridge.conversations.open(opening);
    res.status(201).json({ visitor_token: await deps.tokens.issue(conversation.id, conversation.accountId, body.site_key), conversation_id: conversation.id });
  });

  router.post('/messages', async (req, res) => {
    const conversation = await authenticate(req);
    const body = parseInput(messageSchema, req.body);
    await limit([l.messages.perConversation, conversation.id], [l.messages.perIp, clientIp(req)], [l.messages.perSite, site(conversation)]);
    const settings = await deps.siteSettings(conversation.accountId);
    const outOfHours = !isWithinHours(settings.bubble.hours, deps.now());
    const { message, created } = await bridge.messages.accept(conversation, {
      ...(outOfHours ? { managerNote: outOfHoursNote(settings.language) } : {}),
      clientMsgId: asClientMsgId(body.client_msgid),
      text: body.text,
      fileId: body.file_id !== undefined ? asFileId(body.file_id) : undefined,
      replyTo: body.reply_to !== undefined ? asMsgId(body.reply_to) : undefined,
      page: body.page,
    });
    // Stored: when delivery falls behind, the answer (and so the visitor's next message) waits.
    if (created) await deps.intakeGate?.pass();
    answerJson(res, 202, { msgid: message.id, ...(created ? {} : { duplicate: true }) });
  });

  router.get('/messages', async (req, res) => {
    const conversation = await authenticate(req);
    const query = parseInput(messagesQuery, req.query);
    await limit([l.actions.perIp, clientIp(req)]);
    // Taken before the list: a stream resumed from it repeats, never misses, what the list lacks.
    const lastEventId = await bridge.conversations.lastEventId(conversation.id);
    const page = await bridge.conversations.listMessages(conversation, query.cursor ?? 0, MESSAGE_PAGE_SIZE);
    res.json({ messages: page.messages, next_cursor: page.nextCursor === null ? null : String(page.nextCursor), last_event_id: String(lastEventId) });
    // The manager's messages are now on the visitor's page.
    await bridge.signals.markDelivered(conversation);
  });

  router.patch('/messages/:msgid', async (req, res) => {
    const conversation = await authenticate(req);
    const msgid = parseInput(readBody.shape.msgid, req.params['msgid']);
    const body = parseInput(editSchema, req.body);
    await limit([l.messages.perConversation, conversation.id], [l.actions.perIp, clientIp(req)]);
    const m = await bridge.messages.edit(conversation, asMsgId(msgid), body.text);
    res.status(202).json({ msgid: m.id, edited_at: m.content.editedAt ?? null });
  });

  router.post('/typing', async (req, res) => {
    const conversation = await authenticate(req);
    await limit([l.typing.perConversation, conversation.id], [l.typing.perIp, clientIp(req)], [l.typing.perSite, site(conversation)]);
    await bridge.signals.typing(conversation);
    res.status(204).end();
  });

  router.post('/reactions', async (req, res) => {
    const conversation = await authenticate(req);
    const body = parseInput(reactionBody, req.body);
    await limit([l.reactions.perConversation, conversation.id], [l.actions.perIp, clientIp(req)]);
    const emoji = body.type === 'unreact' ? null : (body.emoji ?? null);
    if (emoji === null && body.type === 'react') throw new ValidationError('emoji: required to react', 'emoji');
    await bridge.signals.react(conversation, asMsgId(body.msgid), emoji);
    res.status(204).end();
  });

  router.post('/read', async (req, res) => {
    const conversation = await authenticate(req);
    const body = parseInput(readBody, req.body);
    await limit([l.reads.perConversation, conversation.id], [l.actions.perIp, clientIp(req)]);
    await bridge.signals.markRead(conversation, asMsgId(body.msgid));
    res.status(204).end();
  });

  router.use(mapBridgeErrors);
  return router;
}

/** Bridge refusals and file limits become the app's HTTP errors (the app's handler answers them). */
export const mapBridgeErrors: ErrorRequestHandler = (err: unknown, _req, _res, next) => {
  if (err instanceof BlobTooLargeError) return next(new PayloadTooLargeError(`The file is larger than ${err.maxBytes} bytes.`));
  if (err instanceof StorageQuotaExceeded) return next(new StorageQuotaError('This chat cannot take more files right now. Please write your message as text or send a link instead.'));
  if (!(err instanceof BridgeRefusal)) return next(err);
  switch (err.reason) {
    case 'not_found':
      return next(new NotFoundError(err.message));
    case 'forbidden':
      return next(new ForbiddenError(err.message));
    case 'conflict':
      return next(new ConflictError(err.message));
    default:
      return next(new ValidationError(err.message, err.field));
  }
};
