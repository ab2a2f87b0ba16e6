/**
 * The visitor's name, phone and e-mail in the amoCRM contact, over real HTTP against both emulators:
 * given before the first message they travel in the Chats API profile and amoCRM writes them into the
 * contact it creates (no REST call); given later, a contact job adds them through `/api/v4/contacts`,
 * keeping what a manager changed; a chat without a contact is linked through `/api/v4/contacts/chats`.
 * The emulated endpoints refuse what amoCRM refuses.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmocrmEmulator, SANDBOX_ACCOUNT } from '../../server/sandbox/amocrm/index.js';
import { emulatorRest, emulators, install } from '../support/amocrm.js';
import { startTestBackend, type TestBackend } from '../support/server.js';
import { Visitor, waitFor } from './bridge-helpers.js';

const A = SANDBOX_ACCOUNT.id;
let backend: TestBackend;
let siteKey: string;

beforeAll(async () => {
  backend = await startTestBackend();
  expect((await install(backend, A)).status).toBe(200);
  siteKey = await backend.services.store.accounts.ensureSiteKey(A);
});
afterAll(() => backend.stop());

const amocrm = () => emulators(backend).amocrm;
const contactCalls = () => amocrm().requests().filter((r) => r.path.startsWith('/api/v4/contacts'));
const contactOfChat = (chatId: string) => amocrm().contacts(A).find((c) => c.chatIds.includes(chatId));
const jobsDone = () => backend.services.jobRunner.whenIdle();

/** The visitor's chat as the emulated amoCRM made it, once its lead (and contact) exists. */
async function chatOf(visitor: Visitor) {
  const scopeId = (await backend.services.store.accounts.get(A))!.scope_id!;
  return waitFor(() => emulators(backend).amojo.chats(scopeId).find((c) => c.conversationId === visitor.conversationId && c.lead), 5000, 'chat with a lead');
}

/** The bubble's contact form: the same session endpoint, with the visitor's token. */
async function giveDetails(visitor: Visitor, details: { name?: string; phone?: string; email?: string }): Promise<void> {
  const res = await fetch(`${backend.url}/webchat/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${visitor.token}` },
    body: JSON.stringify({ site_key: siteKey, ...details }),
  });
  expect(res.status).toBe(200);
}

