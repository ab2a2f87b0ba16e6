/**
 * The page a visitor wrote from reaches amoCRM as the last line of the message text, scheme, host and path
 * only; it survives an edit, is never shown back to the visitor, and a bad page is refused with a 400 that
 * stores nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PNG_1X1, Visitor, call, emulatorMessages, startBridgeBackend, waitFor, waitForEmulatorMessages, type BridgeBackend } from './bridge-helpers.js';

let b: BridgeBackend;
beforeEach(async () => {
  b = await startBridgeBackend();
});
afterEach(async () => {
  await b.stop();
});

describe('page context', () => {
  it('adds the page as the last line of the text amoCRM gets, without query, fragment or credentials', async () => {
    const v = await Visitor.open(b.url, b.siteKey);
    const page = { url: 'https://user:pw@shop.example/pricing/pro?reset_token=s3cr3t&utm=x#plans', title: '  Pricing — Pro  ' };
    await v.send('How much is it?', { page });
    await v.send('And with support?');
    const [first, second] = await waitForEmulatorMessages(b, v.conversationId, 2);
    expect(first!.content.text).toBe('How much is it?\n\n🔗 Pricing — Pro — https://shop.example/pricing/pro');
    expect(second!.content.text).toBe('And with support?');
    expect(JSON.stringify(emulatorMessages(b, v.conversationId))).not.toContain('s3cr3t');
    // The visitor's own history shows what they wrote, not the line for the manager.
    const history = await v.messages();
    expect(history.messages.map((m) => m['text'])).toEqual(['How much is it?', 'And with support?']);
  });

  it('keeps the page line when the visitor edits the message, and captions a file with it', async () => {
    const v = await Visitor.open(b.url, b.siteKey);
    const msgid = await v.send('first', { page: { url: 'http://127.0.0.1:8080/contacts' } });
    await waitForEmulatorMessages(b, v.conversationId, 1);
    await waitFor(async () => (await b.services.store.bridge.messages.get(msgid as never))?.status === 'sent');
    const edit = await call(`${b.url}/webchat/v1/messages/${msgid}`, 'PATCH', v.token, { text: 'first, corrected' });
    expect(edit.status).toBe(202);
    await waitFor(() => emulatorMessages(b, v.conversationId)[0]?.content.text === 'first, corrected\n\n🔗 http://127.0.0.1:8080/contacts', 5000, 'edit at amojo');

    const up = await v.upload(PNG_1X1, 'screen.png', 'image/png');
    const r = await v.post('/messages', { client_msgid: randomUUID(), file_id: up.body['file_id'], page: { url: 'https://shop.example/cart', title: 'Cart' } });
    expect(r.status).toBe(202);
    const [, picture] = await waitForEmulatorMessages(b, v.conversationId, 2);
    expect(picture!.content).toMatchObject({ type: 'picture', text: '🔗 Cart — https://shop.example/cart' });
  });

  it('refuses a page that is not an http(s) address or is too long, and stores nothing', async () => {
    const v = await Visitor.open(b.url, b.siteKey);
    const bad = [
      { url: 'javascript:alert(1)' },
      { url: 'file:///etc/passwd' },
      { url: 'not a url' },
      { url: `https://shop.example/${'a'.repeat(2100)}` },
      { url: 'https://shop.example/', title: 'x'.repeat(201) },
      { url: 42 },
    ];
    for (const page of bad) {
      const r = await v.post('/messages', { client_msgid: randomUUID(), text: 'hi', page });
      expect(r.status, JSON.stringify(page).slice(0, 60)).toBe(400);
      expect(JSON.stringify(r.body)).toContain('page');
    }
    expect((await v.messages()).messages).toHaveLength(0);
  });

  it('cuts a long path to 500 characters', async () => {
    const v = await Visitor.open(b.url, b.siteKey);
    await v.send('long', { page: { url: `https://shop.example/${'p'.repeat(1500)}?q=1` } });
    const [m] = await waitForEmulatorMessages(b, v.conversationId, 1);
    const line = m!.content.text!.split('\n').at(-1)!;
    expect(line).toBe(`🔗 ${`https://shop.example/${'p'.repeat(1500)}`.slice(0, 500)}`);
  });
});
