/**
 * A plain-Node request listener in front of Express for the machine-to-machine hook routes
 * (`POST /amojo/webhook/:scope_id`, `POST /telegram/webhook/:bot_id`): on the busiest route, the
 * Express app and router cost about a tenth of each request's CPU time (`npm run bench`) and buy
 * nothing a hook needs.
 *
 * The lane takes only the plain form of a request: method POST, the route's exact lower-case
 * prefix, one parameter of unreserved URL characters (so it needs no decoding) and no trailing
 * slash. Every other request, including odd spellings of these routes, goes to Express, where
 * the same routes stay mounted, so it is answered exactly as before. A lane route may also pass
 * a request on before it reads the body (`LaneContext.fallThrough`), and hands every error to the
 * app's error handler (`LaneContext.fail`), so refusals keep their status, body and log line.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

export interface LaneContext {
  /** The request's one path parameter (the text after the route's prefix). */
  param: string;
  /** Hands the request, untouched, to the Express app; only before its body is read. */
  fallThrough(): void;
  /** Answers with the app's error handler, as if a route had called `next(err)`. */
  fail(err: unknown): void;
}

export interface LaneRoute {
  /** The path up to the parameter, e.g. `/amojo/webhook/`. */
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse, lane: LaneContext): void;
}

/** The error a lane route failed with, waiting for `relayLaneError` inside the app. */
const LANE_ERROR = Symbol('laneError');
type WithLaneError = IncomingMessage & { [LANE_ERROR]?: unknown };

/** Unreserved URL characters (RFC 3986): a parameter made of them reads the same decoded. */
const PLAIN_PARAM = /^[A-Za-z0-9._~-]+$/;

export function createFastLane(routes: readonly LaneRoute[], app: RequestListener): RequestListener {
  return (req, res) => {
    const url = req.url ?? '';
    if (req.method === 'POST') {
      for (const route of routes) {
        if (!url.startsWith(route.prefix)) continue;
        const query = url.indexOf('?', route.prefix.length);
        const param = url.slice(route.prefix.length, query < 0 ? undefined : query);
        if (!PLAIN_PARAM.test(param)) break;
        route.handle(req, res, {
          param,
          fallThrough: () => app(req, res),
          fail(err) {
            (req as WithLaneError)[LANE_ERROR] = err ?? new Error('a fast-lane route failed without an error');
            app(req, res);
          },
        });
        return;
      }
    }
    app(req, res);
  };
}

/** The app's first middleware: a request a lane route failed passes its error to the error handler. */
export const relayLaneError: RequestHandler = (req, _res, next) => {
  const failed = req as WithLaneError;
  if (!(LANE_ERROR in failed)) {
    next();
    return;
  }
  const err = failed[LANE_ERROR];
  delete failed[LANE_ERROR];
  next(err);
};
