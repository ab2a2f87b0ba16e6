/**
 * The real backend with channel credentials in a child process (`test/support/bridge-child.ts`),
 * one account connected, talking to an amojo emulator in this process that answers at once (and
 * outlives the backend: a restarted backend meets the same amojo).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAmojoEmulator, type AmojoEmulator } from '../../server/sandbox/amojo/index.js';
import { freePort } from '../../test/support/net.js';
import { AmojoReceipts } from './amojo-receipts.js';
import { startChild, type ChildTarget } from './child.js';

export interface BridgeTarget {
  /** The backend process running now (a new one after `restart`). */
  readonly child: ChildTarget;
  /** Further instances on the same database (`instances` > 1), each with its own port. */
  others: Array<{ child: ChildTarget; url: string }>;
  emulator: AmojoEmulator;
  /** Every message amojo received in the account's scope since the backend first served. */
  receipts: AmojoReceipts;
  url: string;
  siteKey: string;
  scopeId: string;
  /**
   * Starts the backend again on the same database, port and account, once the previous process is
   * gone (after `child.kill()`, a crash); resolves when the new one serves.
   */
  restart(): Promise<ChildTarget>;
  stop(): Promise<void>;
}

const CHANNEL = { id: randomUUID(), secret: 'bench0bridge0channel0secret0000000000000', code: 'amo.ext.bench_bridge' };
const SCRIPT = '../../test/support/bridge-child.ts';

/**
 * `env` adds to the backend's environment (WEBCHAT_NO_LIMITS, TRUST_PROXY, a PostgreSQL
 * DATABASE_URL, …). `instances` > 1 starts more backends on the same database (PostgreSQL only):
 * the first connects the account, the others find it connected; all of them run jobs.
 */
export async function startBridgeTarget(env: Record<string, string> = {}, instances = 1): Promise<BridgeTarget> {
  const emulator = createAmojoEmulator({ channels: [{ ...CHANNEL, webhookUrl: 'http://127.0.0.1:1/amojo/webhook/:scope_id' }] });
  const amojo = await emulator.listen();
  const dir = mkdtempSync(join(tmpdir(), 'bench-bridge-'));
  const port = await freePort();
  const backendEnv = {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: `sqlite:${join(dir, 'app.sqlite')}`,
    AMOJO_CHANNEL_ID: CHANNEL.id,
    AMOJO_CHANNEL_SECRET: CHANNEL.secret,
    AMOJO_CHANNEL_CODE: CHANNEL.code,
    AMOJO_BASE_URL: amojo.url,
    AMO_CLIENT_ID: 'bench-client',
    AMO_CLIENT_SECRET: 'bench-client-secret',
    SEED_ACCOUNT_AMOJO_ID: randomUUID(),
    LOG_LEVEL: 'silent',
    ...env,
  };
  let child = await startChild(SCRIPT, [], backendEnv);
  const [url, siteKey, scopeId] = child.url.split(' ') as [string, string, string];
  const receipts = new AmojoReceipts(emulator, scopeId);
  const others: BridgeTarget['others'] = [];
  try {
    for (let i = 1; i < instances; i++) {
      const otherPort = await freePort();
      const other = await startChild(SCRIPT, [], { ...backendEnv, PORT: String(otherPort), PUBLIC_URL: `http://127.0.0.1:${otherPort}` });
      others.push({ child: other, url: other.url.split(' ')[0]! });
    }
  } catch (err) {
    for (const o of others) await o.child.stop();
    await child.stop();
    receipts.stop();
    await amojo.close();
    throw err;
  }
  return {
    get child() {
      return child;
    },
    others,
    emulator,
    receipts,
    url,
    siteKey,
    scopeId,
    async restart() {
      if (child.child.exitCode === null && child.child.signalCode === null) throw new Error('the backend is still running');
      child = await startChild(SCRIPT, [], backendEnv);
      return child;
    },
    async stop() {
      for (const o of others) await o.child.stop();
      await child.stop();
      receipts.stop();
      await amojo.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
