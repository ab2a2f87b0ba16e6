/**
 * `GET /webchat/v1/settings?site_key=…` (product.md): what the bubble needs to know about its site at load,
 * before the visitor writes. An unknown site key (a snippet left on a site after the admin made a new
 * code) is answered 404, so the bubble says at once that the chat is unavailable. Answers are cacheable
 * for a minute: every page view of every visitor asks, and a minute is how long a new code or new
 * settings may take to reach a page already open.
 */
import { Router } from 'express';
import { NotFoundError } from '../../errors.js';
import { parseInput } from '../../http/validate.js';
import { corsForAnyOrigin } from './cors.js';
import type { WebchatLimiters } from './limits.js';
import { clientIp, limit } from './routes.js';
import { settingsQuery } from './schema.js';
import { defaultBubbleSettings } from './bubble-settings.js';
import type { WebchatAccounts } from './visitor-auth.js';

const CACHE_SECONDS = 60;

export function createSettingsRouter(deps: { accounts: WebchatAccounts; limiters: WebchatLimiters; maxUploadBytes: number }): Router {
  const router = Router();
  router.use('/settings', corsForAnyOrigin);
  router.get('/settings', async (req, res) => {
    const query = parseInput(settingsQuery, req.query);
    limit([deps.limiters.actions.perIp, clientIp(req)]);
    res.setHeader('Cache-Control', `public, max-age=${CACHE_SECONDS}`);
    const found = await deps.accounts.findBySiteKey(query.site_key);
    if (!found) throw new NotFoundError('No website chat has this site key.', 'unknown_site_key');
    res.json(defaultBubbleSettings(deps.maxUploadBytes));
  });
  return router;
}
