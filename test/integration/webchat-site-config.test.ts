/**
 * The website chat as the admin configures it in amoCRM, over real HTTP against the emulators:
 * settings saved in the widget reach the bubble's settings request, working hours mark messages
 * written out of hours, signed-in visitors keep one conversation on every device, and an admin
 * deletes a visitor's data.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ACCOUNT } from '../../server/sandbox/amocrm/index.js';
import { startTestBackend, type TestBackend } from '../support/server.js';
import { emulators, install, widget } from '../support/amocrm.js';
import { PNG_1X1, Visitor, call, waitFor } from './bridge-helpers.js';

const A = SANDBOX_ACCOUNT.id;
const MANAGER = SANDBOX_ACCOUNT.users.find((u) => !u.isAdmin)!.id;

let backend: TestBackend;
let siteKey: string;
let scopeId: string;

beforeAll(async () => {
  backend = await startTestBackend();
  expect((await install(backend, A)).status).toBe(200);
  siteKey = await backend.services.store.accounts.ensureSiteKey(A);
  scopeId = (await backend.services.store.accounts.get(A))!.scope_id!;
});
afterAll(() => backend.stop());

const put = (body: unknown, userId?: number) => widget(backend, 'PUT', '/widget/settings', { body, mint: { accountId: A, ...(userId !== undefined ? { userId } : {}) } });
const adminPost = (path: string, body: unknown = {}, userId?: number) => widget(backend, 'POST', path, { body, mint: { accountId: A, ...(userId !== undefined ? { userId } : {}) } });
const bubbleSettings = () => call(`${backend.url}/webchat/v1/settings?site_key=${encodeURIComponent(siteKey)}`, 'GET', undefined);
const secret = async () => String((await widget(backend, 'GET', '/widget/settings', { mint: { accountId: A } })).body['identity_secret']);
const hashOf = (key: string, userId: string) => createHmac('sha256', key).update(userId).digest('hex');
const session = (body: Record<string, unknown>) => call<{ visitor_token: string; conversation_id: string }>(`${backend.url}/webchat/v1/sessions`, 'POST', undefined, { site_key: siteKey, ...body });

/** What amoCRM (the emulator) received for a conversation, oldest first. */
async function texts(conversationId: string, count: number): Promise<string[]> {
  const amojo = emulators(backend).amojo;
  return waitFor(() => {
    const chat = amojo.chats(scopeId).find((c) => c.conversationId === conversationId);
    const list = chat ? amojo.messages(chat.id) : [];
    return list.length >= count ? list.map((m) => String(m.content.text ?? '')) : undefined;
  }, 5000, `${count} messages at amojo`);
}

/** Every weekday open all day, or closed all day, in a time zone. */
const allWeek = (ranges: [string, string][]) => Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ranges]));

describe('settings saved in the widget reach the bubble', () => {
  it('answers the saved settings (nothing secret) at the bubble\'s settings request', async () => {
    const saved = await put({ webchat: { color: '#1e3a8a', position: 'left', title: 'Ask Shop', greeting: 'Hi there', language: 'es', prechat: { email: 'required', phone: 'off' }, consent: { required: true, url: 'https://shop.example/privacy' }, store_before_open: true } });
    expect(saved.status).toBe(200);
    const res = await bubbleSettings();
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    const body = res.body;
    expect(body).toMatchObject({ color: '#1e3a8a', position: 'left', greeting: 'Hi there', language: 'es', prechat: { name: 'optional', phone: 'off', email: 'required' }, consent: { required: true, url: 'https://shop.example/privacy' }, store_before_open: true, max_file_bytes: 20_000_000 });
    expect(JSON.stringify(body)).not.toContain(await secret());
    await put({ webchat: { position: 'right', title: null, greeting: null, language: 'auto', prechat: { email: 'optional', phone: 'optional' }, consent: { required: false }, store_before_open: false } });
  });
});

