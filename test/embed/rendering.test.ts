// @vitest-environment jsdom
/**
 * Each kind of message as the visitor sees it: text, picture, file, voice, video, quotes, quick-reply
 * buttons, reactions, edits and the delivery ticks of the visitor's own messages.
 */
import { vi, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flush, managerMessage } from './support/fake-api.js';
import { mountTest, type TestBubble } from './support/mount.js';

let t: TestBubble;

beforeEach(async () => {
  localStorage.clear();
  t = mountTest();
  await t.send('Hi'); // starts the session and the event stream
});
afterEach(() => t.bubble.destroy());

const last = (): HTMLLIElement => t.items().at(-1)!;

describe('message kinds', () => {
  it('shows a manager text with the manager name, and the visitor text without an author line', () => {
    t.api.stream.emit({ type: 'message', message: managerMessage({ text: 'How can I help?', authorName: 'Anna' }) });
    expect(t.items()).toHaveLength(2);
    expect(t.items()[0]!.classList.contains('own')).toBe(true);
    expect(t.items()[0]!.querySelector('.sr-only')?.textContent).toBe('You: ');
    expect(last().querySelector('.author')?.textContent).toBe('Anna');
    expect(last().querySelector('.text')?.textContent).toBe('How can I help?');
  });

  it('shows a picture as an image that opens full size, with its name as the alternative text', () => {
    t.api.stream.emit({ type: 'message', message: managerMessage({ kind: 'picture', text: '', attachment: { url: 'https://x.test/p.png', name: 'plan.png', thumbnail: 'https://x.test/p_320.png' } }) });
    const img = last().querySelector('img')!;
    expect(img.getAttribute('src')).toBe('https://x.test/p_320.png');
    expect(img.getAttribute('alt')).toBe('plan.png');
    expect(img.closest('a')?.getAttribute('href')).toBe('https://x.test/p.png');
  });

  it('shows a file as a download link with its size', () => {
    t.api.stream.emit({ type: 'message', message: managerMessage({ kind: 'file', text: 'The invoice', attachment: { url: 'https://x.test/i.pdf', name: 'invoice.pdf', size: 20480 } }) });
    const link = last().querySelector('a.file')!;
    expect(link.getAttribute('href')).toBe('https://x.test/i.pdf');
    expect(link.textContent).toContain('invoice.pdf');
    expect(link.textContent).toContain('21 KB');
    expect(last().querySelector('.text')?.textContent).toBe('The invoice');
  });

  it('plays voice notes and videos in place', () => {
    t.api.stream.emit({ type: 'message', message: managerMessage({ kind: 'voice', text: '', attachment: { url: 'https://x.test/v.ogg', name: 'v.ogg' } }) });
    expect(last().querySelector('audio')?.getAttribute('src')).toBe('https://x.test/v.ogg');
    expect(last().querySelector('audio')?.getAttribute('aria-label')).toBe('Voice message');
    t.api.stream.emit({ type: 'message', message: managerMessage({ kind: 'video', text: '', attachment: { url: 'https://x.test/v.mp4', name: 'v.mp4' } }) });
    expect(last().querySelector('video')?.hasAttribute('controls')).toBe(true);
  });

  it('shows a quote with the quoted author and text, and jumps to the quoted message', () => {
    const own = t.items()[0]!.dataset.msgid!;
    t.api.stream.emit({ type: 'message', message: managerMessage({ text: 'Sure', replyTo: { msgid: own, text: '' } }) });
    const quote = last().querySelector<HTMLButtonElement>('button.quote')!;
    expect(quote.textContent).toBe('YouHi');
    quote.click();
    expect(t.bubble.shadow.activeElement).toBe(t.items()[0]);
  });

  it('turns text buttons of the manager markup into quick replies that send their text, and url buttons into links', async () => {
    t.api.stream.emit({ type: 'message', message: managerMessage({ createdAt: Date.now(), text: 'Pick one', buttons: [[{ text: 'Yes' }, { text: 'No' }], [{ text: 'Site', url: 'https://example.test' }]] }) });
    const buttons = [...last().querySelectorAll<HTMLButtonElement>('.quick button')];
    expect(buttons.map((b) => b.textContent)).toEqual(['Yes', 'No']);
    expect(last().querySelector('.quick a')?.getAttribute('href')).toBe('https://example.test');
    buttons[0]!.click();
    // Sending goes through the outbox, which may take a timer turn, not only microtasks.
    await vi.waitFor(() => {
      expect(t.api.callsOf('sendMessage').at(-1)![1]).toMatchObject({ text: 'Yes' });
      expect(t.texts().at(-1)).toBe('Yes');
    });
  });

  it('shows reactions of both sides, the visitor’s own as a button that withdraws it', () => {
    const m = managerMessage();
    t.api.stream.emit({ type: 'message', message: m });
    t.api.stream.emit({ type: 'reaction', msgid: m.msgid!, author: 'manager', emoji: '👍' });
    expect(last().querySelector('.reactions [role=img]')?.getAttribute('aria-label')).toBe('👍 from Manager');
    t.api.stream.emit({ type: 'reaction', msgid: t.items()[0]!.dataset.msgid!, author: 'manager', emoji: '❤️' });
    expect(t.items()[0]!.querySelector('.reactions')?.textContent).toBe('❤️');
    t.api.stream.emit({ type: 'reaction', msgid: m.msgid!, author: 'manager', emoji: null });
    expect(last().querySelector('.reactions')).toBeNull();
  });

  it('marks edited messages and shows the new text', () => {
    const m = managerMessage({ text: 'Price is 10' });
    t.api.stream.emit({ type: 'message', message: m });
    t.api.stream.emit({ type: 'edit', msgid: m.msgid!, text: 'Price is 12', editedAt: Date.now() });
    expect(last().querySelector('.text')?.textContent).toBe('Price is 12');
    expect(last().querySelector('.edited')?.textContent).toBe('edited');
  });
});

describe('delivery ticks of own messages', () => {
  const ticks = (): HTMLElement => t.items()[0]!.querySelector('.ticks')!;

  it('go sent → delivered → read and never back', () => {
    const msgid = t.items()[0]!.dataset.msgid!;
    expect(ticks().getAttribute('aria-label')).toBe('Sent');
    t.api.stream.emit({ type: 'status', msgid, state: 'delivered' });
    expect(ticks().getAttribute('aria-label')).toBe('Delivered');
    t.api.stream.emit({ type: 'status', msgid, state: 'read' });
    t.api.stream.emit({ type: 'status', msgid, state: 'delivered' });
    expect(ticks().getAttribute('aria-label')).toBe('Read');
    expect(ticks().dataset.state).toBe('read');
  });

  it('show a clock while the message waits', async () => {
    t.api.answer('sendMessage', new Promise(() => undefined));
    await t.send('Pending one');
    expect(t.items().at(-1)!.querySelector('.ticks')?.getAttribute('aria-label')).toBe('Sending');
    expect(t.items().at(-1)!.querySelector('.actions')).toBeNull(); // nothing to reply to or edit yet
  });
});
