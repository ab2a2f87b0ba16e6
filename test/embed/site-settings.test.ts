// @vitest-environment jsdom
/**
 * The bubble as the admin configured it in amoCRM: colour, side, title and greeting; working hours in
 * the admin's time zone (the away message and the contact form out of hours); the pre-chat form and
 * the consent checkbox that come before the first message; and nothing written to the device before
 * the chat is first opened.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, parseSettings } from '../../webchat-embed/src/api.js';
import { mountBubble, type Bubble } from '../../webchat-embed/src/bubble.js';
import { isOpenAt } from '../../webchat-embed/src/hours.js';
import type { Locale } from '../../webchat-embed/src/i18n.js';
import type { BubbleSettings } from '../../webchat-embed/src/model.js';
import { createStateStorage } from '../../webchat-embed/src/storage.js';
import { isWithinHours } from '../../server/platforms/webchat/working-hours.js';
import { FakeApi, flush } from './support/fake-api.js';
import { SITE_KEY } from './support/mount.js';

/** Monday 2 December 2024, 10:30 in Moscow (07:30 UTC). */
const MONDAY_1030_MOSCOW = Date.UTC(2024, 11, 2, 7, 30);
const OFFICE = { timezone: 'Europe/Moscow', days: { mon: [['09:00', '18:00']] as [string, string][] } };

let bubble: Bubble | undefined;
beforeEach(() => localStorage.clear());
afterEach(() => {
  bubble?.destroy();
  bubble = undefined;
});

function mount(settings: Partial<BubbleSettings>, opts: { now?: number; storage?: ReturnType<typeof createStateStorage> } = {}) {
  const api = new FakeApi();
  let n = 0;
  bubble = mountBubble({
    api,
    siteKey: SITE_KEY,
    locale: 'en',
    settings: { maxFileBytes: 20_000_000, ...settings },
    newId: () => `c-${++n}`,
    now: () => opts.now ?? MONDAY_1030_MOSCOW,
    ...(opts.storage ? { storage: opts.storage } : {}),
  });
  const b = bubble;
  const $ = <T extends Element = HTMLElement>(selector: string): T => {
    const el = b.shadow.querySelector<T>(selector);
    if (!el) throw new Error(`nothing matches ${selector}`);
    return el;
  };
  return { api, $, b };
}

describe('the settings request', () => {
  it('reads the backend\'s JSON and keeps the bubble\'s defaults for anything missing or malformed', () => {
    expect(parseSettings({ max_file_bytes: 5, color: '#1E3A8A', position: 'left', title: 'Ask', greeting: null, language: 'auto', hours: OFFICE, prechat: { name: 'required', phone: 'nonsense' }, consent: { required: true, url: 'https://x.example/p' }, store_before_open: true })).toEqual({
      maxFileBytes: 5,
      color: '#1E3A8A',
      position: 'left',
      title: 'Ask',
      hours: OFFICE,
      prechat: { name: 'required', phone: 'optional', email: 'optional' },
      consentUrl: 'https://x.example/p',
      storeBeforeOpen: true,
    });
    // A colour that is not #rrggbb never reaches the stylesheet; a consent link must be http(s).
    expect(parseSettings({ color: 'red;}*{display:none', consent: { required: true, url: 'javascript:alert(1)' } })).toEqual({ maxFileBytes: 20_000_000, prechat: { name: 'optional', phone: 'optional', email: 'optional' } });
  });

  it('is not asked a second time when the page already has the settings', async () => {
    const { api } = mount({ title: 'Ask' });
    await flush();
    expect(api.callsOf('loadSettings')).toEqual([]);
  });
});

describe('look', () => {
  it('applies the colour, the side, the title and the greeting', () => {
    const { $, b } = mount({ color: '#1e3a8a', position: 'left', title: 'Ask Shop', greeting: 'Hola' });
    b.open();
    expect([...b.shadow.querySelectorAll('style')].map((s) => s.textContent).join('')).toContain('--accent:#1e3a8a');
    expect($('.awc').hasAttribute('data-left')).toBe(true);
    expect($('h2').textContent).toBe('Ask Shop');
    expect($('.greeting').textContent).toBe('Hola');
  });
});