describe('working hours', () => {
  it('marks a message written out of hours for the managers, in the account\'s language, and not for the visitor', async () => {
    expect((await put({ webchat: { hours: { timezone: 'Pacific/Kiritimati', days: {} } } })).status).toBe(200);
    const visitor = await Visitor.open(backend.url, siteKey, { name: 'Nora' });
    await visitor.send('Are you open?');
    const [first] = await texts(visitor.conversationId, 1);
    // The sandbox account's language is Russian.
    expect(first).toMatch(/^🌙 (Написано в нерабочее время|Written outside working hours)\nAre you open\?$/);
    const own = await visitor.messages();
    expect(own.messages.map((m) => m['text'])).toEqual(['Are you open?']);

    expect((await put({ webchat: { hours: { timezone: 'Europe/Moscow', days: allWeek([['00:00', '23:59']]) } } })).status).toBe(200);
    // One minute a day (23:59–24:00) is outside these hours; the test does not run then.
    await visitor.send('Thanks');
    expect((await texts(visitor.conversationId, 2))[1]).toBe('Thanks');
    await put({ webchat: { hours: null } });
  });
});

describe('signed-in visitors (user_id + user_hash)', () => {
  it('gives the same user the same conversation on every device, and joins what each device tells', async () => {
    const key = await secret();
    const phone = await session({ user_id: 'customer-17', user_hash: hashOf(key, 'customer-17'), name: 'Ivan' });
    expect(phone.status).toBe(201);
    const laptop = await session({ user_id: 'customer-17', user_hash: hashOf(key, 'customer-17').toUpperCase(), email: 'ivan@example.com' });
    expect(laptop.status).toBe(200);
    expect(laptop.body.conversation_id).toBe(phone.body.conversation_id);
    const onPhone = new Visitor(backend.url, phone.body.visitor_token, phone.body.conversation_id);
    await onPhone.send('from the phone');
    const onLaptop = new Visitor(backend.url, laptop.body.visitor_token, laptop.body.conversation_id);
    expect((await onLaptop.messages()).messages.map((m) => m['text'])).toEqual(['from the phone']);
    const stored = await backend.services.bridge.conversations.get(phone.body.conversation_id as never);
    expect(stored).toMatchObject({ participantName: 'Ivan', profile: { email: 'ivan@example.com' } });
    // Another user, and an anonymous visitor, get conversations of their own.
    const other = await session({ user_id: 'customer-18', user_hash: hashOf(key, 'customer-18') });
    expect(other.body.conversation_id).not.toBe(phone.body.conversation_id);
    expect((await session({})).body.conversation_id).not.toBe(phone.body.conversation_id);
  });

  it('moves a visitor who signs in after writing anonymously to their own conversation, and checks the hash then too', async () => {
    const key = await secret();
    const anonymous = await Visitor.open(backend.url, siteKey);
    const signIn = (hash: string) => call<{ conversation_id: string }>(`${backend.url}/webchat/v1/sessions`, 'POST', anonymous.token, { site_key: siteKey, user_id: 'customer-17', user_hash: hash });
    expect((await signIn(hashOf(key, 'someone-else'))).status).toBe(401);
    const res = await signIn(hashOf(key, 'customer-17'));
    expect([200, 201]).toContain(res.status);
    expect(res.body.conversation_id).not.toBe(anonymous.conversationId);
    expect(res.body.conversation_id).toBe((await session({ user_id: 'customer-17', user_hash: hashOf(key, 'customer-17') })).body.conversation_id);
  });

  it('refuses a user_id without a valid hash with 401 and opens nothing', async () => {
    const key = await secret();
    for (const body of [{ user_id: 'customer-17' }, { user_id: 'customer-17', user_hash: hashOf(key, 'customer-18') }, { user_id: 'customer-17', user_hash: 'zz' }, { user_id: 'customer-17', user_hash: hashOf('another-secret', 'customer-17') }]) {
      const res = await session(body);
      expect([res.status, (res.body as unknown as Record<string, unknown>)['error']]).toEqual([401, 'invalid_user_hash']);
    }
    expect((await session({ user_hash: hashOf(key, 'x') })).status).toBe(400);
  });

  it('stops hashes of the old secret once the admin makes a new one; managers may not', async () => {
    expect((await adminPost('/widget/identity-secret/rotate', {}, MANAGER)).status).toBe(403);
    const old = await secret();
    const rotated = await adminPost('/widget/identity-secret/rotate');
    expect(rotated.status).toBe(200);
    const fresh = String(rotated.body['identity_secret']);
    expect(fresh).toMatch(/^[0-9a-f]{64}$/);
    expect(fresh).not.toBe(old);
    expect((await session({ user_id: 'customer-17', user_hash: hashOf(old, 'customer-17') })).status).toBe(401);
    expect((await session({ user_id: 'customer-17', user_hash: hashOf(fresh, 'customer-17') })).status).toBe(200);
  });
});

