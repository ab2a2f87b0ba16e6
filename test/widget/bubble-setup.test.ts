// @vitest-environment jsdom
/**
 * The settings page's website-chat part against a fake host: the form shows the saved settings, a
 * save sends the whole `webchat` object, the backend's refusal is shown as its sentence, the identity
 * secret is an admin's only (and can be made anew), and deleting a visitor's data asks first and says
 * what the CRM keeps.
 */
import $ from 'jquery';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_URL, createFakeHost, flush, installFakeApp, loadLocale, removeFakeApp, statusBody, text } from './support/fake-host.js';

const en = loadLocale('en');
const SECRET = 'c'.repeat(64);
const SAVED = {
  color: '#1e3a8a',
  position: 'left',
  title: 'Ask Shop',
  greeting: null,
  away_message: 'Back at nine',
  language: 'es',
  hours: { timezone: 'Europe/Madrid', days: { mon: [['09:00', '18:00']], sat: [] } },
  prechat: { name: 'required', phone: 'off', email: 'optional' },
  consent: { required: true, url: 'https://shop.example/privacy' },
  store_before_open: false,
};

async function openSetup(isAdmin: boolean, webchat: Record<string, unknown> = SAVED) {
  installFakeApp({ isAdmin });
  const host = createFakeHost();
  host.openSettings();
  host.calls[0]!.reply(200, statusBody.connected);
  await flush();
  $('[data-awc-bubble-action="load"]').trigger('click');
  const load = host.calls.at(-1)!;
  expect(`${load.options.method} ${load.options.url}`).toBe(`GET ${BACKEND_URL}/widget/settings`);
  load.reply(200, { webchat, pipeline_id: { webchat: null, telegram: null }, ...(isAdmin ? { identity_secret: SECRET } : {}) });
  await flush();
  return host;
}

const field = (id: string) => $(`[data-awc-field="${id}"]`);

afterEach(() => {
  removeFakeApp();
  document.head.innerHTML = '';
  document.body.innerHTML = '';
});

