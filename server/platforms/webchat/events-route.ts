/**
 * `GET /webchat/v1/events`: the visitor's live stream (Server-Sent Events). Without a resume point
 * it starts at the newest event; with `Last-Event-ID` (what EventSource sends on its own
 * reconnects) or `?last_event_id=` (a page that reloads and remembers) it first replays everything
 * after it, so a visitor who was away gets all they missed, in order.
 */
import { Router } from 'express';
import type { Bridge } from '../../bridge/index.js';
import { parseInput } from '../../http/validate.js';
import { corsForAnyOrigin } from './cors.js';
import type { EventHub } from './event-hub.js';
import type { WebchatLimiters } from './limits.js';
import { clientIp, limit, mapBridgeErrors } from './routes.js';
import { eventsQuery, lastEventIdHeader } from './schema.js';
import type { VisitorAuth } from './visitor-auth.js';

/** How long EventSource waits before reconnecting, in ms (sent as `retry:`). */
const RECONNECT_MS = 3000;

export function createEventsRouter(deps: { bridge: Bridge; hub: EventHub; authenticate: VisitorAuth; limiters: WebchatLimiters }): Router {
  const router = Router();
  router.use('/events', corsForAnyOrigin);

  router.get('/events', async (req, res) => {
    const conversation = await deps.authenticate(req, { allowQueryToken: true });
    const query = parseInput(eventsQuery, req.query);
    limit([deps.limiters.actions.perIp, clientIp(req)]);
    const header = req.get('last-event-id');
    const fromHeader = header !== undefined ? lastEventIdHeader.safeParse(header) : undefined;
    const resumeFrom = fromHeader?.success ? fromHeader.data : query.last_event_id;
    const lastId = resumeFrom ?? (await deps.bridge.conversations.lastEventId(conversation.id));

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
    if (!(await deps.hub.add(conversation.id, res, lastId))) {
      res.write(`event: error\ndata: ${JSON.stringify({ error: 'busy', message: 'Too many open streams; retry later.' })}\n\n`);
      res.end();
      return;
    }
    // The manager's messages are now on an open page.
    await deps.bridge.signals.markDelivered(conversation);
  });

  router.use(mapBridgeErrors);
  return router;
}
