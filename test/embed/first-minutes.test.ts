// @vitest-environment jsdom
/**
 * What a visitor runs into in the first minutes: the contact form's thanks stays in sight, an old snippet
 * says the chat is unavailable before anything is written, quick replies answer once, correcting a message
 * is not "typing", a nameless visitor gets a name in the bubble's language.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../webchat-embed/src/api.js';
import { FakeApi, flush, managerMessage } from './support/fake-api.js';
import { mountTest, type TestBubble } from './support/mount.js';

let t: TestBubble;
beforeEach(() => localStorage.clear());
afterEach(() => t?.bubble.destroy());

describe('contact form', () => {
  it('keeps its thanks in sight after the form folds away', () => {
    t = mountTest();
    t.bubble.open();
    const details = t.$<HTMLDetailsElement>('details.profile');
    details.open = true;
    t.$<HTMLInputElement>('input[name=name]').value = 'Ivan';
    t.$<HTMLFormElement>('details.profile form').requestSubmit();
    expect(details.open).toBe(false);
    const done = t.$('.done');
    expect(done.textContent).toBe('Thank you, we have your contacts.');
    expect(details.contains(done)).toBe(false);
  });
});

describe('an old snippet (the site key was replaced)', () => {
  it('says at load that the chat is unavailable and lets nothing be written', async () => {
    const api = new FakeApi();
    api.answer('loadSettings', new ApiError(404, 'unknown_site_key', 'No website chat has this site key.'));
    t = mountTest({ api });
    await flush(10);
    t.bubble.open();
    expect(t.$('.notice').hidden).toBe(false);
    expect(t.$('.notice').textContent).toBe('The chat is unavailable right now.');
    expect(t.$<HTMLTextAreaElement>('textarea').disabled).toBe(true);
    expect(t.$<HTMLButtonElement>('[data-action=attach]').disabled).toBe(true);
    expect(api.callsOf('createSession')).toHaveLength(0);
  });

  it('asks for the settings once per load, before any session', async () => {
    t = mountTest();
    await flush(5);
    expect(t.api.calls.map((c) => c.method)).toEqual(['loadSettings']);
    expect(t.api.callsOf('loadSettings')).toEqual([['site-test-1']]);
  });
});

describe('quick replies', () => {
  it('answer once: the buttons are spent after one is chosen', async () => {
    t = mountTest();
    await t.send('Can you call me?');
    t.api.stream.emit({ type: 'message', message: managerMessage({ text: 'Today?', buttons: [[{ text: 'Yes' }, { text: 'No' }]] }) });
    const yes = (): HTMLButtonElement => t.$<HTMLButtonElement>('[data-quick-reply=Yes]');
    expect(yes().disabled).toBe(false);
    yes().click();
    await flush(20);
    expect(t.texts()).toEqual(['Can you call me?', 'Today?', 'Yes']);
    expect(yes().disabled).toBe(true);
    expect(t.$<HTMLButtonElement>('[data-quick-reply=No]').disabled).toBe(true);
    yes().click();
    await flush(20);
    expect(t.api.callsOf('sendMessage')).toHaveLength(2);
  });
});

describe('typing', () => {
  it('is not reported while the visitor corrects a sent message', async () => {
    t = mountTest();
    await t.send('Helo');
    const before = t.api.callsOf('sendTyping').length;
    t.items()[0]!.querySelector<HTMLButtonElement>('[data-action=edit]')!.click();
    t.type('Hello');
    t.type('Hello!');
    expect(t.api.callsOf('sendTyping')).toHaveLength(before);
  });
});

describe('the visitor’s name in amoCRM', () => {
  it('is a default in the bubble’s language when the visitor gave none', async () => {
    t = mountTest({ locale: 'ru' });
    await t.send('Привет');
    const [, profile] = t.api.callsOf('createSession')[0] as [string, { name?: string }];
    expect(profile.name).toMatch(/^Посетитель сайта \S{1,4}$/);
  });

  it('is the visitor’s own when given', async () => {
    t = mountTest({ locale: 'ru' });
    t.$<HTMLInputElement>('input[name=name]').value = 'Иван';
    t.$<HTMLFormElement>('details.profile form').requestSubmit();
    await t.send('Привет');
    expect((t.api.callsOf('createSession')[0]![1] as { name: string }).name).toBe('Иван');
  });
});
