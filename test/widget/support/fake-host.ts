/**
 * A fake CRM host for jsdom tests of the widget source: `APP`, the host methods mixed into the widget
 * (`get_settings`, `i18n`, `set_status`, `$authorizedAjax`) and a settings modal like the CRM's.
 * `$authorizedAjax` answers with real jQuery Deferreds that the test settles by hand, so every
 * intermediate state (loading, connecting…) can be observed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import $ from 'jquery';
import { vi } from 'vitest';
import type { AjaxOptions, WidgetHost, WidgetParams } from '../../../widget/src/host.js';
import { supportText } from '../../../widget/src/i18n.js';
import { createWidget } from '../../../widget/src/widget.js';

export const BACKEND_URL = 'https://chat.example.test';
/** The contacts a build would bake in; every "contact support" text shows them. */
export const SUPPORT = { email: 'help@chat-vendor.test', url: 'https://chat-vendor.test/help' };
export const AMOJO_ID = 'b46280ba-68e1-44ff-b74a-ff0f577d49d7';

export type Locale = 'en' | 'ru';

export function loadLocale(locale: Locale): Record<string, unknown> {
  // A path, not `new URL(…, import.meta.url)`: vite rewrites that pattern as an asset URL.
  const file = join(import.meta.dirname, `../../../widget/i18n/${locale}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function lookup(tree: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), tree);
}

export interface AjaxCall {
  options: AjaxOptions;
  /** Parsed JSON body, when one was sent. */
  body: unknown;
  /** Answer like the backend: 2xx resolves, anything else (0 = no answer) fails like a jqXHR. */
  reply(status: number, body?: unknown): void;
}

export interface FakeAppOptions {
  amojoId?: string | null;
  isAdmin?: boolean | undefined;
  /** `managers` entry for the current user when `isAdmin` is left undefined. */
  managerIsAdmin?: 'Y' | 'N';
}

export function installFakeApp(options: FakeAppOptions = {}): void {
  const userId = 1001;
  const constants: Record<string, unknown> = {
    account: { id: 31000001, subdomain: 'example', amojo_id: options.amojoId === undefined ? AMOJO_ID : options.amojoId },
    user: { id: userId, name: 'Admin' },
    managers: options.managerIsAdmin ? { [userId]: { id: userId, is_admin: options.managerIsAdmin } } : {},
  };
  if (options.isAdmin !== undefined) constants.user_rights = { is_admin: options.isAdmin };
  (globalThis as { APP?: unknown }).APP = { constant: (name: string) => constants[name] };
}

export function removeFakeApp(): void {
  delete (globalThis as { APP?: unknown }).APP;
}

export interface FakeHost {
  widget: WidgetHost;
  calls: AjaxCall[];
  setStatus: ReturnType<typeof vi.fn>;
  /** The CRM's settings modal content, as handed to `callbacks.settings`. */
  $modal: JQuery;
  openSettings(): void;
}

export function createFakeHost(options: { params?: WidgetParams; locale?: Locale } = {}): FakeHost {
  const lang = loadLocale(options.locale ?? 'en');
  const calls: AjaxCall[] = [];
  const setStatus = vi.fn();
  const params: WidgetParams = { widget_code: 'awc_test', path: '/widgets/awc_test', status: 'installed', active: 'Y', ...options.params };

  const hostMethods = {
    get_settings: () => params,
    i18n: (key: string) => lookup(lang, key),
    set_status: setStatus,
    $authorizedAjax(ajax: AjaxOptions) {
      const deferred = $.Deferred();
      calls.push({
        options: ajax,
        body: typeof ajax.data === 'string' ? JSON.parse(ajax.data) : undefined,
        reply(status, body) {
          if (status >= 200 && status < 300) deferred.resolve(body);
          else deferred.reject({ status, responseJSON: body, responseText: body === undefined ? '' : JSON.stringify(body) }, 'error', '');
        },
      });
      return deferred.promise();
    },
  };

  // The CRM mixes its methods into the widget; we do the same through the prototype and `new`.
  const Widget = createWidget({ backendUrl: BACKEND_URL, support: SUPPORT });
  Object.assign(Widget.prototype as object, hostMethods);
  const widget = new (Widget as unknown as new () => WidgetHost)();

  document.body.innerHTML =
    '<div class="modal awc_test"><div class="modal-body">' +
    '<div class="widget_settings_block"><div class="widget_settings_block__controls">' +
    '<button class="js-widget-save">Save</button></div></div></div></div>';
  const $modal = $('.modal.awc_test');
  return { widget, calls, setStatus, $modal, openSettings: () => void widget.callbacks.settings($modal) };
}

/** Lets the promise chains behind a reply run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** A locale's text as the widget shows it: `{support}` reads the build's contacts unless `vars` says otherwise. */
export function text(locale: Record<string, unknown>, key: string, vars: Record<string, string> = {}): string {
  const template = lookup(locale, key);
  if (typeof template !== 'string') throw new Error(`no text for ${key}`);
  const all: Record<string, string> = { support: supportText(SUPPORT), ...vars };
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => all[name] ?? whole);
}

/** The state the panel shows (`data-awc-state`), or undefined while it shows none. */
export const panelState = (): string | undefined => $('[data-awc-state]').attr('data-awc-state');

/** Opens the settings page of a fresh fake host and answers its first status request with `body`. */
export async function openSettingsWith(body: object, appOptions: FakeAppOptions = { isAdmin: true }): Promise<FakeHost> {
  installFakeApp(appOptions);
  const host = createFakeHost();
  host.openSettings();
  host.calls[0]!.reply(200, body);
  await flush();
  return host;
}

/** After each test: mocks, stubbed globals, `APP` and the page back as they were. */
export function resetWidgetPage(): void {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  removeFakeApp();
  document.head.innerHTML = '';
  document.body.innerHTML = '';
}

export const statusBody = {
  notConnected: { connected: false, scope_id: null, title: 'Website chat', webchat: null },
  connected: {
    connected: true,
    scope_id: 'scope-1',
    title: 'Website chat',
    webchat: { site_key: 'site-1', snippet: '<script src="https://chat.example.test/webchat/embed.js" data-site-key="site-1" async></script>' },
    state: 'connected',
    reason: null,
  },
  disconnected: { connected: false, scope_id: null, title: 'Website chat', webchat: null, state: 'disconnected', reason: null },
  error: { connected: false, scope_id: 'scope-1', title: 'Website chat', webchat: null, state: 'error', reason: 'The channel was switched off in the account.' },
} as const;
