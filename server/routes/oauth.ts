/**
 * Install and uninstall (product.md, "HTTP routes"; widget-and-oauth.md §5.0–§5.3):
 * - `GET /oauth/callback`: amoCRM sends the authorization code after an install. The `referer`
 *   host is checked before anything goes out (no request is ever made to a host we did not
 *   allow). Bad input is answered as JSON like every other 4xx; what happened to a real install is
 *   a small HTML page for the admin.
 * - `GET /oauth/revoked`: amoCRM's uninstall hook, signed with the client secret. The signature
 *   covers only the account and the integration, never a time or a nonce, so the same URL stays
 *   valid forever: the account is forgotten only once amoCRM itself refuses its tokens.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { AppError, AuthError, ConflictError, UpstreamError, ValidationError } from '../errors.js';
import { parseInput } from '../http/validate.js';
import { isAmoAccountHost } from '../amojo/hosts.js';
import { AmocrmError } from '../amocrm/errors.js';
import { InvalidCodeError, type Installer } from '../amocrm/install.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { pickLanguage, renderPage, type PageLanguage, type PageOutcome } from './oauth-pages.js';
import { statusBody } from './widget.js';

export interface OAuthRouterDeps {
  config: Pick<Config, 'oauth' | 'publicUrl'>;
  logger: Logger;
  installer: Pick<Installer, 'install' | 'uninstall'>;
  store: { accounts: { get(id: number): Promise<{ language: string | null } | undefined> } };
}

const UNINSTALL_RETRY_AFTER_SECONDS = 60;

class InvalidRefererError extends ValidationError {
  override readonly code = 'invalid_referer';
}

const text = (max: number) => z.string().max(max);
const callbackQuery = z.object({
  code: text(4096).optional(),
  referer: text(300).optional(),
  state: text(1024).optional(),
  error: text(200).optional(),
  client_id: text(200).optional(),
  from_widget: text(10).optional(),
  platform: text(10).optional(),
  lang: text(10).optional(),
});

const revokedQuery = z.object({
  account_id: z.string().regex(/^[1-9]\d{0,15}$/, 'must be a positive integer'),
  client_uuid: text(200).optional(),
  signature: text(200).optional(),
});

/**
 * `referer` is documented as a bare host (`example.amocrm.ru`); a scheme and one trailing slash
 * are tolerated. Anything else (ports, paths, user info, other domains) is refused.
 */
export function refererHost(referer: string | undefined): string | undefined {
  const host = referer?.trim().replace(/^https:\/\//i, '').replace(/\/$/, '').toLowerCase();
  return host && isAmoAccountHost(host) ? host : undefined;
}

/**
 * The hook's format comes from one third-party source (widget-and-oauth.md §5.3, unconfirmed):
 * hex HMAC-SHA256(client secret, `${client_uuid}|${account_id}`). Lower- and upper-case hex are
 * both accepted; the comparison is constant-time.
 */
export function verifyRevokeSignature(secret: string, clientUuid: string, accountId: string, signature: string): boolean {
  const given = signature.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = createHmac('sha256', secret).update(`${clientUuid}|${accountId}`).digest();
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createOAuthRouter(deps: OAuthRouterDeps): Router {
  const router = Router();
  const log = deps.logger.child({ module: 'oauth' });

  const page = (res: Response, status: number, lang: PageLanguage, outcome: PageOutcome, extra?: Parameters<typeof renderPage>[2]): void => {
    res.status(status).type('html').setHeader('Cache-Control', 'no-store');
    res.send(renderPage(lang, outcome, extra));
  };

  router.get('/oauth/callback', async (req, res) => {
    const q = parseInput(callbackQuery, req.query);
    const host = refererHost(q.referer);
    const language = pickLanguage(q.lang, req.get('accept-language'), null, host);
    if (q.error) {
      log.info({ error: q.error.slice(0, 50) }, 'install refused by the admin');
      page(res, 400, language.lang, 'denied');
      return;
    }
    if (!host) {
      throw new InvalidRefererError('referer: must be an amoCRM or Kommo account host (*.amocrm.ru, *.amocrm.com, *.kommo.com).', 'referer');
    }
    if (!q.code) throw new ValidationError('code: the authorization code is missing.', 'code');
    if (q.client_id !== undefined && q.client_id !== deps.config.oauth.clientId) {
      throw new ValidationError('client_id: the code was issued for another integration.', 'client_id');
    }

    let lang = language.lang;
    try {
      const result = await deps.installer.install(host, q.code, { language: language.fromUser ? language.lang : undefined });
      if (!language.fromUser) lang = pickLanguage(undefined, undefined, (await deps.store.accounts.get(result.accountId))?.language, host).lang;
      log.info({ accountId: result.accountId, host, state: result.view.state }, 'integration installed');
      page(res, 200, lang, 'connected', { status: statusBody(result.view, deps.config.publicUrl) });
    } catch (err) {
      if (err instanceof InvalidCodeError) return page(res, 400, lang, 'invalid_code');
      if (err instanceof UpstreamError && err.code === 'channel_not_approved') return page(res, 502, lang, 'not_approved', { reason: err.message });
      if (err instanceof ConflictError) return page(res, 409, lang, 'conflict', { reason: err.message });
      if (err instanceof AmocrmError || (err instanceof AppError && err.status === 502)) {
        log.warn({ err, host }, 'install failed upstream');
        return page(res, 502, lang, 'upstream');
      }
      throw err;
    }
  });

  router.get('/oauth/revoked', async (req, res) => {
    const q = parseInput(revokedQuery, req.query);
    const { clientId, clientSecret } = deps.config.oauth;
    if (!q.client_uuid || !sameText(q.client_uuid, clientId)) {
      throw new AuthError('The hook is not for this integration.', 'invalid_signature');
    }
    if (!q.signature || !verifyRevokeSignature(clientSecret, q.client_uuid, q.account_id, q.signature)) {
      throw new AuthError('The signature does not match.', 'invalid_signature');
    }
    const accountId = Number(q.account_id);
    let result;
    try {
      result = await deps.installer.uninstall(accountId);
    } catch (err) {
      if (!(err instanceof AmocrmError)) throw err;
      // Not knowing is not a reason to forget an account: 503 asks amoCRM to call again.
      log.warn({ err, accountId }, 'uninstall hook: amoCRM could not confirm that the tokens are revoked; the account is kept');
      res.status(503).setHeader('Retry-After', String(UNINSTALL_RETRY_AFTER_SECONDS));
      res.json({ error: 'amocrm_unavailable', message: 'amoCRM could not be asked whether the integration was removed; nothing was changed. Try again later.' });
      return;
    }
    if (result.outcome === 'still_installed') {
      // A replay of an old hook (e.g. after a reinstall), or a hook sent before the tokens were
      // revoked. 200, because repeating the same hook cannot change the answer.
      log.warn({ accountId }, 'uninstall hook ignored: amoCRM still accepts the account tokens');
      res.json({ status: 'still_installed' });
      return;
    }
    if (!result.channelDisconnected) log.warn({ accountId }, 'uninstall: the chat service did not confirm the disconnect');
    log.info({ accountId }, 'integration uninstalled');
    res.json({ status: 'uninstalled' });
  });

  return router;
}
