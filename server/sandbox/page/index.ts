/**
 * The sandbox page (`GET /` in sandbox mode, product.md): a demo website with the chat bubble, an emulated
 * amoCRM inbox driven by the Chats API emulator's control API, the real widget's settings page, and an
 * emulated Telegram app driven by the Bot API emulator's control API. Mounted
 * only in sandbox mode, before the status page. Reads the store and the emulators; changes nothing itself:
 * every action on the page goes through the same public routes a real deployment has.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type Request } from 'express';
import type { Services } from '../../services.js';
import { missingBuildMessage } from '../../http/built-files.js';
import { demoPage, mainPage, PAGE_BASE, widgetHostPage } from './html.js';
import { pickLocale, sandboxTexts } from './texts.js';
import { SANDBOX_VENDOR_DIR } from './vendor.js';

export interface SandboxPageOptions {
  /** The build's output folder, holding widget/ and sandbox-vendor/. */
  distDir: string;
  /**
   * The folder of server/'s run-time files (runtime/paths.ts), under which the page's own scripts and
   * styles are, in sandbox/page/assets/: server/ from source, dist/server/ compiled.
   */
  serverFilesDir: string;
}

export function createSandboxPageRouter(services: Pick<Services, 'config' | 'store' | 'logger' | 'sandbox'>, options: SandboxPageOptions): Router {
  const dist = options.distDir;
  // The widget is the one built for dist/widget.zip, bound to the build's backend URL; the host page
  // sends its calls to this server instead (assets/widget-host.js), so no sandbox-specific build is needed.
  const widgetDir = join(dist, 'widget');
  const vendorDir = join(dist, SANDBOX_VENDOR_DIR);
  const logger = services.logger.child({ module: 'sandbox-page' });
  /** Why the widget pane cannot show the widget, logged once for the operator. */
  function widgetProblem(): string | undefined {
    const script = join(widgetDir, 'script.js');
    if (existsSync(script)) return undefined;
    const problem = missingBuildMessage('the widget', script);
    if (!isProblemLogged) logger.error(problem);
    isProblemLogged = true;
    return problem;
  }
  let isProblemLogged = false;
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
    const tg = services.sandbox?.telegram;
    const telegram = tg ? { controlUrl: '/sandbox/telegram/_control', botId: tg.bot.id, botUsername: tg.bot.username, userId: tg.userId } : undefined;
    res.set(noStore).type('html').send(mainPage({ locale, t: sandboxTexts(locale), telegram }));
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
    const missing = widgetProblem();
    res.set(noStore).type('html').send(
      widgetHostPage({
        locale,
        t: sandboxTexts(locale),
        account: account
          ? { id: account.id, subdomain: account.host.split('.')[0] ?? '', amojoId: account.amojoId, users: account.users.map((u) => ({ id: u.id, name: u.name, isAdmin: u.isAdmin })) }
          : { id: 0, subdomain: '', amojoId: '', users: [] },
        problem: missing ?? (account ? undefined : 'no emulated amoCRM account'),
        widgetBase: `${PAGE_BASE}/widget-files/`,
        telegramToken: services.sandbox?.telegram.bot.token,
      }),
    );
  });

  router.use(`${PAGE_BASE}/assets`, express.static(join(options.serverFilesDir, 'sandbox/page/assets'), { index: false, maxAge: 0 }));
  router.use(`${PAGE_BASE}/widget-files`, express.static(widgetDir, { index: false, maxAge: 0 }));
  router.use(`${PAGE_BASE}/vendor`, express.static(vendorDir, { index: false, maxAge: 0 }));
  return router;
}
