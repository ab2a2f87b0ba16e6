/**
 * `GET`/`PUT /widget/settings` over real HTTP against the emulators: validation, admin rights,
 * the identity secret, and the amoCRM source that routes each account's new chats into the
 * pipeline its admin chose (created once, moved on change, carried by every new chat).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ACCOUNT } from '../../server/sandbox/amocrm/index.js';
import type { TestBackend } from '../support/server.js';
import { OTHER_ACCOUNT, emulators, startWithTwoAccounts, widget } from '../support/amocrm.js';
import { Visitor, waitFor } from './bridge-helpers.js';

const A = SANDBOX_ACCOUNT.id;
const B = OTHER_ACCOUNT.id;
const MANAGER = SANDBOX_ACCOUNT.users.find((u) => !u.isAdmin)!.id;
const [SALES, SUPPORT] = SANDBOX_ACCOUNT.pipelines!.map((p) => p.id) as [number, number];
const B_PIPELINE = B * 10 + 1; // the one main pipeline an account without a list has

let backend: TestBackend;

beforeAll(async () => {
  backend = await startWithTwoAccounts();
});
afterAll(() => backend.stop());

const put = (body: unknown, accountId = A, userId?: number) =>
  widget(backend, 'PUT', '/widget/settings', { body, mint: { accountId, ...(userId !== undefined ? { userId } : {}) } });
const get = (accountId = A, userId?: number) => widget(backend, 'GET', '/widget/settings', { mint: { accountId, ...(userId !== undefined ? { userId } : {}) } });

/** A visitor of the account's site writes once; the chat the emulated amoCRM made for it. */
async function newChat(accountId: number, amojoId: string) {
  const siteKey = await backend.services.store.accounts.ensureSiteKey(accountId);
  const visitor = await Visitor.open(backend.url, siteKey, { name: 'Vera' });
  await visitor.send('hello');
  const scopeId = (await backend.services.store.accounts.get(accountId))!.scope_id!;
  const chat = await waitFor(() => emulators(backend).amojo.chats(scopeId).find((c) => c.conversationId === visitor.conversationId && c.lead), 5000, 'chat with a lead');
  expect(emulators(backend).amocrm.account(accountId).amojoId).toBe(amojoId);
  return { visitor, chat, scopeId };
}

