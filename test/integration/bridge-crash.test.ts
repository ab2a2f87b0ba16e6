/**
 * The backend killed with SIGKILL in the middle of visitor traffic, then restarted on the same
 * database: every message that was acknowledged (202) reaches amojo exactly once, in each
 * conversation's order. The emulator runs in this process so it outlives the backend.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAmojoEmulator, type RunningEmulator } from '../../server/sandbox/amojo/index.js';
import { Visitor, waitFor } from './bridge-helpers.js';
import { freePort } from '../support/net.js';
import { exited, spawnBackend, stopBackend, type Backend } from '../support/backend-process.js';

const CHANNEL = { id: randomUUID(), secret: 'crash0test0channel0secret0000000000000000', code: 'amo.ext.crash_test' };

const dir = mkdtempSync(join(tmpdir(), 'bridge-crash-'));
let running: RunningEmulator | undefined;
let child: Backend | undefined;

afterAll(async () => {
  await stopBackend(child);
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('crash during traffic', () => {
  it('loses and doubles nothing that was acknowledged across a SIGKILL and restart', { timeout: 90_000 }, async () => {
    // The backend keeps one port across the restart (the emulator's hooks go there).
    const emulator = createAmojoEmulator({ channels: [{ ...CHANNEL, webhookUrl: 'http://127.0.0.1:1/amojo/webhook/:scope_id' }] });
    running = await emulator.listen();
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    // amojo takes each message, then answers a little later: kills land between its receipt and our commit.
    emulator.setDelay(15, { afterProcessing: true });
    const env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: publicUrl,
      DATABASE_URL: `sqlite:${join(dir, 'app.sqlite')}`,
      AMOJO_CHANNEL_ID: CHANNEL.id,
      AMOJO_CHANNEL_SECRET: CHANNEL.secret,
      AMOJO_CHANNEL_CODE: CHANNEL.code,
      AMOJO_BASE_URL: running.url,
      AMO_CLIENT_ID: 'crash-test-client',
      AMO_CLIENT_SECRET: 'crash-test-client-secret',
      SEED_ACCOUNT_AMOJO_ID: randomUUID(),
      JOB_LEASE_MS: '1000',
      WEBCHAT_NO_LIMITS: '1',
      LOG_LEVEL: 'silent',
    };
    const start = () => spawnBackend(env);
    child = await start();
    const [url, key, scope] = child.ready;

    const visitors = await Promise.all(Array.from({ length: 8 }, () => Visitor.open(url, key)));
    const acked = new Map<string, string[]>(visitors.map((v) => [v.conversationId, []]));
    let killed = false;

    async function traffic(v: Visitor, label: string, count: number): Promise<void> {
      for (let n = 0; n < count && !(killed && label === 'before'); n++) {
        const text = `${label}-${v.conversationId.slice(-6)}-${n}`;
        try {
          const r = await v.post('/messages', { client_msgid: text, text });
          if (r.status === 202) acked.get(v.conversationId)!.push(text);
        } catch {
          return; // the process is gone: this message was never acknowledged
        }
      }
    }

    const before = Promise.all(visitors.map((v) => traffic(v, 'before', 10_000)));
    await waitFor(() => [...acked.values()].reduce((n, l) => n + l.length, 0) >= 300, 20_000, '300 acknowledged messages');
    killed = true;
    child.proc.kill('SIGKILL');
    await exited(child.proc);
    await before;

    child = await start();
    emulator.setDelay(0);
    await Promise.all(visitors.map((v) => traffic(v, 'after', 5)));

    const ackedTotal = [...acked.values()].reduce((n, l) => n + l.length, 0);
    const received = () => emulator.chats(scope).flatMap((c) => emulator.messages(c.id));
    await waitFor(() => {
      const texts = new Set(received().map((m) => m.content.text));
      return [...acked.values()].every((list) => list.every((t) => texts.has(t)));
    }, 40_000, `all ${ackedTotal} acknowledged messages at amojo`);

    const all = received().map((m) => m.content.text);
    expect(new Set(all).size).toBe(all.length); // nothing doubled
    for (const v of visitors) {
      const chat = emulator.chats(scope).find((c) => c.conversationId === v.conversationId)!;
      const atAmojo = emulator.messages(chat.id).map((m) => m.content.text);
      const mine = acked.get(v.conversationId)!;
      // In order: the acknowledged messages appear as a subsequence (an unacknowledged one may sit between).
      expect(atAmojo.filter((t) => mine.includes(t))).toEqual(mine);
    }
    expect(ackedTotal).toBeGreaterThanOrEqual(340);
    if (process.env['CRASH_STATS']) {
      const dup = emulator.requests().filter((r) => r.errorType === 'duplicate_msgid').length;
      process.stderr.write(`acked ${ackedTotal}, at amojo ${all.length}, refused as duplicates after the restart ${dup}\n`);
    }
  });
});