describe('working hours', () => {
  it('agrees with the backend on open and closed, in the admin\'s time zone', () => {
    for (const at of [MONDAY_1030_MOSCOW, Date.UTC(2024, 11, 2, 5, 59), Date.UTC(2024, 11, 2, 6, 0), Date.UTC(2024, 11, 2, 15, 0), Date.UTC(2024, 11, 3, 7, 30)]) {
      expect(isOpenAt(OFFICE, at)).toBe(isWithinHours(OFFICE, at));
    }
    expect(isOpenAt(OFFICE, Date.UTC(2024, 11, 2, 5, 59))).toBe(false); // 08:59 Moscow
    expect(isOpenAt(OFFICE, Date.UTC(2024, 11, 2, 6, 0))).toBe(true); // 09:00
    expect(isOpenAt(OFFICE, Date.UTC(2024, 11, 2, 15, 0))).toBe(false); // 18:00: the end is not included
    expect(isOpenAt(OFFICE, Date.UTC(2024, 11, 3, 7, 30))).toBe(false); // Tuesday
    expect(isOpenAt(undefined, 0)).toBe(true);
  });

  it('greets as usual during the hours', () => {
    const { $, b } = mount({ hours: OFFICE, greeting: 'Hi', awayMessage: 'Back at nine' });
    b.open();
    expect($('.greeting').textContent).toBe('Hi');
    expect($<HTMLDetailsElement>('details.profile').open).toBe(false);
  });

  it('shows the away message out of hours and offers the contact form; writing still works', () => {
    const { $, b } = mount({ hours: OFFICE, awayMessage: 'Back at nine' }, { now: Date.UTC(2024, 11, 3, 7, 30) });
    b.open();
    expect($('.greeting').textContent).toBe('Back at nine');
    expect($('.greeting').hasAttribute('data-away')).toBe(true);
    expect($<HTMLDetailsElement>('details.profile').open).toBe(true);
    expect($<HTMLTextAreaElement>('textarea').disabled).toBe(false);
  });

  it('has its own away words in every language when the admin wrote none', () => {
    const { $, b } = mount({ hours: { timezone: 'Europe/Moscow', days: {} } });
    b.open();
    expect($('.greeting').textContent).toMatch(/We are away right now/);
  });
});

describe('before the first message', () => {
  it('asks for the required contact details first, then lets the visitor write', async () => {
    const { $, b, api } = mount({ prechat: { name: 'required', phone: 'off', email: 'optional' } });
    b.open();
    expect($<HTMLDetailsElement>('details.profile').open).toBe(true);
    expect(b.shadow.querySelector('input[name=phone]')).toBeNull();
    expect($<HTMLInputElement>('input[name=name]').required).toBe(true);
    expect($<HTMLInputElement>('input[name=email]').required).toBe(false);
    expect($<HTMLTextAreaElement>('textarea').disabled).toBe(true);
    $<HTMLInputElement>('input[name=name]').value = 'Ivan';
    $<HTMLFormElement>('details.profile form').requestSubmit();
    expect($<HTMLTextAreaElement>('textarea').disabled).toBe(false);
    const box = $<HTMLTextAreaElement>('textarea');
    box.value = 'hello';
    $<HTMLFormElement>('form.row').requestSubmit();
    await flush(20);
    expect(api.callsOf('createSession')[0]?.[1]).toMatchObject({ name: 'Ivan' });
  });

  it('shows no contact form when every field is off', () => {
    const { b } = mount({ prechat: { name: 'off', phone: 'off', email: 'off' } });
    expect(b.shadow.querySelector('details.profile')).toBeNull();
  });

  it('asks for consent with the admin\'s link, and remembers it', () => {
    const { $, b } = mount({ consentUrl: 'https://shop.example/privacy' });
    b.open();
    const link = $<HTMLAnchorElement>('.consent a');
    expect([link.href, link.target, link.rel]).toEqual(['https://shop.example/privacy', '_blank', 'noopener noreferrer']);
    expect($<HTMLTextAreaElement>('textarea').disabled).toBe(true);
    const box = $<HTMLInputElement>('.consent input[type=checkbox]');
    box.checked = true;
    box.dispatchEvent(new Event('change'));
    expect($<HTMLTextAreaElement>('textarea').disabled).toBe(false);
    expect(b.client.savedState.consented).toBe(true);
    b.destroy();
    const again = mount({ consentUrl: 'https://shop.example/privacy' });
    expect(again.b.shadow.querySelector('.consent')).toBeNull();
  });
});

describe('privacy: nothing on the device before the chat is opened', () => {
  it('writes nothing to localStorage until the first opening, then keeps the state', async () => {
    const { b } = mount({}, { storage: createStateStorage(SITE_KEY, localStorage, true) });
    await flush();
    b.client.setOpen(false);
    expect(localStorage.length).toBe(0);
    b.open();
    expect(localStorage.getItem(`amo-webchat:${SITE_KEY}`)).toContain('"isOpen":true');
  });

  it('keeps writing for a visitor who opened the chat on an earlier visit', () => {
    localStorage.setItem(`amo-webchat:${SITE_KEY}`, JSON.stringify({ outbox: [] }));
    const storage = createStateStorage(SITE_KEY, localStorage, true);
    storage.save({ outbox: [], lastReadMsgid: 'm_1' });
    expect(localStorage.getItem(`amo-webchat:${SITE_KEY}`)).toContain('m_1');
  });

  it('writes at once when the site allows it (data-store="always" or store_before_open)', () => {
    const storage = createStateStorage(SITE_KEY, localStorage, false);
    storage.save({ outbox: [], lastReadMsgid: 'm_2' });
    expect(localStorage.getItem(`amo-webchat:${SITE_KEY}`)).toContain('m_2');
  });
});

