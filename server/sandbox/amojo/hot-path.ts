/**
 * The message call, `POST /v2/origin/custom/{scope_id}`, served with Node's http alone when the
 * emulator runs on its own port (`listen()`): every message the backend delivers makes one, and
 * under load Express's request decoration and routing cost this process about as much as the
 * rest of the call. Only calls the Express route would read the same way are taken here (the
 * exact path, one plain segment, a Content-Length within the limit, no Content-Encoding); the
 * rest go to Express. Both ways authenticate, carry out and answer through the same functions
 * (api-router.ts), so a call's answer does not depend on the way it took.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_BASE_PATH, MAX_API_BODY_BYTES, messageEventCall, respond, type ApiRouterDeps } from './api-router.js';

/** Handles the request and answers true when it is a message call it takes; false leaves it untouched. */
export type HotPath = (req: IncomingMessage, res: ServerResponse) => boolean;

const PREFIX = `${API_BASE_PATH}/`;
/** A segment Express would decode or split differently: left to it. */
const NOT_PLAIN = /[/%]/;

export function messageHotPath(deps: ApiRouterDeps): HotPath {
  const answer = messageEventCall(deps);
  return (req, res) => {
    const url = req.url ?? '';
    if (req.method !== 'POST' || !url.startsWith(PREFIX)) return false;
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const scopeId = path.slice(PREFIX.length);
    if (scopeId === '' || NOT_PLAIN.test(scopeId)) return false;
    const length = Number(req.headers['content-length']);
    const encoding = req.headers['content-encoding'];
    // No length (chunked), too long, or compressed: the router's body reader answers those.
    if (!(length <= MAX_API_BODY_BYTES) || (encoding !== undefined && encoding.toLowerCase() !== 'identity')) return false;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A client that goes away mid-body never gets here: nothing is carried out, as on the router.
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const call = { method: 'POST', wirePath: path, baseUrl: `http://${req.headers.host ?? 'localhost'}`, headers: req.headers, params: { scopeId }, query: {}, body };
      answer(call).then(
        (reply) => respond(deps, res, reply, 'POST', path),
        () => res.destroy(),
      );
    });
    return true;
  };
}
