/**
 * The three documents of the sandbox: the page with its four panes, the demo website (one pane, an iframe,
 * so the bubble sits on a page of its own as on any site) and the CRM-like host of the real widget (another
 * iframe, so RequireJS and the widget's styles stay inside it). Every value put into HTML is escaped.
 */
import { escapeHtml } from '../../routes/home.js';
import { fill, SANDBOX_LOCALES, type SandboxLocale, type SandboxTexts } from './texts.js';

export const PAGE_BASE = '/sandbox/page';
/** Drawn, not an emoji: headless browsers (and some systems) have no emoji font. */
const BIKE_ICON =
  '<svg class="bike" viewBox="0 0 64 40" width="64" height="40" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="3">' +
  '<circle cx="13" cy="27" r="10"/><circle cx="51" cy="27" r="10"/><path d="M13 27 24 9h18l9 18M24 9l8 18h-19M32 27 42 9M20 5h8M40 5h6"/></svg>';
const ASSETS = `${PAGE_BASE}/assets`;

/** JSON for a `<script type="application/json">`: `<` escaped so no value can close the tag. */
function jsonScript(id: string, value: unknown): string {
  return `<script type="application/json" id="${id}">${JSON.stringify(value).replace(/</g, '\\u003c')}</script>`;
}

function head(locale: SandboxLocale, title: string, css: string): string {
  return (
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">` +
    `<title>${escapeHtml(title)}</title><link rel="stylesheet" href="${ASSETS}/${css}"></head>`
  );
}

/** What the Telegram pane needs: the emulator's control API, and who writes to which bot there. */
export interface TelegramPaneInput {
  controlUrl: string;
  botId: number;
  botUsername: string;
  userId: number;
}

export interface MainPageInput {
  locale: SandboxLocale;
  t: SandboxTexts;
  /** Absent when the sandbox runs no emulated Telegram. */
  telegram: TelegramPaneInput | undefined;
}

export function mainPage({ locale, t, telegram }: MainPageInput): string {
  const langs = SANDBOX_LOCALES.map((l) =>
    l === locale ? `<b aria-current="true">${l.toUpperCase()}</b>` : `<a href="/?lang=${l}" hreflang="${l}" lang="${l}">${l.toUpperCase()}</a>`,
  ).join(' · ');
  const pane = (id: string, title: string, hint: string, body: string): string =>
    `<section class="pane" id="pane-${id}" aria-labelledby="pane-${id}-title">` +
    `<h2 id="pane-${id}-title">${escapeHtml(title)}</h2><p class="hint">${escapeHtml(hint)}</p>${body}</section>`;
  return (
    head(locale, t.pageTitle, 'sandbox.css') +
    `<body><header class="top"><div><h1>${escapeHtml(t.pageTitle)}</h1><p>${escapeHtml(t.intro)}</p></div>` +
    `<nav aria-label="${escapeHtml(t.language)}">${langs}</nav></header><main class="panes">` +
    pane('site', t.paneSite, t.paneSiteHint, `<iframe name="site" title="${escapeHtml(t.paneSite)}" src="${PAGE_BASE}/demo?lang=${locale}"></iframe>`) +
    pane('inbox', t.paneInbox, t.paneInboxHint, `<div id="inbox" class="inbox" data-testid="inbox"></div>`) +
    pane('widget', t.paneWidget, t.paneWidgetHint, `<iframe name="widget" title="${escapeHtml(t.paneWidget)}" src="${PAGE_BASE}/widget?lang=${locale}"></iframe>`) +
    (telegram ? pane('telegram', t.paneTelegram, t.paneTelegramHint, `<div id="telegram" class="tg" data-testid="telegram"></div>`) : '') +
    `</main>` +
    jsonScript('sandbox-config', { texts: t, locale, controlUrl: '/sandbox/amojo/_control', telegram: telegram ?? null }) +
    `<script type="module" src="${ASSETS}/inbox.js"></script>` +
    (telegram ? `<script type="module" src="${ASSETS}/telegram.js"></script>` : '') +
    `</body></html>`
  );
}