describe('website chat settings', () => {
  it('shows the saved settings, labelled, and saves the whole object with PUT /widget/settings', async () => {
    const host = await openSetup(true);
    expect(field('color').val()).toBe('#1e3a8a');
    expect(field('position').val()).toBe('left');
    expect(field('title').val()).toBe('Ask Shop');
    expect(field('language').val()).toBe('es');
    expect(field('prechat_name').val()).toBe('required');
    expect(field('timezone').val()).toBe('Europe/Madrid');
    expect($('[data-awc-day="mon"]').prop('checked')).toBe(true);
    expect($('[data-awc-day="tue"]').prop('checked')).toBe(false);
    expect(field('consent_url').val()).toBe('https://shop.example/privacy');
    // Every field has a visible label.
    $('[data-awc-field]').each((_, el) => void expect($(`label[for="${el.id}"]`).text().trim()).not.toBe(''));
    expect($('[data-awc-bubble]').text()).toContain(text(en, 'bubble.color_hint'));

    field('greeting').val('Hola');
    field('title').val('');
    $('[data-awc-day="tue"]').prop('checked', true);
    $('[data-awc-ranges="tue"] [data-awc-edge="to"]').val('17:00');
    field('prechat_phone').val('required');
    $('[data-awc-bubble-action="save"]').trigger('click');
    const save = host.calls.at(-1)!;
    expect(save.options).toMatchObject({ url: `${BACKEND_URL}/widget/settings`, method: 'PUT' });
    expect(save.body).toEqual({
      webchat: {
        ...SAVED,
        title: null,
        greeting: 'Hola',
        prechat: { name: 'required', phone: 'required', email: 'optional' },
        hours: { timezone: 'Europe/Madrid', days: { mon: [['09:00', '18:00']], tue: [['09:00', '17:00']], wed: [], thu: [], fri: [], sat: [], sun: [] } },
      },
    });
    expect($('[data-awc-result="save"]').text()).toBe(text(en, 'bubble.saving'));
    save.reply(200, { webchat: { ...SAVED, greeting: 'Hola' }, pipeline_id: { webchat: null, telegram: null }, identity_secret: SECRET });
    await flush();
    expect($('[data-awc-result="save"]').text()).toBe(text(en, 'bubble.saved'));
    expect(field('greeting').val()).toBe('Hola');
  });

  it('keeps what the admin typed and shows the backend\'s sentence when a colour is refused', async () => {
    const host = await openSetup(true);
    field('color').val('#7dd3fc');
    $('[data-awc-bubble-action="save"]').trigger('click');
    host.calls.at(-1)!.reply(400, { error: 'invalid_request', message: 'webchat.color: white text on #7dd3fc has a contrast of 1.80:1, below the 4.5:1 that WCAG AA asks for; choose a darker colour' });
    await flush();
    expect($('[data-awc-result="save"]').attr('role')).toBe('alert');
    expect($('[data-awc-result="save"]').text()).toContain('choose a darker colour');
    expect(field('color').val()).toBe('#7dd3fc');
  });

  it('edits up to four ranges of hours a day: adds, removes, saves them all', async () => {
    const split = { ...SAVED, hours: { timezone: 'Europe/Madrid', days: { mon: [['09:00', '13:00'], ['14:00', '18:00']] } } };
    const host = await openSetup(true, split);
    const ranges = (d: string) => $(`[data-awc-ranges="${d}"] [data-awc-range]`);
    const edges = (d: string) => ranges(d).toArray().map((el) => `${String($(el).find('[data-awc-edge="from"]').val())}–${String($(el).find('[data-awc-edge="to"]').val())}`);
    const addButton = (d: string) => $(`[data-awc-day-row="${d}"] [data-awc-bubble-action="add_range"]`);
    expect(edges('mon')).toEqual(['09:00–13:00', '14:00–18:00']);
    // Every time field says which day and which end it is.
    expect(ranges('mon').find('input').toArray().map((el) => el.getAttribute('aria-label'))).toEqual([`${text(en, 'days.mon')} ${text(en, 'bubble.from')}`, `${text(en, 'days.mon')} ${text(en, 'bubble.to')}`, `${text(en, 'days.mon')} ${text(en, 'bubble.from')}`, `${text(en, 'days.mon')} ${text(en, 'bubble.to')}`]);
    // A day with one range cannot lose it (switching the day off closes it).
    expect(ranges('tue').find('[data-awc-bubble-action="remove_range"]').css('display')).toBe('none');

    addButton('mon').trigger('click');
    ranges('mon').last().find('[data-awc-edge="to"]').val('20:00');
    addButton('mon').trigger('click');
    ranges('mon').last().find('[data-awc-edge="from"]').val('21:00');
    ranges('mon').last().find('[data-awc-edge="to"]').val('23:00');
    expect(edges('mon')).toEqual(['09:00–13:00', '14:00–18:00', '18:00–20:00', '21:00–23:00']);
    expect(addButton('mon').css('display')).toBe('none'); // four is the most the backend takes
    ranges('mon').eq(1).find('[data-awc-bubble-action="remove_range"]').trigger('click');
    expect(edges('mon')).toEqual(['09:00–13:00', '18:00–20:00', '21:00–23:00']);
    expect(addButton('mon').css('display')).not.toBe('none');

    $('[data-awc-bubble-action="save"]').trigger('click');
    const save = host.calls.at(-1)!;
    expect(`${save.options.method} ${save.options.url}`).toBe(`PUT ${BACKEND_URL}/widget/settings`);
    expect((save.body as { webchat: { hours: { days: Record<string, unknown> } } }).webchat.hours.days.mon).toEqual([['09:00', '13:00'], ['18:00', '20:00'], ['21:00', '23:00']]);
  });

  it('refuses ranges that overlap, end before they start or lack a time, with a sentence, and sends nothing', async () => {
    const host = await openSetup(true);
    const calls = host.calls.length;
    const mon = (i: number, edge: string) => $('[data-awc-ranges="mon"] [data-awc-range]').eq(i).find(`[data-awc-edge="${edge}"]`);
    const save = () => {
      $('[data-awc-bubble-action="save"]').trigger('click');
      return $('[data-awc-result="save"]');
    };
    $('[data-awc-day-row="mon"] [data-awc-bubble-action="add_range"]').trigger('click');
    mon(1, 'from').val('17:00');
    mon(1, 'to').val('19:00');
    expect(save().text()).toBe(text(en, 'bubble.range_overlap', { day: text(en, 'days.mon'), first: '09:00–18:00', second: '17:00–19:00' }));
    expect(save().attr('role')).toBe('alert');
    mon(1, 'from').val('19:00');
    mon(1, 'to').val('18:30');
    expect(save().text()).toBe(text(en, 'bubble.range_order', { day: text(en, 'days.mon'), range: '19:00–18:30' }));
    mon(1, 'to').val('');
    expect(save().text()).toBe(text(en, 'bubble.range_incomplete', { day: text(en, 'days.mon') }));
    expect(host.calls).toHaveLength(calls);
    // Ranges that meet do not overlap: the end is not included.
    mon(1, 'from').val('18:00');
    mon(1, 'to').val('20:00');
    save();
    expect(host.calls).toHaveLength(calls + 1);
    expect((host.calls.at(-1)!.body as { webchat: { hours: { days: Record<string, unknown> } } }).webchat.hours.days.mon).toEqual([['09:00', '18:00'], ['18:00', '20:00']]);
  });

  it('sends "always open" when working hours are switched off', async () => {
    const host = await openSetup(true);
    field('hours_on').prop('checked', false);
    $('[data-awc-bubble-action="save"]').trigger('click');
    expect((host.calls.at(-1)!.body as { webchat: { hours: unknown } }).webchat.hours).toBeNull();
  });

  it('shows the identity secret to admins and makes a new one after asking', async () => {
    const host = await openSetup(true);
    expect(field('identity_secret').val()).toBe(SECRET);
    const calls = host.calls.length;
    $('[data-awc-bubble-action="rotate_secret"]').trigger('click');
    expect(host.calls).toHaveLength(calls);
    expect($('[data-awc-confirm="rotate_secret"]').text()).toContain(text(en, 'identity.rotate_confirm'));
    $('[data-awc-bubble-action="rotate_secret_confirmed"]').trigger('click');
    const rotate = host.calls.at(-1)!;
    expect(`${rotate.options.method} ${rotate.options.url}`).toBe(`POST ${BACKEND_URL}/widget/identity-secret/rotate`);
    rotate.reply(200, { webchat: SAVED, pipeline_id: { webchat: null, telegram: null }, identity_secret: 'd'.repeat(64) });
    await flush();
    expect(field('identity_secret').val()).toBe('d'.repeat(64));
    expect($('[data-awc-result="identity"]').text()).toBe(text(en, 'identity.rotated'));
  });

  it('deletes a visitor\'s data after asking, and says what the CRM keeps', async () => {
    const host = await openSetup(true);
    expect($('[data-awc-erase]').text()).toContain(text(en, 'erase.hint'));
    $('[data-awc-bubble-action="erase"]').trigger('click');
    expect($('[data-awc-result="erase"]').text()).toBe(text(en, 'erase.empty'));
    field('erase_by').val('phone');
    field('erase_value').val(' +7 900 123-45-67 ');
    const calls = host.calls.length;
    $('[data-awc-bubble-action="erase"]').trigger('click');
    expect(host.calls).toHaveLength(calls);
    $('[data-awc-bubble-action="erase_confirmed"]').trigger('click');
    const erase = host.calls.at(-1)!;
    expect(erase.options).toMatchObject({ url: `${BACKEND_URL}/widget/visitor-data/delete`, method: 'POST' });
    expect(erase.body).toEqual({ phone: '+7 900 123-45-67' });
    erase.reply(200, { deleted: { conversations: 1, messages: 5, files: 2 } });
    await flush();
    expect($('[data-awc-result="erase"]').text()).toBe(text(en, 'erase.done', { conversations: '1', messages: '5', files: '2' }));
    expect($('[data-awc-confirm]')).toHaveLength(0);
  });

  it('shows managers the settings without letting them change anything, and no secret', async () => {
    await openSetup(false);
    expect(field('color').prop('disabled')).toBe(true);
    expect($('[data-awc-bubble-action="save"]')).toHaveLength(0);
    expect($('[data-awc-identity]')).toHaveLength(0);
    expect($('[data-awc-erase]')).toHaveLength(0);
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  it('survives the rest of the page redrawing (copying the snippet) with what was typed', async () => {
    await openSetup(true);
    field('greeting').val('typed, not saved');
    $('[data-awc-action="copy"]').trigger('click');
    await flush();
    expect(field('greeting').val()).toBe('typed, not saved');
  });
});
