/**
 * `GET /webchat/v1/settings?site_key=…` (product.md): what the bubble needs to know about its site at load,
 * before the visitor writes. An unknown site key (a snippet left on a site after the admin made a new
 * code) is answered 404, so the bubble says at once that the chat is unavailable. Answers are cacheable
 * for a minute: every page view of every visitor asks, and a minute is how long a new code or new
 * settings (colour, texts, hours, …) may take to reach the next page load of a visitor who loaded
 * the site just before the change.
 */
import { Router } from 'express';
import { NotFoundError } from '../../errors.js';
import { parseInput } from '../../http/validate.js';
import { corsForAnyOrigin } from './cors.js';
import type { WebchatLimiters } from './limits.js';
import { clientIp, limit } from './routes.js';
import { settingsQuery } from './schema.js';
import type { SiteSettingsReader } from './site-settings.js';
import type { WebchatAccounts } from './visitor-auth.js';

const CACHE_SECONDS = 60;

export function createSettingsRouter(deps: { accounts: WebchatAccounts; siteSettings: SiteSettingsReader; limiters: WebchatLimiters; maxUploadBytes: number }): Router {
  const router = Router();
  router.use('/settings', corsForAnyOrigin);
  router.get('/settings', async (req, res) => {
    const query = parseInput(settingsQuery, req.query);
    await limit([deps.limiters.actions.perIp, clientIp(req)]);
    res.setHeader('Cache-Control', `public, max-age=${CACHE_SECONDS}`);
    const found = await deps.accounts.findBySiteKey(query.site_key);
    if (!found) throw new NotFoundError('No website chat has this site key.', 'unknown_site_key');
    // The bubble's settings hold nothing secret (the identity secret is kept apart from them).
    const { bubble } = await deps.siteSettings(found.accountId);
    res.json({ ...bubble, max_file_bytes: deps.maxUploadBytes });
  });
  return router;
}