export interface DemoPageInput {
  locale: SandboxLocale;
  t: SandboxTexts;
  /** Absent while the channel is not connected. */
  siteKey: string | undefined;
}

export function demoPage({ locale, t, siteKey }: DemoPageInput): string {
  const bikes = [
    ['Urban 3', '€ 690'],
    ['Cargo L', '€ 1 490'],
    ['Fold S', '€ 540'],
  ]
    .map(([name, price]) => `<li>${BIKE_ICON}<b>${name}</b><span>${price}</span></li>`)
    .join('');
  // The same tag the widget settings show (routes/widget.ts webchatSnippet), with a same-origin src.
  const snippet = siteKey ? `<script async src="/webchat/embed.js" data-site-key="${escapeHtml(siteKey)}"></script>` : '';
  return (
    head(locale, t.demoTitle, 'demo.css') +
    `<body><header><b class="logo">${escapeHtml(t.demoTitle)}</b></header><main>` +
    `<h1>${escapeHtml(t.demoTagline)}</h1><p>${escapeHtml(t.demoBody)}</p>` +
    (siteKey ? '' : `<p class="waiting" role="status">${escapeHtml(t.demoWaiting)}</p>`) +
    `<h2>${escapeHtml(t.demoProducts)}</h2><ul class="bikes">${bikes}</ul></main>` +
    jsonScript('demo-config', { siteKey: siteKey ?? null, stateUrl: `${PAGE_BASE}/state.json` }) +
    `<script src="${ASSETS}/demo.js" defer></script>${snippet}</body></html>`
  );
}

export interface WidgetHostInput {
  locale: SandboxLocale;
  t: SandboxTexts;
  /** The emulated account and its users, as amoCRM's `APP.constant()` would show them. */
  account: { id: number; subdomain: string; amojoId: string; users: Array<{ id: number; name: string; isAdmin: boolean }> };
  /** Why the widget cannot be shown, when it cannot. */
  problem: string | undefined;
  /** Where the unpacked widget (script.js, i18n/, images/) is served. */
  widgetBase: string;
  /** The emulated Telegram's ready bot token, offered for the widget's Telegram section. */
  telegramToken: string | undefined;
}

export function widgetHostPage({ locale, t, account, problem, widgetBase, telegramToken }: WidgetHostInput): string {
  const users = account.users
    .map((u) => `<option value="${u.id}">${escapeHtml(`${u.name} (${u.isAdmin ? t.admin : t.notAdmin})`)}</option>`)
    .join('');
  const body = problem
    ? `<p class="problem" role="alert">${escapeHtml(fill(t.widgetMissing, { reason: problem }))}</p>`
    : `<label class="crm-bar">${escapeHtml(t.signedInAs)} <select id="user">${users}</select></label>` +
      (telegramToken
        ? `<p class="tg-token" data-testid="sandbox-bot-token">${escapeHtml(t.tgTokenOffer)} <code>${escapeHtml(telegramToken)}</code> ` +
          `<button type="button" id="tg-copy-token">${escapeHtml(t.tgCopy)}</button> <button type="button" id="tg-paste-token">${escapeHtml(t.tgPasteToken)}</button></p>`
        : '') +
      `<div class="modal amo_webchat"><div class="modal-body"><h1 class="widget-title"><img src="${widgetBase}images/logo_small.png" alt="" width="32" height="32"> ${escapeHtml(t.paneWidget)}</h1>` +
      `<div class="widget_settings_block"><div class="widget_settings_block__controls"></div></div></div></div>` +
      `<p id="host-note" class="note" role="status"></p>` +
      jsonScript('host-config', { locale, texts: t, account, widgetBase, tokenUrl: '/sandbox/amocrm/_emulator/one-time-tokens', telegramToken: telegramToken ?? null }) +
      `<script src="${PAGE_BASE}/vendor/require.js"></script><script src="${ASSETS}/widget-host.js"></script>`;
  return head(locale, t.paneWidget, 'widget-host.css') + `<body>${body}</body></html>`;
}
