// @vitest-environment jsdom
/**
 * Nothing lost, nothing doubled: the outbox retries with the same client msgid until the backend accepts,
 * echoes and replays merge into the message already on screen, and the conversation survives a reload.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../webchat-embed/src/api.js';
import { MAX_TRIES } from '../../webchat-embed/src/outbox.js';
import { flush, managerMessage, network, FakeApi } from './support/fake-api.js';
import { mountTest, SITE_KEY, type TestBubble } from './support/mount.js';

let t: TestBubble;
beforeEach(() => localStorage.clear());
afterEach(() => {
  t?.bubble.destroy();
  vi.useRealTimers();
});

describe('outbox', () => {
  it('retries a send that got no answer with the same client msgid, and shows one message', async () => {
    vi.useFakeTimers();
    t = mountTest();
    t.api.answer('sendMessage', network(), new ApiError(503, 'unavailable', 'busy'));
    await t.send('Are you there?');
    expect(t.items()).toHaveLength(1);
    expect(t.items()[0]!.querySelector('.ticks')?.getAttribute('aria-label')).toBe('Sending');
    expect(t.$('.notice').hidden).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(2000);
    const sends = t.api.callsOf('sendMessage');
    expect(sends).toHaveLength(3);
    expect(new Set(sends.map((s) => (s[1] as { clientMsgid: string }).clientMsgid)).size).toBe(1);
    expect(t.items()).toHaveLength(1);
    expect(t.items()[0]!.querySelector('.ticks')?.getAttribute('aria-label')).toBe('Sent');
    expect(t.$('.notice').hidden).toBe(true);
  });

  it('keeps the written order when an earlier message is being retried', async () => {
    vi.useFakeTimers();
    t = mountTest();
    t.api.answer('sendMessage', { msgid: 'm-100' }, network());
    await t.send('one');
    await t.send('two');
    await t.send('three');
    await vi.advanceTimersByTimeAsync(1000);
    const texts = t.api.callsOf('sendMessage').map((s) => (s[1] as { text: string }).text);
    expect(texts).toEqual(['one', 'two', 'two', 'three']);
    expect(t.texts()).toEqual(['one', 'two', 'three']);
  });

  it('merges the live echo that arrives before the 202 into the pending message', async () => {
    t = mountTest();
    let accept!: (v: { msgid: string }) => void;
    t.api.answer('sendMessage', { msgid: 'm-0' }, new Promise((resolve) => (accept = resolve)));
    await t.send('first');
    await t.send('second');
    const clientMsgid = (t.api.callsOf('sendMessage')[1]![1] as { clientMsgid: string }).clientMsgid;
    // The backend already streams the message without naming our client msgid …
    t.api.stream.emit({ type: 'message', message: { msgid: 'm-9', author: 'visitor', kind: 'text', text: 'second', state: 'sent', reactions: [], createdAt: Date.now() } });
    expect(t.items()).toHaveLength(3);
    // … and the 202 ties the two together.
    accept({ msgid: 'm-9' });
    await flush(20);
    expect(t.texts()).toEqual(['first', 'second']);
    expect(t.items()[1]!.dataset.key).toBe(clientMsgid);
    expect(t.items()[1]!.dataset.msgid).toBe('m-9');
  });

  it('stops on a refusal retrying cannot fix, without offering to send it again', async () => {
    t = mountTest();
    t.api.answer('sendMessage', new ApiError(400, 'invalid_request', 'text: too long'));
    await t.send('x'.repeat(20));
    const item = t.items()[0]!;
    expect(item.querySelector('.error')?.textContent).toBe('Not sent. The message was not accepted.');
    expect(item.querySelector('.ticks')?.getAttribute('aria-label')).toBe('Not sent');
    expect(item.querySelector('.error button')).toBeNull();
  });

  it('stops a message after an outage outlasts its retries, keeps later ones in order, and sends it again on request with the same id', async () => {
    vi.useFakeTimers();
    t = mountTest();
    t.api.answer('sendMessage', ...Array.from({ length: MAX_TRIES }, () => new ApiError(503, 'unavailable', 'down')));
    await t.send('first');
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    await t.send('second');
    await vi.advanceTimersByTimeAsync(0);
    expect(t.texts()).toEqual(['first', 'second']);
    const item = t.items()[0]!;
    expect(item.querySelector('.error')?.textContent).toContain('Not sent. There was no connection for too long.');
    item.querySelector<HTMLButtonElement>('.error button')!.click();
    await vi.advanceTimersByTimeAsync(0);
    const sends = t.api.callsOf('sendMessage') as Array<[string, { clientMsgid: string; text: string }]>;
    expect(sends.map((c) => c[1].text)).toEqual([...Array.from({ length: MAX_TRIES }, () => 'first'), 'second', 'first']);
    expect(sends.at(-1)![1].clientMsgid).toBe(sends[0]![1].clientMsgid);
    expect(t.texts()).toEqual(['first', 'second']);
    expect(t.$$('.error')).toHaveLength(0);
  });

  it('keeps a stopped message in its place across a reload, with its reason', async () => {
    t = mountTest();
    await t.send('one');
    t.api.answer('sendMessage', new ApiError(400, 'invalid_request', 'text: too long'));
    await t.send('refused');
    await t.send('three');
    expect(t.texts()).toEqual(['one', 'refused', 'three']);
    t.bubble.destroy();

    const api = new FakeApi();
    api.history = [
      { msgid: 'm-1', clientMsgid: 'c-x', author: 'visitor', kind: 'text', text: 'one', state: 'delivered', reactions: [], createdAt: Date.now() - 1000 },
      { msgid: 'm-3', author: 'visitor', kind: 'text', text: 'three', state: 'delivered', reactions: [], createdAt: Date.now() + 1000 },
    ];
    t = mountTest({ api });
    api.stream.handlers.onOpen(false);
    await flush(20);
    expect(t.texts()).toEqual(['one', 'refused', 'three']);
    expect(t.items()[1]!.querySelector('.error')?.textContent).toBe('Not sent. The message was not accepted.');
    expect(api.callsOf('sendMessage')).toHaveLength(0);
  });

  it('gets a new session when the token is refused, then delivers', async () => {
    vi.useFakeTimers();
    t = mountTest();
    await t.send('one');
    t.api.answer('sendMessage', new ApiError(401, 'unauthorized', 'expired'));
    await t.send('two');
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.api.callsOf('createSession')).toHaveLength(2);
    const last = t.api.callsOf('sendMessage').at(-1) as [string, { text: string }];
    expect(last).toEqual(['token-2', expect.objectContaining({ text: 'two' })]);
    expect(t.texts()).toEqual(['one', 'two']);
  });
});

describe('live events and reconnects', () => {
  it('shows a message once however many times it arrives (stream, replay after reconnect, history)', async () => {
    t = mountTest();
    await t.send('Hello');
    const m = managerMessage({ text: 'Welcome' });
    t.api.stream.emit({ type: 'message', message: m }, 'e-1');
    t.api.history = [{ msgid: 'm-1', clientMsgid: 'whatever', author: 'visitor', kind: 'text', text: 'Hello', state: 'delivered', reactions: [], createdAt: m.createdAt - 1000 }, m];
    t.api.stream.handlers.onDown();
    t.api.stream.handlers.onOpen(true);
    t.api.stream.emit({ type: 'message', message: { ...m } }, 'e-1');
    await flush(20);
    expect(t.texts()).toEqual(['Hello', 'Welcome']);
    expect(t.items()[0]!.querySelector('.ticks')?.getAttribute('aria-label')).toBe('Delivered');
  });

  it('applies a status that arrives before the 202 once the message has its msgid', async () => {
    t = mountTest();
    await t.send('first');
    let accept!: (v: { msgid: string }) => void;
    t.api.answer('sendMessage', new Promise((resolve) => (accept = resolve)));
    await t.send('second');
    t.api.stream.emit({ type: 'status', msgid: 'm-7', state: 'delivered' });
    accept({ msgid: 'm-7' });
    await flush(20);
    expect(t.items()[1]!.querySelector('.ticks')?.getAttribute('aria-label')).toBe('Delivered');
  });

  it('resends the outbox when the stream comes back', async () => {
    vi.useFakeTimers();
    t = mountTest();
    await t.send('one');
    t.api.answer('sendMessage', network());
    await t.send('two');
    t.api.stream.handlers.onDown();
    expect(t.$('.notice').textContent).toContain('No connection');
    t.api.stream.handlers.onOpen(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.api.callsOf('sendMessage')).toHaveLength(3);
    expect(t.texts()).toEqual(['one', 'two']);
    expect(t.$('.notice').hidden).toBe(true);
  });
});

describe('across page loads', () => {
  it('keeps the session, the history and the last event id per site key', async () => {
    t = mountTest();
    await t.send('Hello');
    t.api.stream.emit({ type: 'message', message: managerMessage({ text: 'Hi there' }) }, 'e-42');
    const saved = JSON.parse(localStorage.getItem(`amo-webchat:${SITE_KEY}`)!);
    expect(saved.session).toEqual({ token: 'token-1', conversationId: 'conv-1' });
    t.bubble.destroy();

    const api = new FakeApi();
    api.history = [{ msgid: 'm-1', author: 'visitor', kind: 'text', text: 'Hello', state: 'read', reactions: [], createdAt: Date.now() - 10 }, managerMessage({ text: 'Hi there' })];
    t = mountTest({ api });
    expect(api.callsOf('openEvents')).toEqual([['token-1', 'e-42']]);
    api.stream.handlers.onOpen(false);
    await flush(20);
    expect(api.callsOf('createSession')).toHaveLength(0);
    expect(t.texts()).toEqual(['Hello', 'Hi there']);
  });

  it('sends what was still in the outbox when the page was closed', async () => {
    vi.useFakeTimers();
    t = mountTest();
    await t.send('one');
    t.api.answer('sendMessage', network());
    await t.send('lost on close?');
    t.bubble.destroy();

    const api = new FakeApi();
    t = mountTest({ api });
    expect(t.texts()).toEqual(['lost on close?']);
    await vi.advanceTimersByTimeAsync(0);
    expect(api.callsOf('sendMessage')).toEqual([['token-1', expect.objectContaining({ text: 'lost on close?' })]]);
  });

  it('starts no session (and no stream) until the visitor sends something', () => {
    t = mountTest();
    t.bubble.open();
    t.type('typing only');
    // Only the site's settings, which need no session.
    expect(t.api.calls.map((c) => c.method)).toEqual(['loadSettings']);
  });
});
