/**
 * Several instances on one PostgreSQL database calling amoCRM for one account. Each "instance"
 * is its own store with its own connection pool and its own amoCRM client, which is what
 * separate processes share. Tokens expiring while they all call: one refresh at a time across
 * them, so amoCRM never sees a refresh token spent twice (it refuses the second use) and no call
 * fails. Together they stay under amoCRM's 7 requests per second: no 429.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmocrmClient, type AmocrmClient } from '../../server/amocrm/client.js';
import { TOKEN_PATH } from '../../server/amocrm/oauth-tokens.js';
import { AMOCRM_RATE_LIMIT } from '../../server/amocrm/rate-limiter.js';
import { createSharedPacing, sharedPacingOptions } from '../../server/amocrm/shared-pacing.js';
import { postgresFlexible } from '../../server/http/limits/index.js';
import { sharedLimitStore } from '../../server/store/shared-limit-store.js';
import { accountTokenStore } from '../../server/amocrm/token-store.js';
import { httpByteTransport, type ByteTransport } from '../../server/net/byte-transport.js';
import { createAmocrmEmulator, SANDBOX_ACCOUNT } from '../../server/sandbox/amocrm/index.js';
import { openStore, type Store } from '../../server/store/index.js';
import { createPostgresDatabase, postgresTestsEnabled, type TestDatabase } from '../support/postgres.js';

const OAUTH = { clientId: 'c0ffee00-0000-4000-8000-000000000001', clientSecret: 'client-secret-for-tests-0123456789', redirectUri: 'https://backend.example.com/oauth/callback' };
const ID = SANDBOX_ACCOUNT.id;
const HOST = SANDBOX_ACCOUNT.host;
const INSTANCES = 3;
const CALLS_PER_INSTANCE = 3;
const TRIALS = 8;

describe.skipIf(!postgresTestsEnabled())('amoCRM calls from several instances on PostgreSQL', () => {
  const emulator = createAmocrmEmulator({ ...OAUTH, accounts: [SANDBOX_ACCOUNT] });
  let emulatorUrl = '';
  let closeEmulator: () => Promise<void>;
  let database: TestDatabase;
  const stores: Store[] = [];
  const clients: AmocrmClient[] = [];
  let refusedRefreshes = 0;
  let tooManyRequests = 0;

  // Counts amoCRM's refusals of a refresh token (the "refresh token reused" answer) and its 429s.
  const counting: ByteTransport = async (req) => {
    const res = await httpByteTransport(req);
    if (req.url.endsWith(TOKEN_PATH) && res.status >= 400) refusedRefreshes += 1;
    if (res.status === 429) tooManyRequests += 1;
    return res;
  };

  beforeAll(async () => {
    ({ url: emulatorUrl, close: closeEmulator } = await emulator.listen());
    database = await createPostgresDatabase();
    for (let i = 0; i < INSTANCES; i++) {
      const store = await openStore(database.url);
      stores.push(store);
      const limiter = createSharedPacing(postgresFlexible(sharedLimitStore(store.storeDb)!, sharedPacingOptions(AMOCRM_RATE_LIMIT)));
      clients.push(createAmocrmClient({ ...OAUTH, apiBaseUrl: emulatorUrl, tokens: accountTokenStore(store.accounts), transport: counting, limiter }));
    }
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await database?.dispose();
    await closeEmulator?.();
  });

  it(`${INSTANCES} instances, ${TRIALS} trials of expiring tokens: one refresh per trial, no refusal, no failed call`, async () => {
    const { code } = emulator.install({ accountId: ID });
    const pair = await clients[0]!.exchangeCode(HOST, code);
    await stores[0]!.accounts.saveTokens(ID, HOST, pair);

    let failed = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      // The stored pair is due for refresh and amoCRM no longer takes its access token.
      await stores[0]!.accounts.upsert(ID, { token_expires_at: Date.now() - 1000 });
      emulator.expireAccessTokens(ID);
      const refreshesBefore = emulator.refreshCount(ID);
      const calls = clients.flatMap((c) => Array.from({ length: CALLS_PER_INSTANCE }, () => c.getAccount(ID)));
      const results = await Promise.allSettled(calls);
      failed += results.filter((r) => r.status === 'rejected').length;
      expect(emulator.refreshCount(ID) - refreshesBefore).toBe(1);
    }
    expect({ refusedRefreshes, failed, tooManyRequests }).toEqual({ refusedRefreshes: 0, failed: 0, tooManyRequests: 0 });
  });

  it(`${INSTANCES} instances calling at once stay under 7 requests/s together: no 429`, async () => {
    tooManyRequests = 0;
    const calls = clients.flatMap((c) => Array.from({ length: 6 }, () => c.getAccount(ID)));
    const results = await Promise.allSettled(calls);
    expect({ failed: results.filter((r) => r.status === 'rejected').length, tooManyRequests }).toEqual({ failed: 0, tooManyRequests: 0 });
  });
});
