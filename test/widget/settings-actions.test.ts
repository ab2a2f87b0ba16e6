// @vitest-environment jsdom
/**
 * The settings page's buttons, failures and lifecycle against a fake host.
 */
import $ from 'jquery';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AMOJO_ID,
  BACKEND_URL,
  createFakeHost,
  flush,
  installFakeApp,
  loadLocale,
  openSettingsWith,
  panelState,
  resetWidgetPage,
  SUPPORT,
  statusBody,
  text,
} from './support/fake-host.js';
import type { WidgetHost } from '../../widget/src/host.js';
import { createTranslate } from '../../widget/src/i18n.js';
import { createWidget } from '../../widget/src/widget.js';

const en = loadLocale('en');
const click = (action: string) => $(`[data-awc-action="${action}"]`).trigger('click');

afterEach(resetWidgetPage);

describe('buttons', () => {
  it('New code asks first, then posts /widget/site-key/rotate and shows the new snippet', async () => {
    const host = await openSettingsWith(statusBody.connected);
    const confirm = vi.spyOn(window, 'confirm');
    click('rotate');
    expect($('[data-awc-confirm]').text()).toContain(text(en, 'panel.rotate_confirm'));
    click('cancel');
    expect($('[data-awc-confirm]')).toHaveLength(0);
    expect(host.calls).toHaveLength(1);
    click('rotate');
    click('rotate_confirmed');
    expect(confirm).not.toHaveBeenCalled();
    expect(host.calls[1]!.options).toMatchObject({ url: `${BACKEND_URL}/widget/site-key/rotate`, method: 'POST' });
    expect($('[data-awc-busy]').text()).toBe(text(en, 'busy.rotating'));
    const snippet = statusBody.connected.webchat.snippet.replace(statusBody.connected.webchat.site_key, 'sk_new');
    host.calls[1]!.reply(200, { ...statusBody.connected, webchat: { site_key: 'sk_new', snippet } });
    await flush();
    expect($('[data-awc-snippet]').val()).toBe(snippet);
  });

  it('offers no new code to a user who is not an admin', async () => {
    await openSettingsWith(statusBody.connected, { isAdmin: false });
    expect($('[data-awc-snippet]')).toHaveLength(1);
    expect($('[data-awc-action="rotate"]')).toHaveLength(0);
  });

  it('Connect posts the account amojo_id, shows progress, then Connected with the snippet', async () => {
    const host = await openSettingsWith(statusBody.notConnected);
    click('connect');
    expect(host.calls).toHaveLength(2);
    expect(host.calls[1]!.options).toMatchObject({ url: `${BACKEND_URL}/widget/connect`, method: 'POST', contentType: 'application/json' });
    expect(host.calls[1]!.body).toEqual({ amojo_id: AMOJO_ID });
    expect($('[data-awc-busy]').text()).toBe(text(en, 'busy.connecting'));
    expect($('[data-awc-action="connect"]').prop('disabled')).toBe(true);

    click('connect'); // disabled: no second request while one runs
    expect(host.calls).toHaveLength(2);

    host.calls[1]!.reply(200, statusBody.connected);
    await flush();
    expect(panelState()).toBe('connected');
    expect($('[data-awc-busy]')).toHaveLength(0);
    expect($('[data-awc-snippet]').val()).toBe(statusBody.connected.webchat.snippet);
    expect(host.setStatus).toHaveBeenCalledWith('installed');
  });

  it('Reconnect posts /widget/connect again', async () => {
    const host = await openSettingsWith(statusBody.connected);
    click('reconnect');
    expect(host.calls[1]!.options.url).toBe(`${BACKEND_URL}/widget/connect`);
    expect(host.calls[1]!.body).toEqual({ amojo_id: AMOJO_ID });
  });

  it('Disconnect posts /widget/disconnect and shows the new state', async () => {
    const host = await openSettingsWith(statusBody.connected);
    click('disconnect');
    expect(host.calls[1]!.options).toMatchObject({ url: `${BACKEND_URL}/widget/disconnect`, method: 'POST' });
    expect($('[data-awc-busy]').text()).toBe(text(en, 'busy.disconnecting'));
    host.calls[1]!.reply(200, statusBody.disconnected);
    await flush();
    expect(panelState()).toBe('disconnected');
    expect($('[data-awc-snippet]')).toHaveLength(0);
  });

  it('Connect without an amojo_id on the page explains and sends nothing', async () => {
    const host = await openSettingsWith(statusBody.notConnected, { isAdmin: true, amojoId: null });
    click('connect');
    expect(host.calls).toHaveLength(1);
    expect($('[data-awc-error]').text()).toBe(text(en, 'errors.no_amojo_id'));
  });

  it('Copy puts the snippet on the clipboard and says so', async () => {
    await openSettingsWith(statusBody.connected);
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    click('copy');
    await flush();
    expect(writeText).toHaveBeenCalledWith(statusBody.connected.webchat.snippet);
    expect($('[data-awc-copy]').text()).toBe(text(en, 'panel.copied'));
  });

  it('Copy falls back to selecting the text, and explains when even that fails', async () => {
    await openSettingsWith(statusBody.connected);
    vi.stubGlobal('navigator', { ...navigator, clipboard: undefined });
    const execCommand = vi.fn().mockReturnValue(true);
    (document as unknown as { execCommand: unknown }).execCommand = execCommand;
    click('copy');
    await flush();
    expect(execCommand).toHaveBeenCalledWith('copy');
    expect($('[data-awc-copy]').attr('data-awc-copy')).toBe('copied');

    execCommand.mockReturnValue(false);
    click('copy');
    await flush();
    expect($('[data-awc-copy]').text()).toBe(text(en, 'panel.copy_failed'));
  });
});