describe('contacts of website chats', () => {
  it('details given before the first message reach the new contact through the profile alone', async () => {
    const before = contactCalls().length;
    const visitor = await Visitor.open(backend.url, siteKey, { name: 'Vera Ivanova', phone: '+7 915 111-22-33', email: 'vera@example.org' });
    await visitor.send('hello');
    const chat = await chatOf(visitor);
    expect(contactOfChat(chat.id)).toMatchObject({ name: 'Vera Ivanova', phones: ['7 915 111-22-33'], emails: ['vera@example.org'] });
    await jobsDone();
    expect(contactCalls().slice(before)).toEqual([]);
  });

  it('details given after the chat started are added to its contact, which keeps one link', async () => {
    const visitor = await Visitor.open(backend.url, siteKey);
    await visitor.send('a question');
    const chat = await chatOf(visitor);
    const first = contactOfChat(chat.id)!;
    expect(first.name).toMatch(/^Website visitor /);
    expect(first.phones).toEqual([]);

    await giveDetails(visitor, { name: 'Oleg', phone: '+7 916 000-11-22', email: 'oleg@example.org' });
    const updated = await waitFor(() => contactOfChat(chat.id)?.emails.length && contactOfChat(chat.id), 5000, 'contact updated');
    expect(updated).toMatchObject({ id: first.id, name: 'Oleg', phones: ['+7 916 000-11-22'], emails: ['oleg@example.org'], chatIds: [chat.id] });
    expect(amocrm().contacts(A).filter((c) => c.chatIds.includes(chat.id))).toHaveLength(1);
  });

  it('a name the manager gave the contact stays; a second phone is added beside the first', async () => {
    const visitor = await Visitor.open(backend.url, siteKey, { name: 'Anna', phone: '+7 917 222-33-44' });
    await visitor.send('hi');
    const chat = await chatOf(visitor);
    const contact = contactOfChat(chat.id)!;
    await backend.services.amocrm.contacts.updateContact(A, contact.id, { name: 'Anna Smirnova (wholesale)' });

    await giveDetails(visitor, { name: 'Anna S.', phone: '+7 999 888-77-66' });
    const after = await waitFor(() => (contactOfChat(chat.id)?.phones.length === 2 ? contactOfChat(chat.id) : undefined), 5000, 'second phone');
    expect(after).toMatchObject({ name: 'Anna Smirnova (wholesale)', phones: ['7 917 222-33-44', '+7 999 888-77-66'] });
  });

  it('the same details again change nothing and call nobody', async () => {
    const visitor = await Visitor.open(backend.url, siteKey, { name: 'Ira', email: 'ira@example.org' });
    await visitor.send('hi');
    await chatOf(visitor);
    await jobsDone();
    const before = contactCalls().length;
    await giveDetails(visitor, { name: 'Ira', email: 'ira@example.org' });
    await jobsDone();
    expect(contactCalls().slice(before)).toEqual([]);
  });

  it('a contact change amoCRM refuses is parked with its answer; the conversation goes on', async () => {
    const visitor = await Visitor.open(backend.url, siteKey, { name: 'Rita' });
    await visitor.send('hi');
    const chat = await chatOf(visitor);
    await jobsDone();
    const deadBefore = (await backend.services.store.jobCounts()).find((c) => c.kind === 'bridge.contact' && c.state === 'dead')?.count ?? 0;
    amocrm().failNext({ count: 1, status: 400 });
    await giveDetails(visitor, { email: 'rita@example.org' });
    await waitFor(async () => ((await backend.services.store.jobCounts()).find((c) => c.kind === 'bridge.contact' && c.state === 'dead')?.count ?? 0) > deadBefore, 5000, 'parked job');
    expect(contactOfChat(chat.id)!.emails).toEqual([]);
    await visitor.send('still here');
    await waitFor(() => emulators(backend).amojo.messages(chat.id).some((m) => m.content.text === 'still here'), 5000, 'next message');
  });

  it('a chat without a contact is linked to the contact with that phone, or to a new one; repeating adds nothing', async () => {
    const scopeId = (await backend.services.store.accounts.get(A))!.scope_id!;
    const amojo = backend.services.amojo.scoped(backend.services.config.amojoBaseUrl!, scopeId);
    const newChat = async () => (await amojo.createChat({ conversation_id: randomUUID(), user: { id: randomUUID(), name: 'Write-first client' } })).amojoChatId;
    const contacts = backend.services.amocrm.contacts;

    const lone = await newChat();
    expect(contactOfChat(lone)).toBeUndefined();
    expect(await contacts.syncChatContact(A, lone, { name: 'Pavel', previousName: 'Write-first client', phone: '+44 20 7946 0000' })).toBe('created');
    const created = contactOfChat(lone)!;
    expect(created).toMatchObject({ name: 'Pavel', phones: ['+44 20 7946 0000'], chatIds: [lone] });
    expect(await contacts.syncChatContact(A, lone, { name: 'Pavel', previousName: 'Pavel', phone: '+44 20 7946 0000' })).toBe('unchanged');

    const second = await newChat();
    expect(await contacts.syncChatContact(A, second, { name: 'Pavel K', previousName: 'x', phone: '+442079460000', email: 'pavel@example.org' })).toBe('linked');
    expect(contactOfChat(second)).toMatchObject({ id: created.id, name: 'Pavel', emails: ['pavel@example.org'], chatIds: [lone, second] });
    expect(amocrm().contacts(A).filter((c) => c.phones.some((p) => p.replace(/\D/g, '') === '442079460000'))).toHaveLength(1);
  });
});

