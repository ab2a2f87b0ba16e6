/**
 * The sandbox page (`GET /` in sandbox mode, product.md): a demo website with the chat bubble, an emulated
 * amoCRM inbox driven by the Chats API emulator's control API, and the real widget's settings page. Mounted
 * only in sandbox mode, before the status page. Reads the store and the emulators; changes nothing itself:
 * every action on the page goes through the same public routes a real deployment has.
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Request } from 'express';
import type { Services } from '../../services.js';
import { demoPage, mainPage, PAGE_BASE, widgetHostPage } from './html.js';
import { pickLocale, sandboxTexts } from './texts.js';
import { createWidgetBundle } from './widget-bundle.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../../..');
const requireFromHere = createRequire(import.meta.url);

export interface SandboxPageOptions {
  /** Repository root (holds dist/); found from this file by default. */
  rootDir?: string;
}

export function createSandboxPageRouter(services: Pick<Services, 'config' | 'store' | 'logger' | 'sandbox'>, options: SandboxPageOptions = {}): Router {
  const rootDir = options.rootDir ?? ROOT;
  const logger = services.logger.child({ module: 'sandbox-page' });
  const widget = createWidgetBundle({ rootDir, backendUrl: services.config.publicUrl, logger });
  // A fresh checkout has no dist/widget yet: start building it now rather than when the page first asks.
  void widget.ensure();
  const localeOf = (req: Request) => pickLocale(req.query['lang'], req.get('accept-language'));
  const noStore = { 'Cache-Control': 'no-store' };

  /** The account whose website chat the demo page shows: the first connected one with a site key. */
  async function connected(): Promise<{ siteKey: string; scopeId: string | null } | undefined> {
    const rows = await services.store.accounts.listConnected();
    const row = rows.find((r) => r.site_key);
    return row?.site_key ? { siteKey: row.site_key, scopeId: row.scope_id } : undefined;
  }

  const router = Router();
  router.get('/', (req, res) => {
    const locale = localeOf(req);
    res.set(noStore).type('html').send(mainPage({ locale, t: sandboxTexts(locale) }));
  });

  router.get(`${PAGE_BASE}/state.json`, async (_req, res) => {
    const c = await connected();
    res.set(noStore).json({ connected: !!c, site_key: c?.siteKey ?? null, scope_id: c?.scopeId ?? null });
  });

  router.get(`${PAGE_BASE}/demo`, async (req, res) => {
    const locale = localeOf(req);
    res.set(noStore).type('html').send(demoPage({ locale, t: sandboxTexts(locale), siteKey: (await connected())?.siteKey }));
  });

  router.get(`${PAGE_BASE}/widget`, async (req, res) => {
    const locale = localeOf(req);
    const amocrm = services.sandbox?.amocrm;
    const account = amocrm?.account(amocrm.defaultAccountId());
    const built = await widget.ensure();
    res.set(noStore).type('html').send(
      widgetHostPage({
        locale,
        t: sandboxTexts(locale),
        account: account
          ? { id: account.id, subdomain: account.host.split('.')[0] ?? '', amojoId: account.amojoId, users: account.users.map((u) => ({ id: u.id, name: u.name, isAdmin: u.isAdmin })) }
          : { id: 0, subdomain: '', amojoId: '', users: [] },
        problem: 'problem' in built ? built.problem : account ? undefined : 'no emulated amoCRM account',
        widgetBase: `${PAGE_BASE}/widget-files/`,
      }),
    );
  });

  router.use(`${PAGE_BASE}/assets`, express.static(join(HERE, 'assets'), { index: false, maxAge: 0 }));
  router.use(`${PAGE_BASE}/widget-files`, express.static(join(rootDir, 'dist/widget'), { index: false, maxAge: 0 }));
  router.get(`${PAGE_BASE}/vendor/require.js`, (_req, res) => res.sendFile(requireFromHere.resolve('requirejs/require.js')));
  router.get(`${PAGE_BASE}/vendor/jquery.js`, (_req, res) => res.sendFile(requireFromHere.resolve('jquery/dist/jquery.min.js')));
  return router;
}
