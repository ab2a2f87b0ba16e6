// @vitest-environment jsdom
/**
 * The settings page against a fake host: each state, each button, each error sentence.
 */
import $ from 'jquery';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWidget } from '../../widget/src/widget.js';
import type { WidgetHost } from '../../widget/src/host.js';
import {
  BACKEND_URL,
  createFakeHost,
  flush,
  installFakeApp,
  loadLocale,
  openSettingsWith,
  panelState,
  removeFakeApp,
  resetWidgetPage,
  SUPPORT,
  statusBody,
  text,
} from './support/fake-host.js';

const en = loadLocale('en');
const actions = () => $('[data-awc-action]').map((_, el) => $(el).attr('data-awc-action')).get();
const errorText = () => $('[data-awc-error]').text();

beforeEach(() => {
  vi.spyOn($, 'ajax').mockImplementation(() => {
    throw new Error('the widget must call the backend through $authorizedAjax only');
  });
});
afterEach(resetWidgetPage);

describe('widget constructor', () => {
  it('is a plain function whose lifecycle callbacks return true', () => {
    const Widget = createWidget({ backendUrl: BACKEND_URL, support: SUPPORT });
    const self = { get_settings: () => ({}), i18n: (k: string) => k, $authorizedAjax: vi.fn() } as unknown as WidgetHost;
    expect(Widget.call(self)).toBe(self);
    expect(self.callbacks.render()).toBe(true);
    expect(self.callbacks.init()).toBe(true);
    expect(self.callbacks.bind_actions()).toBe(true);
    expect(self.callbacks.onSave({ active: 'Y', fields: {} })).toBe(true);
  });
});

describe('connection state', () => {
  it('asks /widget/status through $authorizedAjax and shows "checking" meanwhile', () => {
    installFakeApp({ isAdmin: true });
    const host = createFakeHost();
    host.openSettings();
    expect(host.calls).toHaveLength(1);
    expect(host.calls[0]!.options).toMatchObject({ url: `${BACKEND_URL}/widget/status`, method: 'GET', dataType: 'json' });
    expect(panelState()).toBe('loading');
    expect($('.awc-state').text()).toBe(text(en, 'panel.loading'));
  });

  it('shows "not connected" with Connect when the backend sends no state field', async () => {
    await openSettingsWith(statusBody.notConnected);
    expect(panelState()).toBe('not_connected');
    expect($('[data-awc-state]').text()).toBe(text(en, 'state.not_connected'));
    expect($('[data-awc-hint]').text()).toBe(text(en, 'hint.not_connected'));
    expect(actions()).toEqual(['connect']);
    expect($('[data-awc-snippet]')).toHaveLength(0);
  });

  it('shows "connected", the snippet, a copy button and where to paste it', async () => {
    const host = await openSettingsWith(statusBody.connected);
    expect(panelState()).toBe('connected');
    expect($('.awc-detail').text()).toBe(text(en, 'panel.channel', { title: 'Website chat' }));
    expect(actions()).toEqual(['reconnect', 'disconnect', 'copy', 'rotate', 'pipelines']);
    expect($('[data-awc-snippet]').val()).toBe(statusBody.connected.webchat.snippet);
    expect($('.awc-snippet__hint').text()).toBe(text(en, 'panel.snippet_hint'));
    expect(host.setStatus).toHaveBeenCalledWith('installed');
  });

  it('derives "connected" from connected:true when state is absent', async () => {
    const { state: _s, reason: _r, ...legacy } = statusBody.connected;
    await openSettingsWith(legacy);
    expect(panelState()).toBe('connected');
  });

  it('shows "disconnected" with Reconnect', async () => {
    await openSettingsWith(statusBody.disconnected);
    expect(panelState()).toBe('disconnected');
    expect(actions()).toEqual(['reconnect']);
  });

  it('shows an error state with its reason in words, as text', async () => {
    const host = await openSettingsWith({ ...statusBody.error, reason: '<img src=x onerror="window.hacked=1">Switched off' });
    expect(panelState()).toBe('error');
    expect($('[data-awc-hint]').text()).toBe('<img src=x onerror="window.hacked=1">Switched off');
    expect($('.awc-panel img')).toHaveLength(0);
    expect(actions()).toEqual(['reconnect', 'disconnect']);
    expect(host.setStatus).toHaveBeenCalledWith('error');
  });

  it('explains an error state that comes without a reason', async () => {
    await openSettingsWith({ ...statusBody.error, reason: null, scope_id: null });
    expect($('[data-awc-hint]').text()).toBe(text(en, 'hint.error_no_reason'));
    expect(actions()).toEqual(['reconnect']);
  });

  it('asks to install first, without calling the backend, before installation', () => {
    installFakeApp({ isAdmin: true });
    const host = createFakeHost({ params: { status: 'install' } });
    host.openSettings();
    expect(host.calls).toHaveLength(0);
    expect(panelState()).toBe('install_first');
    expect($('.awc-panel').text()).toContain(text(en, 'panel.install_first'));
  });

  it('speaks Russian when the CRM runs in Russian', async () => {
    installFakeApp({ isAdmin: true });
    const host = createFakeHost({ locale: 'ru' });
    host.openSettings();
    host.calls[0]!.reply(200, statusBody.connected);
    await flush();
    const ru = loadLocale('ru');
    expect($('[data-awc-state]').text()).toBe(text(ru, 'state.connected'));
    expect($('[data-awc-action="disconnect"]').text()).toBe(text(ru, 'buttons.disconnect'));
  });
});

describe('admin rights', () => {
  it('hides the buttons from non-admins (user_rights) and says why', async () => {
    await openSettingsWith(statusBody.connected, { isAdmin: false });
    expect(actions()).toEqual(['copy', 'pipelines']);
    expect($('[data-awc-note]').text()).toBe(text(en, 'panel.admins_only'));
  });

  it('reads managers[userId].is_admin when user_rights is absent', async () => {
    await openSettingsWith(statusBody.notConnected, { managerIsAdmin: 'N' });
    expect(actions()).toEqual([]);
    removeFakeApp();
    await openSettingsWith(statusBody.notConnected, { managerIsAdmin: 'Y' });
    expect(actions()).toEqual(['connect']);
  });

  it('shows the buttons when the page says nothing (the backend still enforces admin)', async () => {
    await openSettingsWith(statusBody.notConnected, {});
    expect(actions()).toEqual(['connect']);
  });
});
