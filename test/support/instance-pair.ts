/**
 * Two real backend processes on one fresh PostgreSQL database with one amojo emulator in this
 * process. A connects the account and serves visitors; amojo's hooks go to B. By default A runs
 * no jobs and B runs every job, so what a visitor on A sees of a hook has crossed from B; with
 * `jobsOnA` both run jobs, as instances do in production. With `deferB`, B starts only at
 * `startB()` (A alone has claimed work by then). With `telegram`, both run the Telegram platform
 * against that Bot API and A connects the bot.
 */
import { randomUUID } from 'node:crypto';
import { createAmojoEmulator, type AmojoEmulator, type RunningEmulator } from '../../server/sandbox/amojo/index.js';
import { freePort } from './net.js';
import { spawnBackend, stopBackend, type Backend } from './backend-process.js';
import { createPostgresDatabase } from './postgres.js';

export const PAIR_CHANNEL = { id: randomUUID(), secret: 'instances0test0channel0secret00000000000', code: 'amo.ext.instances_test' };
const PAIR_TELEGRAM_CHANNEL = { id: randomUUID(), secret: 'instances0telegram0channel0secret000000', code: 'amo.ext.instances_telegram' };

export interface PairOptions {
  jobsOnA?: boolean;
  deferB?: boolean;
  telegram?: { apiUrl: string; botToken: string };
}

export interface InstancePair {
  a: Backend;
  /** B (throws before `startB()` when deferred). */
  readonly b: Backend;
  startB(): Promise<Backend>;
  urlA: string;
  urlB: string;
  siteKey: string;
  scopeId: string;
  emulator: AmojoEmulator;
  stop(): Promise<void>;
}

export async function startInstancePair(extraEnv: Record<string, string> = {}, opts: PairOptions = {}): Promise<InstancePair> {
  const database = await createPostgresDatabase();
  const [portA, portB] = [await freePort(), await freePort()];
  const urlB = `http://127.0.0.1:${portB}`;
  const webhookUrl = `${urlB}/amojo/webhook/:scope_id`;
  const emulator = createAmojoEmulator({
    channels: [{ ...PAIR_CHANNEL, webhookUrl }, ...(opts.telegram ? [{ ...PAIR_TELEGRAM_CHANNEL, webhookUrl }] : [])],
  });
  let running: RunningEmulator | undefined;
  const backends: Backend[] = [];
  const stop = async () => {
    for (const b of backends) await stopBackend(b);
    await running?.close();
    await database.dispose();
  };
  try {
    running = await emulator.listen();
    const env = (port: number, extra: Record<string, string> = {}) => ({
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: database.url,
      AMOJO_CHANNEL_ID: PAIR_CHANNEL.id,
      AMOJO_CHANNEL_SECRET: PAIR_CHANNEL.secret,
      AMOJO_CHANNEL_CODE: PAIR_CHANNEL.code,
      AMOJO_BASE_URL: running!.url,
      AMO_CLIENT_ID: 'instances-test-client',
      AMO_CLIENT_SECRET: 'instances-test-client-secret',
      SEED_ACCOUNT_AMOJO_ID: randomUUID(),
      LOG_LEVEL: 'silent',
      ...(opts.telegram
        ? {
            AMOJO_TELEGRAM_CHANNEL_ID: PAIR_TELEGRAM_CHANNEL.id,
            AMOJO_TELEGRAM_CHANNEL_SECRET: PAIR_TELEGRAM_CHANNEL.secret,
            AMOJO_TELEGRAM_CHANNEL_CODE: PAIR_TELEGRAM_CHANNEL.code,
            TELEGRAM_API_BASE_URL: opts.telegram.apiUrl,
          }
        : {}),
      ...extraEnv,
      ...extra,
    });
    // A connects the account first; B finds it connected.
    const a = await spawnBackend(
      env(portA, { ...(opts.jobsOnA ? {} : { NO_JOB_RUNNER: '1' }), ...(opts.telegram ? { SEED_TELEGRAM_BOT_TOKEN: opts.telegram.botToken } : {}) }),
    );
    backends.push(a);
    let b: Backend | undefined;
    const startB = async () => {
      b ??= await spawnBackend(env(portB));
      if (!backends.includes(b)) backends.push(b);
      return b;
    };
    if (!opts.deferB) await startB();
    const [urlA, siteKey, scopeId] = a.ready;
    return {
      a,
      get b() {
        if (!b) throw new Error('instance B is not started yet');
        return b;
      },
      startB,
      urlA,
      urlB,
      siteKey,
      scopeId,
      emulator,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