describe('failures are sentences an admin understands', () => {
  const cases: { name: string; status: number; body?: unknown; key: string; vars?: Record<string, string> }[] = [
    { name: 'backend unreachable', status: 0, key: 'errors.unreachable' },
    { name: 'gateway without our JSON', status: 502, key: 'errors.unreachable' },
    { name: 'expired token', status: 401, body: { error: 'invalid_token', message: 'Token expired' }, key: 'errors.session_expired' },
    { name: 'not an admin', status: 403, body: { error: 'not_admin', message: 'Admins only' }, key: 'errors.not_admin' },
    { name: 'forbidden', status: 403, body: { error: 'forbidden', message: 'No' }, key: 'errors.not_admin' },
    { name: 'account mismatch', status: 409, body: { error: 'amojo_id_mismatch', message: 'x' }, key: 'errors.account_mismatch' },
    { name: 'not installed', status: 412, body: { error: 'not_installed', message: 'x' }, key: 'errors.not_installed' },
    { name: 'not installed (older backend)', status: 409, body: { error: 'not_installed', message: 'x' }, key: 'errors.not_installed' },
    { name: 'tokens refused by amoCRM', status: 412, body: { error: 'reauthorization_required', message: 'x' }, key: 'errors.reinstall_required' },
    { name: 'amojo_id held by another account', status: 409, body: { error: 'amojo_id_in_use', message: 'x' }, key: 'errors.amojo_id_in_use' },
    { name: 'channel not approved', status: 502, body: { error: 'channel_not_approved', message: 'x' }, key: 'errors.channel_not_approved' },
    { name: 'upstream error', status: 502, body: { error: 'upstream_error', message: 'x' }, key: 'errors.upstream' },
    { name: 'rate limited', status: 429, body: { error: 'rate_limited', message: 'Slow down' }, key: 'errors.rate_limited' },
    {
      name: 'another 403, with the server sentence',
      status: 403,
      body: { error: 'origin_not_allowed', message: 'This origin may not call the widget API.' },
      key: 'errors.generic',
      vars: { message: 'This origin may not call the widget API.' },
    },
    {
      name: 'anything else, with the server sentence',
      status: 500,
      body: { error: 'internal', message: 'The database is not answering.' },
      key: 'errors.generic',
      vars: { message: 'The database is not answering.' },
    },
    { name: 'anything else, without a body', status: 418, key: 'errors.generic_no_message', vars: { status: '418' } },
    { name: 'a 200 that is not a status', status: 200, body: { hello: 'world' }, key: 'errors.bad_response' },
  ];

  for (const c of cases) {
    it(`on Connect: ${c.name}`, async () => {
      const host = await openSettingsWith(statusBody.notConnected);
      click('connect');
      host.calls[1]!.reply(c.status, c.body);
      await flush();
      expect($('[data-awc-error]').text()).toBe(text(en, c.key, c.vars));
      expect($('[data-awc-error]').attr('role')).toBe('alert');
      // The last known state and its buttons stay, so the admin can try again.
      expect(panelState()).toBe('not_connected');
      expect($('[data-awc-action="connect"]').prop('disabled')).toBe(false);
    });
  }

  it('a failed status load offers Try again, which asks again', async () => {
    installFakeApp({ isAdmin: false });
    const host = createFakeHost();
    host.openSettings();
    host.calls[0]!.reply(0);
    await flush();
    expect($('[data-awc-error]').text()).toBe(text(en, 'errors.unreachable'));
    expect($('[data-awc-action]').attr('data-awc-action')).toBe('retry');
    click('retry');
    expect(host.calls).toHaveLength(2);
    expect(host.calls[1]!.options.url).toBe(`${BACKEND_URL}/widget/status`);
    host.calls[1]!.reply(200, statusBody.connected);
    await flush();
    expect(panelState()).toBe('connected');
    expect($('[data-awc-error]')).toHaveLength(0);
  });

  it("an error that sends the admin to support names the build's support e-mail and link", async () => {
    const host = await openSettingsWith(statusBody.notConnected);
    click('connect');
    host.calls[1]!.reply(0);
    await flush();
    const shown = $('[data-awc-error]').text();
    expect(shown).toContain(SUPPORT.email);
    expect(shown).toContain(SUPPORT.url);
    expect(shown).not.toContain('{support}');
  });

  it('a build without contacts leaves no empty brackets in the error', () => {
    const t = createTranslate({ i18n: () => 'Contact support ({support}).' } as unknown as WidgetHost, { email: '', url: '' });
    expect(t('errors.unreachable')).toBe('Contact support.');
  });

  it('a new action clears the previous error', async () => {
    const host = await openSettingsWith(statusBody.notConnected);
    click('connect');
    host.calls[1]!.reply(0);
    await flush();
    click('connect');
    expect($('[data-awc-error]')).toHaveLength(0);
  });
});

