/**
 * Crash recovery: 50 visitors send flat out to the real backend in a child process (the default
 * 12 s job lease); amojo (the emulator, in this process, outliving the backend) takes each call
 * and answers 20 ms later, so that a kill lands between amojo's receipt and the backend's commit.
 * Once N messages are acknowledged (202), or after 30 s of load on a busy machine, the backend gets
 * SIGKILL with jobs in flight. Two ways back:
 *   - SQLite (one instance): the backend is started again on the same database;
 *   - PostgreSQL (when BENCH_DATABASE_URL or TEST_DATABASE_URL is set): a second instance, running
 *     jobs beside the first all along, takes over the dead one's jobs once their leases run out.
 * Figure: the time from the kill until every acknowledged message is at amojo, and how many reached
 * it twice (amojo refuses a known msgid: a repeat must meet that refusal, never make a second message).
 */
import { createPostgresDatabase } from '../../test/support/postgres.js';
import { startBridgeTarget, type BridgeTarget } from './bridge-target.js';
import { benchPostgresUrl } from './postgres-delivery.js';
import { fmt, type Benchmark, type Row } from './rows.js';
import { openVisitors, sendMessages } from './visitors.js';

const VISITORS = 50;
const ACKNOWLEDGED_BEFORE_KILL = 2_000;
/** The kill comes at N acknowledged or after this much load, whichever is first. */
const LOAD_BEFORE_KILL_MS = 30_000;
const AMOJO_ANSWER_MS = 20;
/**
 * PostgreSQL: instances there move fewer messages than amojo takes at 20 ms, so nothing would wait
 * at the kill. amojo answers in 1 s until then (so conversations queue behind the jobs each instance
 * holds) and at once afterwards, leaving the dead instance's leases as the only wait.
 */
const TAKEOVER_ANSWER_MS = 1000;
const TARGET_MS = 15_000;
/** How long to wait for the acknowledged messages before calling the rest lost. */
const GIVE_UP_MS = 60_000;

export interface CrashRecoveryResult {
  acknowledged: number;
  /** Acknowledged but not yet at amojo when the process was killed. */
  backlogAtKill: number;
  /** Kill → the restarted backend serving (READY), ms; undefined when another instance took over. */
  readyMs: number | undefined;
  /** Kill → every acknowledged message at amojo, ms (undefined: some never arrived). */
  recoveredMs: number | undefined;
  lost: number;
  /** Messages amojo holds more than once (same text, another msgid). */
  duplicated: number;
  /** Repeated sends amojo refused as a known msgid (the crash's in-flight jobs run again). */
  refusedRepeats: number;
}

/** SQLite: kill the one backend and start it again on the same database. */
export async function benchCrashRecovery(): Promise<CrashRecoveryResult> {
  const bridge = await startBridgeTarget({ WEBCHAT_NO_LIMITS: '1' });
  try {
    return await killAndRecover(bridge, AMOJO_ANSWER_MS, async () => {
      const spawnedAt = performance.now();
      await bridge.restart();
      return performance.now() - spawnedAt;
    });
  } finally {
    await bridge.stop();
  }
}

/** PostgreSQL: two instances run jobs; the visitors' instance is killed and the other takes over. */
export async function benchPostgresTakeover(adminUrl: string): Promise<CrashRecoveryResult> {
  const database = await createPostgresDatabase(adminUrl);
  try {
    const bridge = await startBridgeTarget({ WEBCHAT_NO_LIMITS: '1', DATABASE_URL: database.url }, 2);
    try {
      return await killAndRecover(bridge, TAKEOVER_ANSWER_MS, async () => {
        bridge.emulator.setDelay(0);
        return undefined;
      });
    } finally {
      await bridge.stop();
    }
  } finally {
    await database.dispose();
  }
}

/**
 * Loads `bridge.child` (amojo answering `answerMs` after taking each message) until N are
 * acknowledged, kills it, runs `recover` and waits for every acknowledged message.
 */
async function killAndRecover(bridge: BridgeTarget, answerMs: number, recover: () => Promise<number | undefined>): Promise<CrashRecoveryResult> {
  const { emulator, receipts, url, siteKey } = bridge;
  const visitors = await openVisitors(url, siteKey, VISITORS);
  emulator.setDelay(answerMs, { afterProcessing: true });
  const acknowledged: string[] = [];
  let killed: Promise<void> | undefined;
  const kill = () => (killed ??= bridge.child.kill());
  // A machine too busy to acknowledge N in time is killed at the deadline with what it has.
  const deadline = setTimeout(kill, LOAD_BEFORE_KILL_MS);
  await sendMessages(url, visitors, {
    durationMs: LOAD_BEFORE_KILL_MS + 5000,
    enough: () => killed !== undefined,
    onAck: (a) => {
      acknowledged.push(a.text);
      if (acknowledged.length === ACKNOWLEDGED_BEFORE_KILL) kill();
    },
  });
  clearTimeout(deadline);
  if (!killed || acknowledged.length === 0) throw new Error(`only ${acknowledged.length} messages were acknowledged`);
  await killed;
  const backlogAtKill = acknowledged.filter((t) => receipts.receivedAt(t) === undefined).length;

  const killedAt = performance.now();
  const readyMs = await recover();
  const all = await receipts.until(acknowledged, GIVE_UP_MS);
  const recoveredMs = all ? performance.now() - killedAt : undefined;

  return {
    acknowledged: acknowledged.length,
    backlogAtKill,
    readyMs,
    recoveredMs,
    lost: acknowledged.filter((t) => receipts.receivedAt(t) === undefined).length,
    duplicated: receipts.repeats,
    refusedRepeats: emulator.requests().filter((r) => r.errorType === 'duplicate_msgid').length,
  };
}

const recoveryFigure = (r: CrashRecoveryResult, after: string): string => {
  const recovered = r.recoveredMs === undefined ? `not within ${GIVE_UP_MS / 1000} s (${r.lost} lost)` : `${fmt(r.recoveredMs / 1000, 1)} s`;
  const serving = r.readyMs === undefined ? '' : ` (serving again after ${fmt(r.readyMs / 1000, 1)} s)`;
  return `all at amojo ${recovered} after the kill, ${after}${serving}; ${r.backlogAtKill} were not yet at amojo at the kill; duplicated ${r.duplicated}, repeats refused as known msgid ${r.refusedRepeats}`;
};

const recoveryRow = (bench: string, r: CrashRecoveryResult, after: string): Row => ({
  bench,
  figure: recoveryFigure(r, after),
  target: `≤ ${TARGET_MS / 1000} s, 0 duplicated`,
  met: r.recoveredMs !== undefined && r.recoveredMs <= TARGET_MS && r.duplicated === 0,
});

export const crashRecoveryBenchmark: Benchmark = {
  name: 'crash-recovery',
  async run(): Promise<Row[]> {
    const r = await benchCrashRecovery();
    const rows = [recoveryRow(`crash recovery: SIGKILL after ${r.acknowledged} acknowledged visitor messages, restart on the same SQLite database`, r, 'restart included')];
    if (benchPostgresUrl) {
      const pg = await benchPostgresTakeover(benchPostgresUrl);
      rows.push(
        recoveryRow(`crash recovery on PostgreSQL: SIGKILL of instance A after ${pg.acknowledged} acknowledged visitor messages, B (running beside it) takes over`, pg, 'default 12 s lease'),
      );
    }
    return rows;
  },
};