describe('deleting a visitor\'s data', () => {
  it('deletes the conversations, messages, files and profile of the visitor found by e-mail, and nobody else\'s', async () => {
    const visitor = await Visitor.open(backend.url, siteKey, { name: 'Olga', email: 'olga@example.com' });
    const bystander = await Visitor.open(backend.url, siteKey, { name: 'Petr', email: 'petr@example.com' });
    const upload = await visitor.upload(PNG_1X1, 'me.png', 'image/png');
    expect(upload.status).toBe(201);
    await visitor.send('my address is …');
    await visitor.send('', { file_id: upload.body['file_id'] });
    await bystander.send('hello');
    const fileRow = await backend.services.bridge.files.get(upload.body['file_id'] as never);
    // The bytes themselves, wherever the store keeps them (a file on disk, rows in PostgreSQL).
    const bytesStored = async (): Promise<boolean> => {
      const bytes = await backend.services.bridge.files.read(fileRow!);
      bytes?.destroy();
      return bytes !== undefined;
    };
    expect(await bytesStored()).toBe(true);

    const bad = await adminPost('/widget/visitor-data/delete', { email: 'olga@example.com', phone: '+7 900 000 00 00' });
    expect(bad.status).toBe(400);
    expect((await adminPost('/widget/visitor-data/delete', { email: 'olga@example.com' }, MANAGER)).status).toBe(403);

    const res = await adminPost('/widget/visitor-data/delete', { email: 'OLGA@example.com' });
    expect(res.status).toBe(200);
    expect(res.body['deleted']).toEqual({ conversations: 1, messages: 2, files: 1 });
    expect(await backend.services.bridge.conversations.get(visitor.conversationId as never)).toBeUndefined();
    expect(await bytesStored()).toBe(false);
    expect((await fetch(String(upload.body['url']))).status).toBe(404);
    // The visitor's old token names nothing now: the page starts a new conversation.
    expect((await call(`${backend.url}/webchat/v1/messages`, 'GET', visitor.token)).status).toBe(401);
    expect((await bystander.messages()).messages).toHaveLength(1);
    // Nothing left to find.
    expect((await adminPost('/widget/visitor-data/delete', { email: 'olga@example.com' })).body['deleted']).toEqual({ conversations: 0, messages: 0, files: 0 });
  });

  it('finds a signed-in visitor by user_id', async () => {
    const key = await secret();
    const s = await session({ user_id: 'gone-1', user_hash: hashOf(key, 'gone-1') });
    await new Visitor(backend.url, s.body.visitor_token, s.body.conversation_id).send('bye');
    const res = await adminPost('/widget/visitor-data/delete', { user_id: 'gone-1' });
    expect(res.body['deleted']).toEqual({ conversations: 1, messages: 1, files: 0 });
    const again = await session({ user_id: 'gone-1', user_hash: hashOf(key, 'gone-1') });
    expect(again.status).toBe(201);
    expect(again.body.conversation_id).not.toBe(s.body.conversation_id);
  });
});
