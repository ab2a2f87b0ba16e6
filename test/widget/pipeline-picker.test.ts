// @vitest-environment jsdom
/** The settings page's pipeline picker against a fake host: loading, choosing, saying "new chats only", rights. */
import $ from 'jquery';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_URL, createFakeHost, flush, installFakeApp, loadLocale, removeFakeApp, statusBody, text } from './support/fake-host.js';

const en = loadLocale('en');
const PIPELINES = { pipelines: [{ id: 11, name: 'Sales', is_main: true }, { id: 12, name: 'Support', is_main: false }] };

async function openPicker(isAdmin: boolean, status: object = statusBody.connected) {
  installFakeApp({ isAdmin });
  const host = createFakeHost();
  host.openSettings();
  host.calls[0]!.reply(200, status);
  await flush();
  $('[data-awc-action="pipelines"]').trigger('click');
  expect(host.calls.slice(1).map((c) => `${c.options.method} ${c.options.url}`)).toEqual([`GET ${BACKEND_URL}/widget/settings`, `GET ${BACKEND_URL}/widget/pipelines`]);
  host.calls[1]!.reply(200, { webchat: {}, pipeline_id: { webchat: null, telegram: null } });
  host.calls[2]!.reply(200, PIPELINES);
  await flush();
  return host;
}

afterEach(() => {
  removeFakeApp();
  document.head.innerHTML = '';
  document.body.innerHTML = '';
});

describe('pipeline picker', () => {
  it('says that a change applies to new chats only', async () => {
    installFakeApp({ isAdmin: true });
    const host = createFakeHost();
    host.openSettings();
    host.calls[0]!.reply(200, statusBody.connected);
    await flush();
    expect($('[data-awc-routing]').text()).toContain(text(en, 'routing.new_chats_only'));
  });

  it('lists the pipelines and saves the admin\'s choice with PUT /widget/settings', async () => {
    const host = await openPicker(true);
    const select = $('[data-awc-pipeline="webchat"]');
    expect(select.find('option').map((_, o) => $(o).text()).get()).toEqual([text(en, 'routing.default_pipeline'), 'Sales', 'Support']);
    expect($('[data-awc-pipeline="telegram"]')).toHaveLength(0);
    select.val('12').trigger('change');
    expect(host.calls[3]!.options).toMatchObject({ url: `${BACKEND_URL}/widget/settings`, method: 'PUT', contentType: 'application/json' });
    expect(host.calls[3]!.body).toEqual({ pipeline_id: { webchat: 12 } });
    host.calls[3]!.reply(200, { webchat: {}, pipeline_id: { webchat: 12, telegram: null } });
    await flush();
    expect($('[data-awc-pipeline="webchat"]').val()).toBe('12');
    expect($('[data-awc-routing-saved]').text()).toBe(text(en, 'routing.saved'));
  });

  it('shows the backend\'s refusal as a sentence and keeps the old choice', async () => {
    const host = await openPicker(true);
    $('[data-awc-pipeline="webchat"]').val('11').trigger('change');
    host.calls[3]!.reply(400, { error: 'invalid_request', message: 'pipeline_id.webchat: the account has no pipeline 11' });
    await flush();
    expect($('[data-awc-routing] [data-awc-error]').text()).toContain('the account has no pipeline 11');
    expect($('[data-awc-pipeline="webchat"]').val()).toBe('');
  });

  it('offers Telegram when the server runs it, and shows managers the choice without letting them change it', async () => {
    await openPicker(false, { ...statusBody.connected, telegram: { connected: true, scope_id: 's', bot_username: 'bot' } });
    expect($('[data-awc-pipeline="telegram"]')).toHaveLength(1);
    expect($('[data-awc-pipeline="webchat"]').prop('disabled')).toBe(true);
  });
});
