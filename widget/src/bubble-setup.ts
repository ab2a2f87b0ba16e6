/**
 * The "website chat" part of the settings page: the bubble's look and behaviour (colour, side, texts,
 * language, contact form, working hours, consent, storage before opening), the identity secret of
 * signed-in visitors, and deleting a visitor's data. It owns its own element, drawn when loaded and
 * after each answer, so what the admin is typing survives the rest of the page redrawing. All text
 * goes in with `.text()`/`.val()`, never as HTML.
 */
import $ from 'jquery';
import { BackendError, type BubbleSetup, type ErasedVisitor, type VisitorKey, type WidgetApi } from './api.js';
import type { Translate } from './i18n.js';
import { describeFailure, type Message, type MessageKey } from './messages.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const MODES = ['off', 'optional', 'required'] as const;
const FIELDS = ['name', 'phone', 'email'] as const;
/** Languages by their own names: an admin looks for the visitors' language, not a translation of it. */
const LANGUAGES: [string, string][] = [['ru', 'Русский'], ['en', 'English'], ['es', 'Español'], ['pt', 'Português']];
const ERASE_KEYS = ['email', 'phone', 'user_id'] as const;
/** Ranges of working hours per day, as many as the backend takes. */
const MAX_RANGES = 4;

type Phase = 'closed' | 'loading' | 'ready' | 'failed';

export interface BubbleSetupView {
  readonly root: JQuery;
  destroy(): void;
}

