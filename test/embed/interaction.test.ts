// @vitest-environment jsdom
/**
 * What the visitor does: open and close by keyboard, write, reply, edit, react, send files, leave contacts;
 * and what they are told: unread badge, typing line, screen-reader announcements, in each of its languages.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../webchat-embed/src/api.js';
import { chooseLocale, detectLocale, LOCALES, textsOf } from '../../webchat-embed/src/i18n.js';
import { TYPING_THROTTLE_MS } from '../../webchat-embed/src/chat-client.js';
import { flush, managerMessage } from './support/fake-api.js';
import { key, mountTest, type TestBubble } from './support/mount.js';

let t: TestBubble;
beforeEach(() => localStorage.clear());
afterEach(() => {
  t?.bubble.destroy();
  vi.useRealTimers();
});

describe('keyboard and screen readers', () => {
  it('labels the launcher, opens a labelled dialog with focus in the text box, and Escape closes it back to the launcher', () => {
    t = mountTest();
    const launcher = t.$<HTMLButtonElement>('button.launcher');
    expect(launcher.getAttribute('aria-label')).toBe('Open chat');
    expect(launcher.getAttribute('aria-expanded')).toBe('false');
    expect(launcher.getAttribute('aria-controls')).toBe('awc-panel');
    expect(t.$('#awc-panel').hidden).toBe(true);

    launcher.click();
    const panel = t.$('#awc-panel');
    expect(panel.hidden).toBe(false);
    expect(panel.getAttribute('role')).toBe('dialog');
    expect(t.$(`#${panel.getAttribute('aria-labelledby')}`).textContent).toBe('Chat with us');
    expect(launcher.getAttribute('aria-expanded')).toBe('true');
    expect(t.bubble.shadow.activeElement).toBe(t.$('textarea'));
    expect(t.$('textarea').getAttribute('aria-label')).toBe('Message');
    expect(t.$('ol.messages').getAttribute('aria-label')).toBe('Messages');

    key(t.$('textarea'), 'Escape');
    expect(panel.hidden).toBe(true);
    expect(t.bubble.shadow.activeElement).toBe(launcher);
  });

  it('gives every button an accessible name', () => {
    t = mountTest();
    t.bubble.open();
    for (const b of t.$$<HTMLButtonElement>('button')) {
      expect(b.getAttribute('aria-label') || b.textContent?.trim(), b.outerHTML).toBeTruthy();
    }
  });

  it('announces new messages from the manager in a polite live region, not old ones from history', async () => {
    t = mountTest();
    await t.send('Hi');
    const live = t.$('[aria-live=polite]');
    t.api.stream.emit({ type: 'message', message: managerMessage({ authorName: 'Anna', text: 'Hello!' }) });
    expect(live.textContent).toBe('New message from Anna: Hello!');
    t.api.history = [managerMessage({ text: 'old' })];
    t.api.stream.handlers.onOpen(true);
    await flush(20);
    expect(live.textContent).toBe('New message from Anna: Hello!');
  });

  it('sends with Enter, keeps Shift+Enter for a new line', async () => {
    t = mountTest();
    const box = t.$<HTMLTextAreaElement>('textarea');
    t.type('line one');
    key(box, 'Enter', { shiftKey: true });
    expect(t.api.callsOf('sendMessage')).toHaveLength(0);
    key(box, 'Enter');
    await flush(20);
    expect(t.api.callsOf('sendMessage')).toHaveLength(1);
    expect(box.value).toBe('');
  });
});

describe('language', () => {
  it('speaks the page language, else the first browser language it knows, else English', () => {
    document.documentElement.lang = 'ru-RU';
    expect(detectLocale(document, { language: 'en-US' })).toBe('ru');
    document.documentElement.lang = 'es-MX';
    expect(detectLocale(document, { language: 'en-US', languages: ['en-US'] })).toBe('es');
    // A German page: the visitor's browser decides, in its order of preference.
    document.documentElement.lang = 'de';
    expect(detectLocale(document, { language: 'de-DE', languages: ['de-DE', 'pt-BR', 'en'] })).toBe('pt');
    expect(detectLocale(document, { language: 'fr' })).toBe('en');
    document.documentElement.removeAttribute('lang');
    expect(detectLocale(document, { language: 'ru-RU' })).toBe('ru');
    expect(detectLocale(document, { language: 'en', languages: ['it', 'es-419'] })).toBe('es');
    t = mountTest({ locale: 'ru' });
    expect(t.$('button.launcher').getAttribute('aria-label')).toBe('Открыть чат');
    expect(t.$('textarea').getAttribute('placeholder')).toBe('Напишите сообщение…');
    expect(t.$('h2').textContent).toBe('Напишите нам');
  });

  it("lets the snippet's data-lang override the page and the browser", () => {
    document.documentElement.lang = 'ru';
    const nav = { language: 'ru-RU', languages: ['ru-RU'] };
    expect(chooseLocale('pt', document, nav)).toBe('pt');
    expect(chooseLocale('es-AR', document, nav)).toBe('es');
    expect(chooseLocale('auto', document, nav)).toBe('ru');
    expect(chooseLocale('de', document, nav)).toBe('ru');
    expect(chooseLocale(undefined, document, nav)).toBe('ru');
    document.documentElement.removeAttribute('lang');
  });

  it('speaks Spanish and Portuguese', () => {
    t = mountTest({ locale: 'es' });
    expect(t.$('button.launcher').getAttribute('aria-label')).toBe('Abrir chat');
    expect(t.$('textarea').getAttribute('placeholder')).toBe('Escribe un mensaje…');
    t.bubble.destroy();
    t = mountTest({ locale: 'pt' });
    expect(t.$('h2').textContent).toBe('Fale com a gente');
    expect(t.$('textarea').getAttribute('placeholder')).toBe('Digite uma mensagem…');
  });

  it('has every text in every language', () => {
    const en = textsOf('en');
    for (const locale of LOCALES) {
      const texts = textsOf(locale);
      expect(Object.keys(texts).sort(), locale).toEqual(Object.keys(en).sort());
      for (const [k, v] of Object.entries(texts)) expect(v, `${locale}.${k}`).not.toBe('');
    }
  });
});

describe('unread badge and read receipts', () => {
  it('counts manager messages while closed, clears on open and reports the newest one read', async () => {
    t = mountTest();
    await t.send('Hi');
    t.bubble.close();
    const a = managerMessage();
    const b = managerMessage();
    t.api.stream.emit({ type: 'message', message: a });
    t.api.stream.emit({ type: 'message', message: b });
    expect(t.$('.badge').hidden).toBe(false);
    expect(t.$('.badge').textContent).toBe('2');
    expect(t.$('button.launcher').getAttribute('aria-label')).toBe('Open chat. 2 unread');
    t.bubble.open();
    expect(t.$('.badge').hidden).toBe(true);
    expect(t.api.callsOf('markRead')).toEqual([['token-1', b.msgid]]);
  });
});

describe('typing', () => {
  it('tells the manager at most once per throttle window, and shows the manager typing for a while', async () => {
    vi.useFakeTimers();
    t = mountTest();
    await t.send('Hi');
    for (let i = 0; i < 10; i++) t.type(`abc${i}`);
    expect(t.api.callsOf('sendTyping')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(TYPING_THROTTLE_MS);
    t.type('more');
    expect(t.api.callsOf('sendTyping')).toHaveLength(2);

    t.api.stream.emit({ type: 'typing', author: 'manager', durationMs: 5000 });
    expect(t.$('.typing').textContent).toBe('Manager is typing…');
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.$('.typing').textContent).toBe('');
  });
});

describe('reply, edit, react', () => {
  it('replies with a quote of the chosen message', async () => {
    t = mountTest();
    await t.send('Hi');
    // The backend's clock a minute ahead of the browser's: the reply must still be drawn below what it answers.
    const m = managerMessage({ text: 'Which size?', createdAt: Date.now() + 60_000 });
    t.api.stream.emit({ type: 'message', message: m });
    t.items()[1]!.querySelector<HTMLButtonElement>('[data-action=reply]')!.click();
    expect(t.$('.context').hidden).toBe(false);
    expect(t.$('.context').textContent).toContain('Which size?');
    expect(t.bubble.shadow.activeElement).toBe(t.$('textarea'));
    await t.send('M, please');
    expect(t.api.callsOf('sendMessage').at(-1)![1]).toMatchObject({ text: 'M, please', replyTo: m.msgid });
    expect(t.texts()).toEqual(['Hi', 'Which size?', 'M, please']);
    expect(t.items().at(-1)!.querySelector('.quote')?.textContent).toContain('Which size?');
    expect(t.$('.context').hidden).toBe(true);
  });

  it('edits an own message in place', async () => {
    t = mountTest();
    await t.send('Helo');
    t.items()[0]!.querySelector<HTMLButtonElement>('[data-action=edit]')!.click();
    expect(t.$<HTMLTextAreaElement>('textarea').value).toBe('Helo');
    expect(t.$('.context').textContent).toContain('Editing the message');
    await t.send('Hello');
    expect(t.api.callsOf('editMessage')).toEqual([['token-1', 'm-1', 'Hello']]);
    expect(t.api.callsOf('sendMessage')).toHaveLength(1);
    expect(t.texts()).toEqual(['Hello']);
    expect(t.items()[0]!.querySelector('.edited')).not.toBeNull();
  });

  it('puts the old text back when the edit is refused', async () => {
    t = mountTest();
    await t.send('Helo');
    t.api.answer('editMessage', new ApiError(409, 'too_late', 'no longer editable'));
    t.items()[0]!.querySelector<HTMLButtonElement>('[data-action=edit]')!.click();
    await t.send('Hello');
    expect(t.texts()).toEqual(['Helo']);
  });

  it('reacts from a keyboard-usable picker and withdraws the reaction', async () => {
    t = mountTest();
    await t.send('Hi');
    const m = managerMessage();
    t.api.stream.emit({ type: 'message', message: m });
    const react = t.items()[1]!.querySelector<HTMLButtonElement>('[data-action=react]')!;
    react.click();
    const picker = t.items()[1]!.querySelector('.picker')!;
    expect(t.items()[1]!.querySelector('[data-action=react]')?.getAttribute('aria-expanded')).toBe('true');
    expect(t.bubble.shadow.activeElement).toBe(picker.querySelector('button'));
    const thumbs = [...picker.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent === '👍')!;
    expect(thumbs.getAttribute('aria-label')).toBe('React with 👍');
    thumbs.click();
    await flush(20);
    expect(t.api.callsOf('react')).toEqual([['token-1', m.msgid, '👍']]);
    const mine = t.items()[1]!.querySelector<HTMLButtonElement>('.reactions button')!;
    expect(mine.getAttribute('aria-pressed')).toBe('true');
    mine.click();
    await flush(20);
    expect(t.api.callsOf('react').at(-1)).toEqual(['token-1', m.msgid, null]);
    expect(t.items()[1]!.querySelector('.reactions')).toBeNull();
  });

  it('closes the picker with Escape without closing the chat', async () => {
    t = mountTest();
    t.bubble.open();
    await t.send('Hi');
    t.items()[0]!.querySelector<HTMLButtonElement>('[data-action=react]')!.click();
    key(t.items()[0]!.querySelector('.picker button')!, 'Escape');
    expect(t.items()[0]!.querySelector('.picker')).toBeNull();
    expect(t.$('#awc-panel').hidden).toBe(false);
  });
});

describe('contact details', () => {
  it('starts the chat without them when the backend refuses them', async () => {
    t = mountTest();
    t.$<HTMLInputElement>('input[name=name]').value = 'Ivan';
    t.$<HTMLFormElement>('details.profile form').requestSubmit();
    t.api.answer('createSession', new ApiError(400, 'invalid_request', 'phone: is not a phone number'));
    await t.send('Hi');
    expect(t.api.callsOf('createSession').map((c) => c[1])).toEqual([{ name: 'Ivan', phone: '', email: '' }, { name: 'Ivan' }]);
    expect(t.api.callsOf('sendMessage')).toHaveLength(1);
    expect(t.items()[0]!.querySelector('.error')).toBeNull();
  });

  it('checks the phone like the backend does before saving', () => {
    t = mountTest();
    const phone = t.$<HTMLInputElement>('input[name=phone]');
    phone.value = 'call me';
    expect(phone.checkValidity()).toBe(false);
    phone.value = '+7 (900) 000-00-00';
    expect(phone.checkValidity()).toBe(true);
  });

  it('never blocks writing, go with the session when given first, and as an update afterwards', async () => {
    t = mountTest();
    t.bubble.open();
    expect(t.$<HTMLDetailsElement>('details.profile').open).toBe(false);
    t.$<HTMLInputElement>('input[name=name]').value = 'Ivan';
    t.$<HTMLInputElement>('input[name=phone]').value = '+7 900 000-00-00';
    t.$<HTMLFormElement>('details.profile form').requestSubmit();
    await t.send('Hi');
    expect(t.api.callsOf('createSession')).toEqual([['site-test-1', { name: 'Ivan', phone: '+7 900 000-00-00', email: '' }]]);
    t.$<HTMLInputElement>('input[name=email]').value = 'ivan@example.test';
    t.$<HTMLFormElement>('details.profile form').requestSubmit();
    await flush(10);
    expect(t.api.callsOf('updateProfile')).toEqual([['token-1', 'site-test-1', { name: 'Ivan', phone: '+7 900 000-00-00', email: 'ivan@example.test' }]]);
    // The renewed token is the one kept.
    expect(JSON.parse(localStorage.getItem('amo-webchat:site-test-1')!).session.token).toBe('token-1+profile');
  });
});