describe('lifecycle', () => {
  it('mounts once however often settings renders, and ignores answers for the old panel', async () => {
    installFakeApp({ isAdmin: true });
    const host = createFakeHost();
    host.openSettings();
    host.openSettings();
    expect($('[data-awc-panel]')).toHaveLength(1);
    expect($('style[data-awc-style]')).toHaveLength(1);
    host.calls[0]!.reply(200, statusBody.connected); // answer meant for the first panel
    await flush();
    expect(panelState()).toBe('loading');
    host.calls[1]!.reply(200, statusBody.notConnected);
    await flush();
    expect($('[data-awc-panel]')).toHaveLength(1);
    expect(panelState()).toBe('not_connected');
    // The CRM's own controls are left alone.
    expect($('.js-widget-save')).toHaveLength(1);
  });

  it('a second widget instance on the same modal replaces the first panel', async () => {
    installFakeApp({ isAdmin: true });
    const first = createFakeHost();
    first.openSettings();
    const Widget = createWidget({ backendUrl: BACKEND_URL, support: SUPPORT });
    const second = Widget.call({
      get_settings: () => ({ status: 'installed' }),
      i18n: (key: string) => key,
      $authorizedAjax: () => $.Deferred().promise(),
    } as unknown as WidgetHost);
    second.callbacks.settings(first.$modal);
    expect($('[data-awc-panel]')).toHaveLength(1);
    expect(first.$modal.find('[data-awc-panel] .awc-title').text()).toBe('panel.title');
  });

  it('destroy removes the panel and its styles; late answers change nothing', async () => {
    installFakeApp({ isAdmin: true });
    const host = createFakeHost();
    host.openSettings();
    host.widget.callbacks.destroy();
    expect($('[data-awc-panel]')).toHaveLength(0);
    expect($('style[data-awc-style]')).toHaveLength(0);
    host.calls[0]!.reply(200, statusBody.connected);
    await flush();
    expect($('[data-awc-panel]')).toHaveLength(0);
    expect(host.setStatus).not.toHaveBeenCalled();
  });
});