describe('reading the settings', () => {
  it('answers the defaults, no pipeline, and the identity secret to an admin only', async () => {
    const admin = await get();
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({
      webchat: { color: '#2563eb', position: 'right', language: 'auto', hours: null, prechat: { name: 'optional' }, consent: { required: false, url: null }, store_before_open: false },
      pipeline_id: { webchat: null, telegram: null },
      identity_secret: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const manager = await get(A, MANAGER);
    expect(manager.status).toBe(200);
    expect(manager.body).not.toHaveProperty('identity_secret');
    expect(manager.body['webchat']).toEqual(admin.body['webchat']);
    // One secret per account, kept.
    expect((await get()).body['identity_secret']).toBe(admin.body['identity_secret']);
    expect((await get(B)).body['identity_secret']).not.toBe(admin.body['identity_secret']);
  });

  it('lists the account\'s pipelines for the picker', async () => {
    const res = await widget(backend, 'GET', '/widget/pipelines', { mint: { accountId: A } });
    expect(res.status).toBe(200);
    expect(res.body['pipelines']).toEqual([
      { id: SALES, name: 'Sales', is_main: true },
      { id: SUPPORT, name: 'Support', is_main: false },
    ]);
  });
});

describe('changing the settings', () => {
  it('refuses a manager with 403 and changes nothing', async () => {
    const res = await put({ webchat: { position: 'left' }, pipeline_id: { webchat: SUPPORT } }, A, MANAGER);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'not_admin' });
    expect((await get()).body).toMatchObject({ webchat: { position: 'right' }, pipeline_id: { webchat: null } });
    expect(emulators(backend).amocrm.sources(A)).toEqual([]);
  });

  it('names every bad field in one 400 and saves nothing', async () => {
    const res = await put({
      webchat: { color: '#7dd3fc', position: 'top', language: 'de', hours: { timezone: 'Mars/Olympus', days: { mon: [['18:00', '09:00']], tue: [['09:00', '13:00'], ['12:00', '18:00']] } }, prechat: { phone: 'maybe' } },
      pipeline_id: { webchat: 999999 },
    });
    expect(res.status).toBe(400);
    expect(res.body['error']).toBe('invalid_request');
    const message = String(res.body['message']);
    for (const field of ['webchat.color', 'webchat.position', 'webchat.language', 'webchat.hours.timezone', 'webchat.hours.days.mon.0', 'webchat.hours.days.tue', 'webchat.prechat.phone']) expect(message).toContain(`${field}:`);
    expect(message).toContain('webchat.hours.days.tue: intervals of a day must not overlap');
    expect(message).toMatch(/contrast of 1\.\d\d:1, below the 4\.5:1 that WCAG AA asks for/);
    expect((await get()).body).toMatchObject({ webchat: { color: '#2563eb', position: 'right' } });
  });

  it('refuses an unknown pipeline and identity_secret in the body', async () => {
    const unknown = await put({ webchat: { position: 'left' }, pipeline_id: { webchat: 999999 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body['message']).toContain('pipeline_id.webchat: the account has no pipeline 999999');
    expect((await put({ identity_secret: 'mine' })).body['message']).toContain('identity_secret:');
    expect((await put({ pipeline_id: { telegram: 999999 } })).body['message']).toContain('pipeline_id.telegram: the account has no pipeline 999999');
    expect((await get()).body).toMatchObject({ webchat: { position: 'right' }, pipeline_id: { webchat: null, telegram: null } });
    expect(emulators(backend).amocrm.sources(A)).toEqual([]);
  });

  it('saves a valid change and answers like GET, merging partial objects', async () => {
    const res = await put({ webchat: { color: '#1E3A8A', title: 'Ask us', prechat: { email: 'required' }, consent: { required: true, url: 'https://example.com/privacy' } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      webchat: { color: '#1e3a8a', title: 'Ask us', prechat: { name: 'optional', phone: 'optional', email: 'required' }, consent: { required: true } },
      identity_secret: expect.any(String),
    });
    expect((await get(A, MANAGER)).body['webchat']).toEqual(res.body['webchat']);
  });
});

describe('the pipeline of new chats (Sources API)', () => {
  it('routes new chats by source per account, and a pipeline change moves only later chats', async () => {
    // Before any choice: no source is sent, the lead goes where amoCRM's default logic puts it.
    const before = await newChat(A, SANDBOX_ACCOUNT.amojoId);
    expect(before.chat.sourceExternalId).toBeUndefined();

    const chosen = await put({ pipeline_id: { webchat: SUPPORT } });
    expect(chosen.status).toBe(200);
    expect(chosen.body['pipeline_id']).toEqual({ webchat: SUPPORT, telegram: null });
    const [source] = emulators(backend).amocrm.sources(A);
    expect(emulators(backend).amocrm.sources(A)).toHaveLength(1);
    expect(source).toMatchObject({ pipelineId: SUPPORT, originCode: backend.config.channel.code, name: backend.config.channel.title });

    const first = await newChat(A, SANDBOX_ACCOUNT.amojoId);
    expect(first.chat.sourceExternalId).toBe(source!.externalId);
    expect(first.chat.lead?.pipelineId).toBe(SUPPORT);
    const firstAmojo = emulators(backend).amojo.messages(first.chat.id);
    expect(firstAmojo[0]?.sourceExternalId).toBe(source!.externalId);

    // The same source moves; it is not created again.
    expect((await put({ pipeline_id: { webchat: SALES } })).status).toBe(200);
    expect(emulators(backend).amocrm.sources(A)).toEqual([{ ...source, pipelineId: SALES }]);
    const second = await newChat(A, SANDBOX_ACCOUNT.amojoId);
    expect(second.chat.lead?.pipelineId).toBe(SALES);

    // The earlier chat keeps its lead where it was, even after writing again.
    await first.visitor.send('still there?');
    await waitFor(() => emulators(backend).amojo.messages(first.chat.id).length === 2 || undefined);
    expect(emulators(backend).amojo.chats(first.scopeId).find((c) => c.id === first.chat.id)?.lead?.pipelineId).toBe(SUPPORT);

    // Account B has its own source, untouched by A's choices.
    expect(emulators(backend).amocrm.sources(B)).toEqual([]);
    expect((await put({ pipeline_id: { webchat: B_PIPELINE } }, B)).status).toBe(200);
    expect(emulators(backend).amocrm.sources(B)).toHaveLength(1);
    expect(emulators(backend).amocrm.sources(A)[0]?.pipelineId).toBe(SALES);
    const other = await newChat(B, OTHER_ACCOUNT.amojoId);
    expect(other.chat.lead?.pipelineId).toBe(B_PIPELINE);
  });

  it('does not clear a chosen pipeline, and the same choice again writes nothing', async () => {
    const calls = () => emulators(backend).amocrm.requests().filter((r) => r.path.startsWith('/api/v4/sources') && r.method !== 'GET').length;
    const before = calls();
    expect((await put({ pipeline_id: { webchat: SALES } })).status).toBe(200);
    expect(calls()).toBe(before);
    const cleared = await put({ pipeline_id: { webchat: null } });
    expect(cleared.status).toBe(400);
    expect(cleared.body['message']).toContain('pipeline_id.webchat:');
    expect((await get()).body['pipeline_id']).toEqual({ webchat: SALES, telegram: null });
  });

  it('a repeat after a lost answer updates the source amoCRM already made instead of making a second', async () => {
    await backend.services.store.settings.save(B, { sources: {} });
    expect((await put({ pipeline_id: { webchat: B_PIPELINE } }, B)).status).toBe(200);
    expect(emulators(backend).amocrm.sources(B)).toHaveLength(1);
  });
});
