/**
 * `GET /webchat/v1/events`: the visitor's live stream (Server-Sent Events). Without a resume point
 * it starts at the newest event; with `Last-Event-ID` (what EventSource sends on its own
 * reconnects) or `?last_event_id=` (a page that reloads and remembers) it first replays everything
 * after it, so a visitor who was away gets all they missed, in order.
 */
import { Router } from 'express';
import type { Bridge } from '../../bridge/index.js';
import { RateLimitedError, ServiceUnavailableError } from '../../errors.js';
import { parseInput } from '../../http/validate.js';
import { corsForAnyOrigin } from './cors.js';
import type { EventHub, StreamRefusal } from './event-hub.js';
import type { WebchatLimiters } from './limits.js';
import { clientIp, limit, mapBridgeErrors } from './routes.js';
import { eventsQuery, lastEventIdHeader } from './schema.js';
import type { VisitorAuth } from './visitor-auth.js';

/** How long EventSource waits before reconnecting, in ms (sent as `retry:`). */
const RECONNECT_MS = 3000;
/** A refused stream is told to come back after this long (streams close when pages do). */
const RETRY_AFTER_SECONDS = 30;

function refusalError(refused: StreamRefusal): Error {
  switch (refused) {
    case 'client':
      return new RateLimitedError('Too many event streams are open from this address; close some pages or retry later.', RETRY_AFTER_SECONDS);
    case 'account':
      return new RateLimitedError('Too many event streams are open for this website chat; retry later.', RETRY_AFTER_SECONDS);
    case 'total':
      return new ServiceUnavailableError('The server holds as many event streams as it can; retry later.', RETRY_AFTER_SECONDS);
  }
}

export function createEventsRouter(deps: { bridge: Bridge; hub: EventHub; authenticate: VisitorAuth; limiters: WebchatLimiters }): Router {
  const router = Router();
  router.use('/events', corsForAnyOrigin);

  router.get('/events', async (req, res) => {
    const conversation = await deps.authenticate(req, { allowQueryToken: true });
    const query = parseInput(eventsQuery, req.query);
    const client = clientIp(req);
    const taken = await limit([deps.limiters.actions.perIp, client]);
    const header = req.get('last-event-id');
    const fromHeader = header !== undefined ? lastEventIdHeader.safeParse(header) : undefined;
    const resumeFrom = fromHeader?.success ? fromHeader.data : query.last_event_id;
    const lastId = resumeFrom ?? (await deps.bridge.conversations.lastEventId(conversation.id));

    // The page may have gone while the store was read: nothing to hold open.
    if (req.socket.destroyed) {
      await taken.giveBack();
      return;
    }
    const admitted = deps.hub.add({ conversationId: conversation.id, accountId: conversation.accountId, client }, res, lastId, () => {
      res.status(200);
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache, no-transform');
      res.setHeader('Connection', 'keep-alive');
      // Reverse proxies (nginx) buffer responses unless told not to.
      res.setHeader('X-Accel-Buffering', 'no');
      res.flushHeaders();
      req.socket.setNoDelay(true);
      req.socket.setKeepAlive(true);
      res.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
    });
    if ('refused' in admitted) {
      await taken.giveBack();
      throw refusalError(admitted.refused);
    }
    await admitted.replayed;
    // The manager's messages are now on an open page.
    await deps.bridge.signals.markDelivered(conversation);
  });

  router.use(mapBridgeErrors);
  return router;
}
