/**
 * Signed-in visitors and deleting a visitor's data on PostgreSQL (the store's queries differ by
 * dialect): one conversation per user id across devices, found again by user id and by e-mail, and
 * deleted with its messages and files.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ACCOUNT } from '../../server/sandbox/amocrm/index.js';
import { createPostgresDatabase, postgresTestsEnabled, type TestDatabase } from '../support/postgres.js';
import { startTestBackend, type TestBackend } from '../support/server.js';
import { install, widget } from '../support/amocrm.js';
import { PNG_1X1, Visitor, call } from './bridge-helpers.js';

const A = SANDBOX_ACCOUNT.id;

describe.runIf(postgresTestsEnabled())('visitor identity and data deletion on PostgreSQL', () => {
  let db: TestDatabase;
  let backend: TestBackend;
  let siteKey: string;
  beforeAll(async () => {
    db = await createPostgresDatabase();
    backend = await startTestBackend({ databaseUrl: db.url });
    expect((await install(backend, A)).status).toBe(200);
    siteKey = await backend.services.store.accounts.ensureSiteKey(A);
  }, 60_000);
  afterAll(async () => {
    await backend?.stop();
    await db?.dispose();
  });

  const session = (body: Record<string, unknown>) => call<{ visitor_token: string; conversation_id: string }>(`${backend.url}/webchat/v1/sessions`, 'POST', undefined, { site_key: siteKey, ...body });
  const erase = async (body: unknown) => (await widget(backend, 'POST', '/widget/visitor-data/delete', { body, mint: { accountId: A } })).body['deleted'];

  it('keeps one conversation per user id and deletes it by user id, and another visitor by e-mail', async () => {
    const secret = String((await widget(backend, 'GET', '/widget/settings', { mint: { accountId: A } })).body['identity_secret']);
    const hash = createHmac('sha256', secret).update('pg-user').digest('hex');
    const one = await session({ user_id: 'pg-user', user_hash: hash });
    const two = await session({ user_id: 'pg-user', user_hash: hash });
    expect([one.status, two.status]).toEqual([201, 200]);
    expect(two.body.conversation_id).toBe(one.body.conversation_id);
    await new Visitor(backend.url, one.body.visitor_token, one.body.conversation_id).send('hi from pg');

    const other = await Visitor.open(backend.url, siteKey, { email: 'pg_1@example.com' });
    const upload = await other.upload(PNG_1X1, 'a.png', 'image/png');
    await other.send('', { file_id: upload.body['file_id'] });

    expect(await erase({ user_id: 'pg-user' })).toEqual({ conversations: 1, messages: 1, files: 0 });
    // LIKE wildcards in an address match only themselves.
    expect(await erase({ email: 'pgx1@example.com' })).toEqual({ conversations: 0, messages: 0, files: 0 });
    expect(await erase({ email: 'PG_1@example.com' })).toEqual({ conversations: 1, messages: 1, files: 1 });
    expect((await session({ user_id: 'pg-user', user_hash: hash })).status).toBe(201);
  });
});
