/** The amoCRM emulator's pipelines and sources, strict as the docs: limits, external_id, admin only, problem+json. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAmocrmEmulator, SANDBOX_ACCOUNT } from '../../server/sandbox/amocrm/index.js';
import { emulatorRest } from '../support/amocrm.js';

const OAUTH = { clientId: 'c1c1c1c1-0000-4000-8000-000000000000', clientSecret: 'emulator-test-secret-0123456789', redirectUri: 'http://localhost:3000/oauth/callback' };
const emulator = createAmocrmEmulator({ ...OAUTH, rateLimit: false });
const MANAGER = SANDBOX_ACCOUNT.users.find((u) => !u.isAdmin)!.id;
const [SALES, SUPPORT] = SANDBOX_ACCOUNT.pipelines!.map((p) => p.id) as [number, number];
const rest = emulatorRest(emulator, OAUTH);
let close: () => Promise<void>;
let admin = '';
beforeAll(async () => void (close = await rest.start()));
afterAll(() => close());
beforeEach(async () => {
  emulator.reset();
  admin = await accessToken();
});

const accessToken = (userId?: number): Promise<string> => rest.accessToken(userId === undefined ? {} : { userId });
const api = (method: string, path: string, body?: unknown, token = admin) => rest.api(method, path, body, token);

const source = (over: Record<string, unknown> = {}) => ({ name: 'Website chat', external_id: 'web-1', pipeline_id: SALES, origin_code: 'amo.ext.x', ...over });

describe('pipelines', () => {
  it('lists the account\'s pipelines as HAL', async () => {
    const res = await api('GET', '/api/v4/leads/pipelines');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/hal\+json/);
    expect(res.body?.['_embedded'].pipelines.map((p: { id: number; is_main: boolean }) => [p.id, p.is_main])).toEqual([[SALES, true], [SUPPORT, false]]);
  });
});

describe('sources', () => {
  it('creates, finds by external_id, moves and deletes a source', async () => {
    const created = await api('POST', '/api/v4/sources', [source({ request_id: 'r1' })]);
    expect(created.status).toBe(200);
    const s = created.body?.['_embedded'].sources[0];
    expect(s).toMatchObject({ name: 'Website chat', external_id: 'web-1', pipeline_id: SALES, origin_code: 'amo.ext.x', request_id: 'r1', default: false });
    expect((await api('GET', '/api/v4/sources?filter[external_id]=web-1')).body?.['_embedded'].sources).toHaveLength(1);
    expect((await api('GET', '/api/v4/sources?filter[external_id]=nope')).status).toBe(204);
    const moved = await api('PATCH', `/api/v4/sources/${s.id}`, { pipeline_id: SUPPORT });
    expect(moved.body).toMatchObject({ id: s.id, pipeline_id: SUPPORT });
    expect(emulator.leadPipeline(SANDBOX_ACCOUNT.amojoId, 'web-1')?.id).toBe(SUPPORT);
    expect(emulator.leadPipeline(SANDBOX_ACCOUNT.amojoId, 'unknown')?.id).toBe(SALES);
    expect((await api('DELETE', `/api/v4/sources/${s.id}`)).status).toBe(204);
    expect((await api('GET', `/api/v4/sources/${s.id}`)).status).toBe(404);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an external_id over 36 characters', { external_id: 'x'.repeat(37) }, 'external_id'],
    ['a non-ASCII external_id', { external_id: 'сайт' }, 'external_id'],
    ['no name', { name: undefined }, 'name'],
    ['a pipeline of another account', { pipeline_id: 424242 }, 'pipeline_id'],
  ])('refuses %s with a problem naming the field', async (_what, over, path) => {
    const res = await api('POST', '/api/v4/sources', [source(over)]);
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/problem\+json/);
    expect(res.body?.['validation-errors'][0].errors[0].path).toBe(path);
    expect(emulator.sources(SANDBOX_ACCOUNT.id)).toEqual([]);
  });

  it('keeps external_id unique and fixed', async () => {
    const s = (await api('POST', '/api/v4/sources', [source()])).body?.['_embedded'].sources[0];
    expect((await api('POST', '/api/v4/sources', [source()])).status).toBe(400);
    expect((await api('POST', '/api/v4/sources', [source({ external_id: 'a' }), source({ external_id: 'a' })])).status).toBe(400);
    const renamed = await api('PATCH', `/api/v4/sources/${s.id}`, { external_id: 'web-2' });
    expect(renamed.status).toBe(400);
    expect(renamed.body?.['validation-errors'][0].errors[0].path).toBe('external_id');
  });

  it('takes at most 50 per request and 50 in all, and one default', async () => {
    const many = (n: number, from = 0) => Array.from({ length: n }, (_, i) => source({ external_id: `s${from + i}` }));
    expect((await api('POST', '/api/v4/sources', many(51))).status).toBe(400);
    expect((await api('POST', '/api/v4/sources', many(49))).status).toBe(200);
    expect((await api('POST', '/api/v4/sources', many(2, 100))).status).toBe(400);
    expect((await api('POST', '/api/v4/sources', [source({ external_id: 'd', default: true })])).status).toBe(200);
    expect(emulator.sources(SANDBOX_ACCOUNT.id).filter((s) => s.isDefault)).toHaveLength(1);
    expect(emulator.leadPipeline(SANDBOX_ACCOUNT.amojoId, undefined)?.id).toBe(SALES);
  });

  it('lets only an administrator change sources', async () => {
    const manager = await accessToken(MANAGER);
    const res = await api('POST', '/api/v4/sources', [source()], manager);
    expect(res.status).toBe(403);
    expect(res.type).toMatch(/problem\+json/);
    expect((await api('GET', '/api/v4/sources', undefined, manager)).status).toBe(204);
  });
});