describe('the emulated contacts endpoints', () => {
  // An emulator of its own without the 7 requests/s limit: these calls go out unpaced.
  const OAUTH = { clientId: 'c0ffee00-0000-4000-8000-000000000002', clientSecret: 'contacts-test-secret-0123456789', redirectUri: 'https://backend.example.com/oauth/callback' };
  const emulator = createAmocrmEmulator({ ...OAUTH, accounts: [SANDBOX_ACCOUNT], rateLimit: false });
  const channelChats = new Set<string>();
  emulator.useChatDirectory((amojoId, chatId) => amojoId === SANDBOX_ACCOUNT.amojoId && channelChats.has(chatId));
  const rest = emulatorRest(emulator, OAUTH);
  let close: () => Promise<void>;
  let adminToken = '';
  const tokenOf = (userId?: number): Promise<string> => rest.accessToken({ accountId: A, ...(userId !== undefined ? { userId } : {}) });
  beforeAll(async () => {
    close = await rest.start();
    adminToken = await tokenOf();
  });
  afterAll(() => close());
  const api = (method: string, path: string, body?: unknown, token = adminToken) => rest.api(method, path, body, token);

  it('creates with PHONE and EMAIL, replaces a named field whole on PATCH, and answers 204 for what does not exist', async () => {
    const made = await api('POST', '/api/v4/contacts', [{ name: 'Lena', request_id: 'r1', custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '+1 202 555 0101', enum_code: 'MOB' }] }] }]);
    expect(made.status).toBe(200);
    const id = made.body!._embedded.contacts[0].id as number;
    expect(made.body!._embedded.contacts[0].request_id).toBe('r1');
    expect((await api('PATCH', `/api/v4/contacts/${id}`, { custom_fields_values: [{ field_code: 'EMAIL', values: [{ value: 'lena@example.org' }] }] })).status).toBe(200);
    expect((await api('PATCH', `/api/v4/contacts/${id}`, { custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '+1 202 555 0199' }] }] })).status).toBe(200);
    const read = await api('GET', `/api/v4/contacts/${id}`);
    expect(read.body!.custom_fields_values.map((f: { field_code: string; values: { value: string }[] }) => [f.field_code, f.values.map((v) => v.value)])).toEqual([
      ['PHONE', ['+1 202 555 0199']],
      ['EMAIL', ['lena@example.org']],
    ]);
    expect((await api('GET', '/api/v4/contacts?query=202%20555%200199')).body!._embedded.contacts.map((c: { id: number }) => c.id)).toEqual([id]);
    expect((await api('GET', '/api/v4/contacts/999999999')).status).toBe(204);
    expect((await api('GET', '/api/v4/contacts?query=nobody-has-this')).status).toBe(204);
    expect((await api('PATCH', '/api/v4/contacts/999999999', { name: 'x' })).status).toBe(404);
  });

  it('refuses unknown fields and enums, a body that is not an array, and names item and field', async () => {
    const bad = await api('POST', '/api/v4/contacts', [{ name: 'ok' }, { name: 'x', custom_fields_values: [{ field_code: 'SKYPE', values: [{ value: 'x' }] }, { field_code: 'EMAIL', values: [{ value: 'a@b.c', enum_code: 'MOB' }] }] }]);
    expect(bad.status).toBe(400);
    expect(bad.type).toMatch(/application\/problem\+json/);
    expect(bad.body!['validation-errors'].flatMap((e: { errors: { path: string }[] }) => e.errors.map((x) => x.path))).toEqual(['custom_fields_values.0', 'custom_fields_values.1.values.0.enum_code']);
    expect((await api('POST', '/api/v4/contacts', { name: 'not an array' })).status).toBe(400);
    expect((await api('POST', '/api/v4/contacts', [{ custom_fields_values: [{ field_id: 1, values: [{ value: 'x' }] }] }])).status).toBe(400);
    expect(emulator.contacts(A).some((c) => c.name === 'ok')).toBe(false);
  });

  it('links only chats of the channel, one contact per chat, for admins only', async () => {
    const chat = randomUUID();
    channelChats.add(chat);
    const fromLead = emulator.chatLeadOpened(SANDBOX_ACCOUNT.amojoId, chat, { name: 'Client', phone: '79150000001' })!;
    expect(fromLead).toMatchObject({ name: 'Client', phones: ['79150000001'], chatIds: [chat] });
    const made = await api('POST', '/api/v4/contacts', [{ name: 'Someone else' }]);
    const otherId = made.body!._embedded.contacts[0].id as number;

    const unknownChat = await api('POST', '/api/v4/contacts/chats', [{ contact_id: otherId, chat_id: randomUUID() }]);
    expect(unknownChat.status).toBe(400);
    expect(unknownChat.body!['validation-errors'][0].errors[0].path).toBe('chat_id');
    const taken = await api('POST', '/api/v4/contacts/chats', [{ contact_id: otherId, chat_id: chat }]);
    expect(taken.status).toBe(400);
    expect(taken.body!.detail).toMatch(/already linked/);
    expect((await api('POST', '/api/v4/contacts/chats', [{ contact_id: 1, chat_id: chat }])).status).toBe(400);
    // The same link again is no change.
    expect((await api('POST', '/api/v4/contacts/chats', [{ contact_id: fromLead.id, chat_id: chat }])).status).toBe(200);
    const listed = await api('GET', `/api/v4/contacts/chats?chat_id[]=${chat}`);
    expect(listed.body!._embedded.chats).toEqual([expect.objectContaining({ chat_id: chat, contact_id: fromLead.id })]);
    expect((await api('GET', '/api/v4/contacts/chats')).status).toBe(400);

    const second = randomUUID();
    channelChats.add(second);
    const manager = SANDBOX_ACCOUNT.users.find((u) => !u.isAdmin)!;
    expect((await api('POST', '/api/v4/contacts/chats', [{ contact_id: otherId, chat_id: second }], await tokenOf(manager.id))).status).toBe(403);
    expect((await api('POST', '/api/v4/contacts/chats', [{ contact_id: otherId, chat_id: second }])).status).toBe(200);
    expect(emulator.contacts(A).find((c) => c.id === otherId)!.chatIds).toEqual([second]);
  });
});