describe('a website load: the launcher first, the panel at the first opening', () => {
  /** Mounted as index.ts does, with this load's settings held until `answer` settles them. */
  function mountDeferred(storage = createStateStorage(SITE_KEY, localStorage, false)) {
    const api = new FakeApi();
    let answer!: (s: BubbleSettings | ApiError) => void;
    const loaded = new Promise<BubbleSettings>((resolve, reject) => (answer = (s) => (s instanceof ApiError ? reject(s) : resolve(s))));
    const final = loaded.catch(() => undefined);
    const localeFor = (s: BubbleSettings | undefined): Locale => (s?.language === 'es' ? 'es' : 'en');
    bubble = mountBubble({ api, siteKey: SITE_KEY, locale: 'en', storage, settingsAnswer: loaded, deferred: { final, localeFor } });
    return { b: bubble, answer, api };
  }
  const accentOf = (b: Bubble) => b.shadow.querySelector('style[data-look]')?.textContent?.match(/--accent:(#[0-9a-f]{6})/)?.[1];

  it('draws the launcher before the settings arrive and builds the panel when the visitor opens it, with them', async () => {
    const { b, answer } = mountDeferred();
    expect(b.shadow.querySelector('button.launcher')).not.toBeNull();
    expect(b.shadow.querySelector('#awc-panel')).toBeNull();
    b.open(); // before the answer: the panel waits for it
    await flush();
    expect(b.shadow.querySelector('#awc-panel')).toBeNull();
    answer({ maxFileBytes: 20_000_000, color: '#7c2d12', title: 'Pregunta', language: 'es' });
    await flush();
    expect(b.isOpen).toBe(true);
    expect(b.shadow.querySelector('h2')?.textContent).toBe('Pregunta');
    expect(accentOf(b)).toBe('#7c2d12');
    expect(b.locale).toBe('es');
    expect(b.shadow.querySelector('.awc')?.getAttribute('lang')).toBe('es');
  });

  it('restyles the launcher when the answer comes, and keeps it for the next load, which draws it at once', async () => {
    const first = mountDeferred();
    expect(accentOf(first.b)).toBeUndefined();
    expect(first.b.shadow.querySelector('button.launcher')?.getAttribute('aria-label')).toBe('Open chat');
    first.answer({ maxFileBytes: 20_000_000, color: '#7c2d12', position: 'left', language: 'es' });
    await flush();
    expect(accentOf(first.b)).toBe('#7c2d12');
    expect(first.b.shadow.querySelector('.awc')?.hasAttribute('data-left')).toBe(true);
    expect(first.b.shadow.querySelector('button.launcher')?.getAttribute('aria-label')).not.toBe('Open chat');
    first.b.destroy();

    const next = mountDeferred();
    expect(accentOf(next.b)).toBe('#7c2d12');
    expect(next.b.shadow.querySelector('.awc')?.hasAttribute('data-left')).toBe(true);
    expect(next.b.locale).toBe('es');
  });

  it('drops the kept copy and says the chat is unavailable when the site key is unknown', async () => {
    const first = mountDeferred();
    first.answer({ maxFileBytes: 20_000_000, color: '#7c2d12' });
    await flush();
    first.b.destroy();
    const next = mountDeferred();
    next.answer(new ApiError(404, 'unknown_site_key', 'No website chat has this site key.'));
    await flush();
    expect(localStorage.getItem(`amo-webchat:${SITE_KEY}`)).not.toContain('#7c2d12');
    next.b.open();
    await flush();
    expect(next.b.shadow.querySelector('.notice')?.textContent).toBe('The chat is unavailable right now.');
    expect(next.b.shadow.querySelector<HTMLTextAreaElement>('textarea')?.disabled).toBe(true);
  });

  it('keeps nothing on the device before the first opening, the settings included', async () => {
    const { b, answer } = mountDeferred(createStateStorage(SITE_KEY, localStorage, true));
    answer({ maxFileBytes: 20_000_000, color: '#7c2d12' });
    await flush();
    expect(localStorage.length).toBe(0);
    b.open();
    await flush();
    expect(localStorage.getItem(`amo-webchat:${SITE_KEY}`)).toContain('#7c2d12');
  });
});