function failure(error: unknown): Message {
  return describeFailure(error instanceof BackendError ? error : new BackendError(0, null, null));
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

export function mountBubbleSetup(container: JQuery, api: WidgetApi, t: Translate, isAdmin: boolean): BubbleSetupView {
  const root = $('<div class="awc-bubble" data-awc-bubble></div>');
  container.append(root);
  let alive = true;
  let phase: Phase = 'closed';
  let setup: BubbleSetup | null = null;

  const line = (className: string, key: MessageKey, vars?: Record<string, string>) => $('<div></div>').addClass(className).text(t(key, vars));
  const button = (action: string, key: MessageKey) => $('<button type="button"></button>').addClass('button-input awc-button').attr('data-awc-bubble-action', action).text(t(key));
  const say = (where: string, text: string, isError: boolean) =>
    root.find(`[data-awc-result="${where}"]`).text(text).attr('role', isError ? 'alert' : 'status').toggleClass('awc-error', isError);

  function field(id: string, key: MessageKey, input: JQuery, hint?: MessageKey): JQuery {
    input.attr('id', `awc-b-${id}`).attr('data-awc-field', id).prop('disabled', !isAdmin);
    const row = $('<div class="awc-field"></div>').append($('<label></label>').attr('for', `awc-b-${id}`).text(t(key)), input);
    if (hint) row.append(line('awc-note', hint));
    return row;
  }
  const select = (options: [string, string][], value: string) => {
    const s = $('<select></select>');
    for (const [v, label] of options) s.append($('<option></option>').attr('value', v).text(label));
    return s.val(value);
  };
  const text = (value: unknown, max: number) => $('<input type="text">').attr('maxlength', max).val(str(value));
  const check = (on: boolean) => $('<input type="checkbox">').prop('checked', on);

  function form(w: Record<string, unknown>): JQuery {
    const box = $('<form class="awc-bubble__form" data-awc-bubble-form novalidate></form>');
    box.append(field('color', 'bubble.color', $('<input type="color">').val(str(w.color) || '#2563eb'), 'bubble.color_hint'));
    box.append(field('position', 'bubble.position', select([['right', t('bubble.position_right')], ['left', t('bubble.position_left')]], str(w.position) || 'right')));
    box.append(field('title', 'bubble.title_field', text(w.title, 60), 'bubble.default_text_hint'));
    box.append(field('greeting', 'bubble.greeting', text(w.greeting, 500)));
    box.append(field('away_message', 'bubble.away_message', text(w.away_message, 500)));
    box.append(field('language', 'bubble.language', select([['auto', t('bubble.language_auto')], ...LANGUAGES], str(w.language) || 'auto')));

    const prechat = obj(w.prechat);
    const modes: [string, string][] = MODES.map((m) => [m, t(`bubble.mode_${m}`)]);
    const contact = $('<fieldset class="awc-fieldset"></fieldset>').append($('<legend></legend>').text(t('bubble.prechat')));
    for (const f of FIELDS) contact.append(field(`prechat_${f}`, `bubble.field_${f}`, select(modes, str(prechat[f]) || 'optional')));
    box.append(contact);

    const hours = w.hours ? obj(w.hours) : null;
    const days = obj(hours?.days);
    const zone = str(hours?.timezone) || Intl.DateTimeFormat().resolvedOptions().timeZone;
    const week = $('<fieldset class="awc-fieldset"></fieldset>').append($('<legend></legend>').text(t('bubble.hours')), line('awc-note', 'bubble.hours_hint'));
    week.append(field('hours_on', 'bubble.hours_on', check(hours !== null)));
    week.append(field('timezone', 'bubble.timezone', text(zone, 64)));
    for (const d of DAYS) week.append(dayRow(d, Array.isArray(days[d]) ? (days[d] as unknown[]).filter((r): r is string[] => Array.isArray(r)) : []));
    box.append(week);

    const consent = obj(w.consent);
    const privacy = $('<fieldset class="awc-fieldset"></fieldset>').append($('<legend></legend>').text(t('bubble.privacy')));
    privacy.append(field('consent_required', 'bubble.consent', check(consent.required === true)));
    privacy.append(field('consent_url', 'bubble.consent_url', $('<input type="url">').attr('maxlength', 2000).val(str(consent.url))));
    privacy.append(field('store_before_open', 'bubble.store_before_open', check(w.store_before_open === true), 'bubble.store_before_open_hint'));
    box.append(privacy);

    if (isAdmin) box.append($('<div class="awc-actions"></div>').append(button('save', 'buttons.save'), $('<span data-awc-result="save"></span>')));
    return box;
  }

  /** A weekday: on or off, and up to MAX_RANGES ranges of hours the admin adds and removes. */
  function dayRow(d: (typeof DAYS)[number], saved: string[][]): JQuery {
    const on = check(saved.length > 0).attr({ id: `awc-b-day-${d}`, 'data-awc-day': d }).prop('disabled', !isAdmin);
    const ranges = $('<div class="awc-ranges"></div>').attr('data-awc-ranges', d);
    const add = button('add_range', 'bubble.add_range').attr('data-awc-for', d).prop('disabled', !isAdmin);
    const refresh = () => {
      const count = ranges.children().length;
      add.toggle(count < MAX_RANGES);
      // The last range of a day is not removed: switching the day off says "closed".
      ranges.find('[data-awc-bubble-action="remove_range"]').toggle(count > 1);
    };
    const range = (from: string, to: string) => {
      const time = (v: string, edge: 'from' | 'to') =>
        $('<input type="time">').attr({ 'data-awc-edge': edge, 'aria-label': `${t(`days.${d}`)} ${t(edge === 'from' ? 'bubble.from' : 'bubble.to')}` }).val(v).prop('disabled', !isAdmin);
      const remove = button('remove_range', 'bubble.remove_range').attr('aria-label', `${t('bubble.remove_range')}: ${t(`days.${d}`)}`);
      return $('<div class="awc-range" data-awc-range></div>').append(time(from, 'from'), time(to, 'to'), isAdmin ? remove : []);
    };
    for (const [from, to] of saved.length > 0 ? saved.slice(0, MAX_RANGES) : [['09:00', '18:00']]) ranges.append(range(str(from), str(to)));
    const row = $('<div class="awc-day"></div>').attr('data-awc-day-row', d);
    row.append(on, $('<label></label>').attr('for', `awc-b-day-${d}`).text(t(`days.${d}`)), ranges, isAdmin ? add : []);
    // Handlers on the row, so each day keeps its own count without a lookup by id.
    row.on('click', '[data-awc-bubble-action="add_range"]', (e) => {
      e.stopPropagation();
      const last = ranges.find('[data-awc-edge="to"]').last().val();
      ranges.append(range(String(last ?? '') || '09:00', ''));
      refresh();
      ranges.find('[data-awc-edge="from"]').last().trigger('focus');
    });
    row.on('click', '[data-awc-bubble-action="remove_range"]', (e) => {
      e.stopPropagation();
      $(e.currentTarget).closest('[data-awc-range]').remove();
      refresh();
      add.trigger('focus');
    });
    refresh();
    return row;
  }

  /** The ranges of the days switched on, or the first problem found, as a sentence for the admin. */
  function collectDays(): { days: Record<string, [string, string][]> } | { problem: string } {
    const days: Record<string, [string, string][]> = {};
    for (const d of DAYS) {
      if (root.find(`[data-awc-day="${d}"]`).prop('checked') !== true) {
        days[d] = [];
        continue;
      }
      const day = t(`days.${d}`);
      const ranges: [string, string][] = root
        .find(`[data-awc-ranges="${d}"] [data-awc-range]`)
        .toArray()
        .map((el) => [String($(el).find('[data-awc-edge="from"]').val() ?? ''), String($(el).find('[data-awc-edge="to"]').val() ?? '')]);
      const problem = rangeProblem(ranges, day);
      if (problem) return { problem };
      days[d] = ranges;
    }
    return { days };
  }

  function rangeProblem(ranges: [string, string][], day: string): string | undefined {
    for (const [from, to] of ranges) {
      if (!from || !to) return t('bubble.range_incomplete', { day });
      if (from >= to) return t('bubble.range_order', { day, range: `${from}–${to}` });
    }
    const sorted = [...ranges].sort(([a], [b]) => (a < b ? -1 : 1));
    for (let i = 1; i < sorted.length; i++) {
      const [a, b] = [sorted[i - 1]!, sorted[i]!];
      // A range ends before its end time, so 09:00–12:00 and 12:00–14:00 meet without overlapping.
      if (b[0] < a[1]) return t('bubble.range_overlap', { day, first: `${a[0]}–${a[1]}`, second: `${b[0]}–${b[1]}` });
    }
    return undefined;
  }

  /** The form as the backend's `webchat` object; an empty text means the chat's own words. */
  function collect(days: Record<string, [string, string][]>): Record<string, unknown> {
    const val = (id: string) => String(root.find(`[data-awc-field="${id}"]`).val() ?? '').trim();
    const on = (id: string) => root.find(`[data-awc-field="${id}"]`).prop('checked') === true;
    const orNull = (v: string) => (v === '' ? null : v);
    return {
      color: val('color').toLowerCase(),
      position: val('position'),
      title: orNull(val('title')),
      greeting: orNull(val('greeting')),
      away_message: orNull(val('away_message')),
      language: val('language'),
      prechat: Object.fromEntries(FIELDS.map((f) => [f, val(`prechat_${f}`)])),
      hours: on('hours_on') ? { timezone: val('timezone'), days } : null,
      consent: { required: on('consent_required'), url: orNull(val('consent_url')) },
      store_before_open: on('store_before_open'),
    };
  }

  function identityBlock(secret: string): JQuery {
    const box = $('<div class="awc-identity" data-awc-identity></div>').append(line('awc-routing__title', 'identity.title'), line('awc-note', 'identity.hint'));
    box.append(field('identity_secret', 'identity.label', $('<input type="text" readonly spellcheck="false">').addClass('awc-snippet__code').val(secret)));
    box.append($('<div class="awc-actions"></div>').append(button('rotate_secret', 'buttons.rotate_secret'), $('<span data-awc-result="identity"></span>')));
    return box;
  }

  function eraseBlock(): JQuery {
    const box = $('<div class="awc-erase" data-awc-erase></div>').append(line('awc-routing__title', 'erase.title'), line('awc-note', 'erase.hint'));
    box.append(field('erase_by', 'erase.by', select(ERASE_KEYS.map((k) => [k, t(`erase.by_${k}`)]), 'email')));
    box.append(field('erase_value', 'erase.value', $('<input type="text">').attr('maxlength', 254)));
    box.append($('<div class="awc-actions"></div>').append(button('erase', 'buttons.erase'), $('<span data-awc-result="erase"></span>')));
    return box;
  }

  function confirmBox(action: string, key: MessageKey): void {
    root.find('[data-awc-confirm]').remove();
    const anchor = root.find(`[data-awc-bubble-action="${action}"]`).closest('.awc-actions');
    anchor.after(
      $('<div class="awc-confirm" role="alertdialog" data-awc-confirm></div>')
        .attr('data-awc-confirm', action)
        .append(line('awc-confirm__text', key), $('<div class="awc-actions"></div>').append(button(`${action}_confirmed`, 'buttons.confirm'), button('cancel', 'buttons.cancel'))),
    );
  }

  function draw(): void {
    if (!alive) return;
    root.empty().append(line('awc-routing__title', 'bubble.title'));
    if (phase === 'closed' || phase === 'failed') root.append($('<div class="awc-actions"></div>').append(button('load', 'buttons.bubble')));
    if (phase === 'failed') root.append($('<div class="awc-error" role="alert" data-awc-result="load"></div>'));
    if (phase === 'loading') root.append(line('awc-busy', 'bubble.loading'));
    if (phase === 'ready' && setup) {
      root.append(form(setup.webchat));
      if (isAdmin && setup.identitySecret) root.append(identityBlock(setup.identitySecret));
      if (isAdmin) root.append(eraseBlock());
    }
  }

  function run<T>(request: () => Promise<T>, where: string, busy: MessageKey, done: (value: T) => void): void {
    root.find('[data-awc-bubble-action]').prop('disabled', true);
    say(where, t(busy), false);
    request().then(
      (value) => {
        if (!alive) return;
        root.find('[data-awc-bubble-action]').prop('disabled', false);
        done(value);
      },
      (error: unknown) => {
        if (!alive) return;
        root.find('[data-awc-bubble-action]').prop('disabled', false);
        const m = failure(error);
        say(where, t(m.key, m.vars), true);
      },
    );
  }

  function erasedSentence(d: ErasedVisitor): string {
    return d.conversations === 0 ? t('erase.none') : t('erase.done', { conversations: String(d.conversations), messages: String(d.messages), files: String(d.files) });
  }

  const handlers: Record<string, () => void> = {
    load() {
      phase = 'loading';
      draw();
      api.bubbleSettings().then(
        (s) => {
          setup = s;
          phase = 'ready';
          draw();
        },
        (error: unknown) => {
          phase = 'failed';
          draw();
          const m = failure(error);
          root.find('[data-awc-result="load"]').text(t(m.key, m.vars));
        },
      );
    },
    save() {
      // Off, the hours are not sent, so ranges left half-typed there do not stop a save.
      const week = root.find('[data-awc-field="hours_on"]').prop('checked') === true ? collectDays() : { days: {} };
      if ('problem' in week) {
        say('save', week.problem, true);
        return;
      }
      run(() => api.saveBubbleSettings(collect(week.days)), 'save', 'bubble.saving', (s) => {
        setup = s;
        draw();
        say('save', t('bubble.saved'), false);
      });
    },
    rotate_secret: () => confirmBox('rotate_secret', 'identity.rotate_confirm'),
    rotate_secret_confirmed: () =>
      run(() => api.rotateIdentitySecret(), 'identity', 'bubble.saving', (s) => {
        root.find('[data-awc-field="identity_secret"]').val(s.identitySecret ?? '');
        if (setup) setup.identitySecret = s.identitySecret;
        say('identity', t('identity.rotated'), false);
      }),
    erase() {
      if (String(root.find('[data-awc-field="erase_value"]').val() ?? '').trim() === '') {
        say('erase', t('erase.empty'), true);
        return;
      }
      confirmBox('erase', 'erase.confirm');
    },
    erase_confirmed() {
      const by = String(root.find('[data-awc-field="erase_by"]').val()) as (typeof ERASE_KEYS)[number];
      const value = String(root.find('[data-awc-field="erase_value"]').val() ?? '').trim();
      run(() => api.eraseVisitor({ [by]: value } as VisitorKey), 'erase', 'erase.busy', (d) => say('erase', erasedSentence(d), false));
    },
  };

  root.on('click', '[data-awc-bubble-action]', (event) => {
    event.preventDefault();
    const action = String($(event.currentTarget).attr('data-awc-bubble-action'));
    // A confirmation answered (either way) goes away.
    if (action === 'cancel' || action.endsWith('_confirmed')) root.find('[data-awc-confirm]').remove();
    handlers[action]?.();
  });
  root.on('submit', 'form', (event) => event.preventDefault());
  draw();

  return {
    root,
    destroy() {
      alive = false;
      root.off().remove();
    },
  };
}
