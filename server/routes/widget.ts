/**
 * The widget API (product.md, "HTTP routes"): `GET /widget/status`, `POST /widget/connect`,
 * `POST /widget/disconnect`. Every call carries amoCRM's one-time token in `X-Auth-Token`; the
 * tenant is the token's `account_id`, never a body or query value. Connect and disconnect are for
 * the account's admins and spend the token's `jti` (a replay is refused).
 */
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { AuthError, ConflictError, ForbiddenError } from '../errors.js';
import { parseInput } from '../http/validate.js';
import { AmocrmError } from '../amocrm/errors.js';
import type { AmocrmClient } from '../amocrm/client.js';
import { createOneTimeTokenVerifier, type OneTimeTokenClaims } from '../amocrm/one-time-token.js';
import type { ConnectionView, Connections } from '../bridge/connections.js';
import type { Config } from '../config/index.js';
import { escapeHtml } from './oauth-pages.js';
import { widgetCors } from './widget-cors.js';

export interface WidgetRouterDeps {
  config: Pick<Config, 'oauth' | 'publicUrl' | 'sandbox'>;
  now: () => number;
  amocrm: Pick<AmocrmClient, 'getUser'>;
  connections: Pick<Connections, 'status' | 'connect' | 'disconnect'>;
  store: { usedTokens: { claim(jti: string, expiresAt: number): Promise<boolean> } };
  webchat: { rotateSiteKey(accountId: number): Promise<string> };
  /** Fields platforms add to every status answer (e.g. `telegram`), each computed per account. */
  sections?: readonly WidgetSection[];
}

/** One platform's part of the status answer. */
export interface WidgetSection {
  field: string;
  status(accountId: number): Promise<unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const connectBody = z.object({ amojo_id: z.string().regex(UUID, 'must be a uuid').optional() });

/** The answer of all three routes: product.md's shape plus `state` and `reason`. */
export interface WidgetStatusBody {
  connected: boolean;
  state: ConnectionView['state'];
  reason: string | null;
  scope_id: string | null;
  title: string;
  webchat: { site_key: string; snippet: string } | null;
}

/** The tag a site owner pastes into their pages. */
export function webchatSnippet(publicUrl: string, siteKey: string): string {
  return `<script async src="${escapeHtml(`${publicUrl}/webchat/embed.js`)}" data-site-key="${escapeHtml(siteKey)}"></script>`;
}

export function statusBody(view: ConnectionView, publicUrl: string): WidgetStatusBody {
  return {
    connected: view.state === 'connected',
    state: view.state,
    reason: view.reason,
    scope_id: view.scopeId,
    title: view.title,
    webchat: view.siteKey ? { site_key: view.siteKey, snippet: webchatSnippet(publicUrl, view.siteKey) } : null,
  };
}

export type WidgetAuthDeps = Pick<WidgetRouterDeps, 'config' | 'now' | 'amocrm' | 'store'>;
export type WidgetAuth = ReturnType<typeof createWidgetAuth>;

/** The checks every widget route makes: the one-time token, the admin's rights, the spent `jti`. */
export function createWidgetAuth(deps: WidgetAuthDeps) {
  const verify = createOneTimeTokenVerifier({ ...deps.config.oauth, now: deps.now });

  /** Admin = the `is_admin` claim; where the token lacks it, the user's rights in amoCRM decide. */
  async function isAdmin(claims: OneTimeTokenClaims): Promise<boolean> {
    if (claims.isAdmin !== undefined) return claims.isAdmin;
    if (claims.userId === null) return false;
    try {
      return (await deps.amocrm.getUser(claims.accountId, claims.userId)).isAdmin;
    } catch (err) {
      if (err instanceof AmocrmError && err.upstreamStatus === 404) return false;
      throw err;
    }
  }

  return {
    authenticate: (req: Request): Promise<OneTimeTokenClaims> => verify(req.get('x-auth-token')),
    isAdmin,
    async requireAdmin(claims: OneTimeTokenClaims, message = 'Only administrators of the account can change the connection.'): Promise<void> {
      if (!(await isAdmin(claims))) throw new ForbiddenError(message, 'not_admin');
    },
    /** A state change spends the token: the same `jti` twice is a replay. */
    async spend(claims: OneTimeTokenClaims): Promise<void> {
      if (!(await deps.store.usedTokens.claim(`amo-ott:${claims.jti}`, claims.expiresAt))) {
        throw new AuthError('This one-time token was already used.', 'token_replayed');
      }
    },
  };
}

/** The answer of every widget route: the first channel's connection, then each platform's section. */
export function createStatusAnswer(deps: Pick<WidgetRouterDeps, 'config' | 'connections' | 'sections'>) {
  return async (accountId: number, view?: ConnectionView): Promise<Record<string, unknown>> => {
    const body: Record<string, unknown> = { ...statusBody(view ?? (await deps.connections.status(accountId)), deps.config.publicUrl) };
    for (const section of deps.sections ?? []) body[section.field] = await section.status(accountId);
    return body;
  };
}

/** A platform's widget routes: the admin's account from a spent one-time token. */
export function createWidgetGuard(deps: WidgetAuthDeps) {
  const { authenticate, requireAdmin, spend } = createWidgetAuth(deps);
  return {
    async admin(req: Request): Promise<number> {
      const claims = await authenticate(req);
      await requireAdmin(claims);
      await spend(claims);
      return claims.accountId;
    },
  };
}

export function createWidgetRouter(deps: WidgetRouterDeps): Router {
  const extraOrigins = deps.config.sandbox ? [new URL(deps.config.publicUrl).origin] : [];
  const router = Router();
  router.use('/widget', widgetCors(extraOrigins));
  const { authenticate, requireAdmin, spend } = createWidgetAuth(deps);
  const answer = createStatusAnswer(deps);

  router.get('/widget/status', async (req, res) => {
    const claims = await authenticate(req);
    res.json(await answer(claims.accountId));
  });

  const json = express.json({ limit: '16kb' });

  router.post('/widget/connect', json, async (req, res) => {
    const claims = await authenticate(req);
    const body = parseInput(connectBody, req.body ?? {});
    await requireAdmin(claims);
    await spend(claims);
    const view = await deps.connections.connect(claims.accountId, { amojoId: body.amojo_id, host: claims.accountHost });
    res.json(await answer(claims.accountId, view));
  });

  /**
   * A new website-chat key: snippets with the old key stop working and visitors holding tokens of
   * the old key start a new session (e.g. after the snippet was copied to a site it should not be on).
   */
  router.post('/widget/site-key/rotate', json, async (req, res) => {
    const claims = await authenticate(req);
    await requireAdmin(claims);
    await spend(claims);
    const view = await deps.connections.status(claims.accountId);
    if (!view.siteKey) throw new ConflictError('The website chat has no code yet: connect the channel first.', 'not_connected');
    await deps.webchat.rotateSiteKey(claims.accountId);
    res.json(await answer(claims.accountId));
  });

  router.post('/widget/disconnect', json, async (req, res) => {
    const claims = await authenticate(req);
    await requireAdmin(claims);
    await spend(claims);
    res.json(await answer(claims.accountId, await deps.connections.disconnect(claims.accountId)));
  });

  return router;
}
