// @vitest-environment jsdom
/**
 * What the bubble does for the site that embeds it: the page the visitor writes from goes to the manager once
 * per page change; `window.AmoChat` opens, closes and tells the page what happens; the title flashes while
 * the page is hidden and a manager message arrives; the file limit is stated where files are dropped.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OutgoingMessage } from '../../webchat-embed/src/api.js';
import { createTranslator, LOCALES, textsOf } from '../../webchat-embed/src/i18n.js';
import { createNotifier } from '../../webchat-embed/src/notify.js';
import { currentPage, pageToReport } from '../../webchat-embed/src/page-context.js';
import { createPublicApi, runQueued, type PublicMessage } from '../../webchat-embed/src/public-api.js';
import { flush, managerMessage } from './support/fake-api.js';
import { mountTest, type TestBubble } from './support/mount.js';

let t: TestBubble | undefined;
beforeEach(() => {
  localStorage.clear();
  document.title = 'Pricing';
  history.replaceState(null, '', '/pricing?token=secret#plans');
});
afterEach(() => {
  t?.bubble.destroy();
  t = undefined;
  vi.useRealTimers();
});

const sentPages = (tb: TestBubble) => tb.api.callsOf('sendMessage').map((args) => (args[1] as OutgoingMessage).page);

describe('page context', () => {
  it('sends the page, without query and fragment, with the first message and again only after it changes', async () => {
    t = mountTest();
    await t.send('one');
    await t.send('two');
    document.title = 'Pricing — Pro';
    await t.send('three');
    history.replaceState(null, '', '/cart?coupon=x');
    document.title = 'Cart';
    await t.send('four');
    await t.send('five');
    const page = (path: string, title: string) => ({ url: `${location.origin}${path}`, title });
    expect(sentPages(t)).toEqual([page('/pricing', 'Pricing'), undefined, page('/pricing', 'Pricing — Pro'), page('/cart', 'Cart'), undefined]);
  });

  it('remembers the last page across a reload: the same page is not sent again', async () => {
    t = mountTest();
    await t.send('before reload');
    t.bubble.destroy();
    t = mountTest();
    await t.send('after reload');
    expect(sentPages(t)).toEqual([undefined]);
  });

  it('reports nothing where the page has no web address, and caps long values', () => {
    expect(currentPage({ protocol: 'file:', origin: 'null', pathname: '/home/me/site.html' }, 'Local')).toBeUndefined();
    const long = currentPage({ protocol: 'https:', origin: 'https://shop.example', pathname: `/${'p'.repeat(900)}` }, ` ${'T'.repeat(300)} `)!;
    expect(long.url).toHaveLength(500);
    expect(long.title).toBe('T'.repeat(200));
    expect(currentPage({ protocol: 'https:', origin: 'https://shop.example', pathname: '/' }, '   ')).toEqual({ url: 'https://shop.example/' });
    expect(pageToReport({ url: 'a' }, { url: 'a' })).toBeUndefined();
    expect(pageToReport({ url: 'a', title: 'x' }, { url: 'a' })).toEqual({ url: 'a', title: 'x' });
  });
});

describe('window.AmoChat', () => {
  it('opens, closes and toggles the bubble and reports it to the page, however it was opened', () => {
    t = mountTest();
    const api = createPublicApi(t.bubble);
    const seen: string[] = [];
    api.on('opened', () => seen.push('opened'));
    const offClosed = api.on('closed', () => seen.push('closed'));
    api.open();
    expect(api.isOpen()).toBe(true);
    expect(t.$('#awc-panel').hidden).toBe(false);
    api.toggle();
    expect(api.isOpen()).toBe(false);
    t.$<HTMLButtonElement>('button.launcher').click();
    offClosed();
    api.close();
    expect(seen).toEqual(['opened', 'closed', 'opened']);
  });

  it('tells the page about messages received and sent, and a throwing handler does not stop the others', async () => {
    t = mountTest();
    const api = createPublicApi(t.bubble);
    const received: PublicMessage[] = [];
    const sent: PublicMessage[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    api.on('message:received', () => {
      throw new Error('site bug');
    });
    api.on('message:received', (m) => received.push(m));
    api.on('message:sent', (m) => sent.push(m));
    await t.send('Hi there');
    t.api.stream.emit({ type: 'message', message: managerMessage({ authorName: 'Anna', text: 'Hello!' }) });
    expect(sent).toEqual([{ text: 'Hi there', kind: 'text' }]);
    expect(received).toEqual([{ text: 'Hello!', kind: 'text', authorName: 'Anna' }]);
    expect(error).toHaveBeenCalledTimes(1);
    error.mockRestore();
  });

  it('sets the visitor’s name, e-mail and phone for the session, keeping only strings and capping them', async () => {
    t = mountTest();
    const api = createPublicApi(t.bubble);
    await api.setVisitor({ name: '  Anna Petrova ', email: 'anna@example.com', phone: 42 as unknown as string });
    await t.send('Hi');
    expect(t.api.callsOf('createSession')[0]![1]).toEqual({ name: 'Anna Petrova', email: 'anna@example.com' });
    await api.setVisitor({ phone: '+7 915 111-22-33', name: 'x'.repeat(150) });
    await flush(10);
    expect(t.api.callsOf('updateProfile').at(-1)![2]).toEqual({ name: 'x'.repeat(100), email: 'anna@example.com', phone: '+7 915 111-22-33' });
  });

  it('runs the calls the page queued before the bubble loaded, and warns about unknown ones', () => {
    t = mountTest();
    const api = createPublicApi(t.bubble);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const opened = vi.fn();
    runQueued(api, [['on', 'opened', opened], ['open'], ['fly']]);
    expect(opened).toHaveBeenCalledTimes(1);
    expect(api.isOpen()).toBe(true);
    expect(warn).toHaveBeenCalledWith('[AmoChat] unknown call', 'fly');
    warn.mockRestore();
  });
});

describe('notifications', () => {
  function setVisibility(state: 'hidden' | 'visible'): void {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
    document.dispatchEvent(new Event('visibilitychange'));
  }
  afterEach(() => setVisibility('visible'));

  it('flashes the page title with the unread count while the page is hidden, and restores it when shown', () => {
    vi.useFakeTimers();
    let unread = 2;
    const n = createNotifier({ t: createTranslator('ru'), sound: false, unread: () => unread });
    n.incoming(false);
    expect(document.title).toBe('Pricing');
    setVisibility('hidden');
    n.incoming(false);
    expect(document.title).toBe('(2) Новое сообщение');
    vi.advanceTimersByTime(1000);
    expect(document.title).toBe('Pricing');
    unread = 3;
    vi.advanceTimersByTime(1000);
    expect(document.title).toBe('(3) Новое сообщение');
    setVisibility('visible');
    expect(document.title).toBe('Pricing');
    vi.advanceTimersByTime(5000);
    expect(document.title).toBe('Pricing');
    n.stop();
  });

  it('keeps a title the page set while flashing', () => {
    vi.useFakeTimers();
    const n = createNotifier({ t: createTranslator('en'), sound: false, unread: () => 1 });
    setVisibility('hidden');
    n.incoming(false);
    expect(document.title).toBe('(1) New message');
    document.title = 'Cart (1 item)';
    vi.advanceTimersByTime(1000);
    expect(document.title).toBe('(1) New message');
    setVisibility('visible');
    expect(document.title).toBe('Cart (1 item)');
    n.stop();
  });

  it('has its title in every language', () => {
    for (const l of LOCALES) expect(textsOf(l).newMessageTitle.length).toBeGreaterThan(3);
    expect(new Set(LOCALES.map((l) => textsOf(l).newMessageTitle)).size).toBe(LOCALES.length);
  });
});

describe('files', () => {
  it('states the file limit the backend gives where files are dropped and on the attach button', async () => {
    t = mountTest();
    await flush(10);
    expect(t.$('.drop').textContent).toBe('Drop files here to send them (up to 20.0 MB)');
    expect(t.$('[data-action=attach]').getAttribute('aria-label')).toBe('Attach a file (up to 20.0 MB)');
  });
});
