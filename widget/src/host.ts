/**
 * The subset of the CRM's widget host that this widget uses (widget-and-oauth.md §3.3, §3.4).
 * The host is undocumented in places, so every member we merely read is optional and checked at runtime.
 */

/** Values the host keeps per widget; `get_settings()` and `params` return the same object. */
export interface WidgetParams {
  widget_code?: string;
  path?: string;
  version?: string;
  /** 'install' before the admin has installed the widget, then 'installed' or 'not_configured'. */
  status?: string;
  active?: string;
  [key: string]: unknown;
}

/** What the host lets `$authorizedAjax` return: a jqXHR, or any promise-like that settles the same way. */
export interface AjaxLike {
  then(onFulfilled: (body: unknown) => unknown, onRejected: (failure: unknown, ...rest: unknown[]) => unknown): unknown;
}

export interface AjaxOptions {
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  dataType: 'json';
  contentType?: string;
  data?: string;
  timeout?: number;
}

export type InstallStatus = 'install' | 'installed' | 'error';

/** The widget object: the host mixes these methods into what our constructor builds. */
export interface WidgetHost {
  callbacks: WidgetCallbacks;
  get_settings(): WidgetParams;
  /** Value at a dot path of the current locale's i18n file; strings for leaves. */
  i18n(key: string): unknown;
  /** Wraps `$.ajax` and adds `X-Auth-Token: <one-time JWT>` for the current user (§4). */
  $authorizedAjax(options: AjaxOptions): AjaxLike;
  set_status?(status: InstallStatus): void;
  system?(): { amouser_id?: number | string; area?: string; subdomain?: string } | undefined;
}

export interface WidgetCallbacks {
  render(): boolean;
  init(): boolean;
  bind_actions(): boolean;
  settings($modal: JQuery): boolean;
  onSave(event?: unknown): boolean;
  onAddAsSource?(pipelineId?: unknown): boolean;
  destroy(): void;
}

/** The global `APP` of the CRM page; only `constant()` is used. */
export interface AppGlobal {
  constant(name: string): unknown;
}

/** `APP` if the page has one; never throws, so the widget still renders on unusual pages. */
export function findApp(): AppGlobal | undefined {
  const app = (globalThis as { APP?: unknown }).APP;
  return app && typeof (app as AppGlobal).constant === 'function' ? (app as AppGlobal) : undefined;
}
