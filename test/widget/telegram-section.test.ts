// @vitest-environment jsdom
/**
 * The settings page's Telegram section against a fake host: the attached bot from the status answer,
 * pasting a token (POST /widget/telegram), the refusals as sentences, Disconnect (DELETE), admins only,
 * and the token never drawn back into the page.
 */
import $ from 'jquery';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_URL, createFakeHost, flush, installFakeApp, loadLocale, removeFakeApp, statusBody, text } from './support/fake-host.js';

const en = loadLocale('en');
const TOKEN = '7000000001:AAsandbox0bot0token0for0the0emulator';
const offTelegram = { ...statusBody.connected, telegram: null };
const noBot = { ...statusBody.connected, telegram: { connected: false, scope_id: null, bot_username: null } };
const withBot = { ...statusBody.connected, telegram: { connected: true, scope_id: 'tg-scope-1', bot_username: 'northwind_bikes_bot' } };

const section = () => $('[data-awc-telegram]');
const tokenField = () => $('[data-awc-telegram-token]');
const click = (action: string) => $(`[data-awc-action="${action}"]`).trigger('click');
const paste = (value: string) => tokenField().val(value).trigger('input');

async function open(body: object, isAdmin = true) {
  installFakeApp({ isAdmin });
  const host = createFakeHost();
  host.openSettings();
  host.calls[0]!.reply(200, body);
  await flush();
  return host;
}

afterEach(() => {
  removeFakeApp();
  document.head.innerHTML = '';
  document.body.innerHTML = '';
});

