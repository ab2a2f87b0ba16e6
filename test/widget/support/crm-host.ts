/**
 * A fake CRM front end for the browser test, on 127.0.0.1 port 0: serves the host page, the real RequireJS
 * and jQuery from node_modules, the unpacked widget archive under a widget path, and mints one-time tokens
 * the way amoCRM does (HS256 JWT signed with the integration's client secret, widget-and-oauth.md §4).
 *
 * The browser reaches it under the account's own origin (`https://<subdomain>.amocrm.ru`, routed to this
 * server by Playwright), because that is the origin the backend's CORS accepts and the widget runs on.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { SignJWT, type JWTPayload } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { renderCrmPage, type CrmPageConfig } from './crm-host-page.js';

const PAGE_PATH = '/settings/widgets/';
const nodeModules = join(import.meta.dirname, '../../../node_modules');

export interface CrmHostOptions {
  /** The unpacked widget archive. */
  widgetDir: string;
  widgetCode: string;
  version: string;
  lang: 'en' | 'ru';
  /** `host` is the account's host name, e.g. `sandbox.amocrm.ru`. */
  account: { id: number; host: string; amojoId: string | null };
  user: { id: number; isAdmin: boolean };
  oauth: { clientId: string; clientSecret: string; redirectUri: string };
}

export interface CrmHost {
  /** Where the server listens (127.0.0.1). */
  url: string;
  /** `https://<account host>`: the origin the page is opened under. */
  accountOrigin: string;
  /** The settings page, under the account origin. */
  pageUrl: string;
  /** Claims of every one-time token minted so far. */
  minted: JWTPayload[];
  stop(): Promise<void>;
}

export async function startCrmHost(options: CrmHostOptions): Promise<CrmHost> {
  const { account, user, oauth } = options;
  const subdomain = account.host.split('.')[0]!;
  const accountOrigin = `https://${account.host}`;
  const widgetPath = `/upl/${options.widgetCode}/widget`;
  const minted: JWTPayload[] = [];
  const key = new TextEncoder().encode(oauth.clientSecret);

  const page: CrmPageConfig = {
    widgetCode: options.widgetCode,
    widgetPath,
    version: options.version,
    lang: options.lang,
    subdomain,
    userId: user.id,
    clientId: oauth.clientId,
    constants: {
      account: { id: account.id, subdomain, amojo_id: account.amojoId, language: options.lang },
      user: { id: user.id, name: 'Test admin', login: 'admin@example.test' },
      user_rights: { is_admin: user.isAdmin },
      managers: { [user.id]: { id: user.id, title: 'Test admin', is_admin: user.isAdmin ? 'Y' : 'N', active: true } },
    },
  };

  const app = express();
  app.get(['/', PAGE_PATH], (_req, res) => void res.type('html').send(renderCrmPage(page)));
  app.get('/vendor/require.js', (_req, res) => res.sendFile(join(nodeModules, 'requirejs/require.js')));
  app.get('/vendor/jquery.js', (_req, res) => res.sendFile(join(nodeModules, 'jquery/dist/jquery.js')));
  app.use(widgetPath, express.static(options.widgetDir, { fallthrough: false }));

  // amoCRM's front end gets the one-time token from its own server; this is that server.
  app.post('/crm/one-time-token', async (_req, res) => {
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = {
      iss: accountOrigin,
      aud: new URL(oauth.redirectUri).origin,
      jti: randomUUID(),
      iat: now,
      nbf: now,
      exp: now + 30 * 60,
      account_id: account.id,
      subdomain,
      client_uuid: oauth.clientId,
      user_id: user.id,
      is_admin: user.isAdmin,
    };
    minted.push(claims);
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
    res.json({ token });
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    accountOrigin,
    pageUrl: `${accountOrigin}${PAGE_PATH}`,
    minted,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A browser context where the account origin is served by `host`, and the page may call a backend on
 * 127.0.0.1: Chromium asks the user before a public site reaches the loopback address space, and the
 * test grants that as an admin would. (With routing on, Playwright answers CORS preflights itself; the
 * test checks the backend's own preflight answer separately.)
 */
export async function openCrmPage(browser: Browser, host: CrmHost): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  await context.grantPermissions(['local-network-access'], { origin: host.accountOrigin });
  await context.route(`${host.accountOrigin}/**`, async (route) => {
    const target = new URL(route.request().url());
    const response = await route.fetch({ url: `${host.url}${target.pathname}${target.search}` });
    await route.fulfill({ response });
  });
  return { context, page: await context.newPage() };
}
