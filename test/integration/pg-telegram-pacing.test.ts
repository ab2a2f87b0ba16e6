/**
 * Telegram's flood limits held by two instances on one PostgreSQL database together: sends of one
 * bot through both pacers stay one per PER_BOT_INTERVAL_MS in total, and a chat's slot taken on
 * one instance is taken for the other too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresSlots } from '../../server/http/limits/index.js';
import { createPacer, type Pacer } from '../../server/platforms/telegram/index.js';
import { PER_BOT_INTERVAL_MS, PER_CHAT_INTERVAL_MS } from '../../server/platforms/telegram/pacing.js';
import { openStore, type Store } from '../../server/store/index.js';
import { sharedLimitStore } from '../../server/store/shared-limit-store.js';
import { createPostgresDatabase, postgresTestsEnabled, type TestDatabase } from '../support/postgres.js';

describe.skipIf(!postgresTestsEnabled())('Telegram flood limits shared across instances on PostgreSQL', () => {
  let database: TestDatabase;
  const stores: Store[] = [];
  const pacers: Pacer[] = [];
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

  beforeAll(async () => {
    database = await createPostgresDatabase();
    for (let i = 0; i < 2; i++) {
      const store = await openStore(database.url);
      stores.push(store);
      pacers.push(createPacer(postgresSlots(sharedLimitStore(store.storeDb)!), sleep));
    }
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await database?.dispose();
  });

  it('keeps one bot to one send per interval in total, whichever instance sends', async () => {
    const sends = 24;
    const grantedAt: number[] = [];
    // Every send to a chat of its own, half on each instance, all at once: only the bot's slot limits them.
    await Promise.all(
      Array.from({ length: sends }, async (_, i) => {
        for (;;) {
          const wait = await pacers[i % 2]!.take('bot-1', `chat-${i}`);
          if (wait === 0) break;
          await sleep(wait);
        }
        grantedAt.push(performance.now());
      }),
    );
    grantedAt.sort((a, b) => a - b);
    // In-process pacers would let both instances send at once: about half this span.
    expect(grantedAt.at(-1)! - grantedAt[0]!).toBeGreaterThanOrEqual((sends - 1) * PER_BOT_INTERVAL_MS * 0.9);
  });

  it('a chat’s slot taken on one instance makes the other wait', async () => {
    expect(await pacers[0]!.take('bot-2', 'chat-1')).toBe(0);
    const wait = await pacers[1]!.take('bot-2', 'chat-1');
    expect(wait).toBeGreaterThan(PER_CHAT_INTERVAL_MS / 2);
    expect(wait).toBeLessThanOrEqual(PER_CHAT_INTERVAL_MS);
  });
});