describe('Telegram section', () => {
  it('is absent when the server does not run Telegram', async () => {
    await open(offTelegram);
    expect(section()).toHaveLength(0);
    await open(statusBody.connected);
    expect(section()).toHaveLength(0);
  });

  it('pastes a token, connects with POST /widget/telegram, then shows the bot and never the token', async () => {
    const host = await open(noBot);
    expect(section().attr('data-awc-telegram')).toBe('not_connected');
    expect($('[data-awc-telegram-state]').text()).toBe(text(en, 'telegram.state_not_connected'));
    expect(tokenField().attr('type')).toBe('password');

    paste(`  ${TOKEN}\n`);
    click('telegram_connect');
    expect(host.calls).toHaveLength(2);
    expect(host.calls[1]!.options).toMatchObject({ url: `${BACKEND_URL}/widget/telegram`, method: 'POST', contentType: 'application/json' });
    expect(host.calls[1]!.body).toEqual({ bot_token: TOKEN });
    expect($('[data-awc-telegram] [data-awc-busy]').text()).toBe(text(en, 'busy.telegram_connecting'));
    expect(tokenField().val()).toBe('');
    expect(tokenField().prop('disabled')).toBe(true);

    host.calls[1]!.reply(200, withBot);
    await flush();
    expect(section().attr('data-awc-telegram')).toBe('connected');
    expect($('[data-awc-telegram-bot]').text()).toBe(text(en, 'telegram.bot', { username: 'northwind_bikes_bot' }));
    expect(tokenField()).toHaveLength(0);
    expect(document.body.innerHTML).not.toContain('AAsandbox0bot0token');
    // The website chat part is drawn from the same answer and stays as it was.
    expect($('[data-awc-snippet]').val()).toBe(statusBody.connected.webchat.snippet);
  });

  it('Enter in the token field connects too', async () => {
    const host = await open(noBot);
    paste(TOKEN);
    tokenField().trigger($.Event('keydown', { key: 'Enter' }));
    expect(host.calls[1]!.body).toEqual({ bot_token: TOKEN });
  });

  it('keeps what was typed across a redraw of the page', async () => {
    const host = await open(noBot);
    paste('7000000001:AApartly');
    click('pipelines'); // redraws the whole panel while it loads
    expect(host.calls).toHaveLength(3);
    expect(tokenField().val()).toBe('7000000001:AApartly');
  });

  it('refuses an empty or malformed token itself and sends nothing', async () => {
    const host = await open(noBot);
    click('telegram_connect');
    expect($('[data-awc-telegram] [data-awc-error]').text()).toBe(text(en, 'errors.telegram_token_missing'));
    paste('my-bot-password');
    click('telegram_connect');
    expect($('[data-awc-telegram] [data-awc-error]').text()).toBe(text(en, 'errors.telegram_token_malformed'));
    expect(tokenField().val()).toBe('');
    expect(host.calls).toHaveLength(1);
  });

  const refusals: { name: string; status: number; body?: unknown; key: string }[] = [
    { name: 'Telegram refuses the token', status: 400, body: { error: 'telegram_token_invalid', message: 'Unauthorized' }, key: 'errors.telegram_token_invalid' },
    { name: 'the token is not shaped like one', status: 400, body: { error: 'invalid_request', message: 'bot_token: invalid' }, key: 'errors.telegram_token_malformed' },
    { name: 'the bot serves another account', status: 409, body: { error: 'telegram_bot_in_use', message: 'x' }, key: 'errors.telegram_bot_in_use' },
    { name: 'a server without Telegram', status: 404, body: { error: 'not_found', message: 'x' }, key: 'errors.telegram_unavailable' },
    { name: 'not an admin', status: 403, body: { error: 'not_admin', message: 'x' }, key: 'errors.not_admin' },
    { name: 'the integration is not installed', status: 412, body: { error: 'not_installed', message: 'x' }, key: 'errors.not_installed' },
    { name: 'Telegram cannot be reached', status: 502, body: { error: 'upstream_error', message: 'x' }, key: 'errors.upstream' },
    { name: 'no answer', status: 0, key: 'errors.unreachable' },
  ];
  for (const r of refusals) {
    it(`says so when ${r.name}, and lets the admin paste again`, async () => {
      const host = await open(noBot);
      paste(TOKEN);
      click('telegram_connect');
      host.calls[1]!.reply(r.status, r.body);
      await flush();
      const error = $('[data-awc-telegram] [data-awc-error]');
      expect(error.text()).toBe(text(en, r.key));
      expect(error.attr('role')).toBe('alert');
      expect(section().attr('data-awc-telegram')).toBe('not_connected');
      expect(tokenField().prop('disabled')).toBe(false);
      expect(tokenField().val()).toBe('');
      // The website chat's own state line is not taken over by a Telegram failure.
      expect($('.awc-panel > [data-awc-error]')).toHaveLength(0);
    });
  }

  it('asks before Disconnect, then sends DELETE /widget/telegram', async () => {
    const host = await open(withBot);
    click('telegram_disconnect');
    expect($('[data-awc-confirm=telegram]').text()).toContain(text(en, 'telegram.disconnect_confirm'));
    click('telegram_cancel');
    expect($('[data-awc-confirm=telegram]')).toHaveLength(0);
    expect(host.calls).toHaveLength(1);

    click('telegram_disconnect');
    click('telegram_disconnect_confirmed');
    expect(host.calls[1]!.options).toMatchObject({ url: `${BACKEND_URL}/widget/telegram`, method: 'DELETE' });
    expect(host.calls[1]!.body).toBeUndefined();
    expect($('[data-awc-telegram] [data-awc-busy]').text()).toBe(text(en, 'busy.telegram_disconnecting'));
    host.calls[1]!.reply(200, noBot);
    await flush();
    expect(section().attr('data-awc-telegram')).toBe('not_connected');
    expect(tokenField()).toHaveLength(1);
  });

  it('shows a manager who is not an admin the bot, with no field and no buttons', async () => {
    await open(withBot, false);
    expect($('[data-awc-telegram-bot]').attr('data-awc-telegram-bot')).toBe('northwind_bikes_bot');
    expect($('[data-awc-telegram] [data-awc-action]')).toHaveLength(0);
    expect($('[data-awc-note=telegram]').text()).toBe(text(en, 'telegram.admins_only'));
    await open(noBot, false);
    expect(tokenField()).toHaveLength(0);
  });

  it('offers the Telegram pipeline when only the bot is connected', async () => {
    const host = await open({ ...statusBody.notConnected, telegram: withBot.telegram });
    click('pipelines');
    host.calls[1]!.reply(200, { webchat: {}, pipeline_id: { webchat: null, telegram: 12 } });
    host.calls[2]!.reply(200, { pipelines: [{ id: 11, name: 'Sales' }, { id: 12, name: 'Support' }] });
    await flush();
    expect($('[data-awc-pipeline="telegram"]').val()).toBe('12');
    $('[data-awc-pipeline="telegram"]').val('11').trigger('change');
    expect(host.calls[3]!.body).toEqual({ pipeline_id: { telegram: 11 } });
  });
});
