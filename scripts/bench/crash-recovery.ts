/**
 * Crash recovery: 50 visitors send flat out to the real backend in a child process (SQLite, the
 * default 12 s job lease); amojo (the emulator, in this process, outliving the backend) takes each
 * call and answers 20 ms later, so that a kill lands between amojo's receipt and the backend's
 * commit. Once N messages are acknowledged (202) the backend gets SIGKILL with jobs in flight, and
 * is started again on the same database. Figure: the time from the new process being spawned until
 * every acknowledged message is at amojo, and how many reached it twice (amojo refuses a known
 * msgid: a repeat must meet that refusal, never make a second message).
 */
import { startBridgeTarget } from './bridge-target.js';
import { fmt, type Benchmark, type Row } from './rows.js';
import { openVisitors, receivedAtAmojo, sendMessages, untilAllAtAmojo } from './visitors.js';

const VISITORS = 50;
const ACKNOWLEDGED_BEFORE_KILL = 2_000;
const AMOJO_ANSWER_MS = 20;
const TARGET_MS = 15_000;
/** How long to wait for the acknowledged messages before calling the rest lost. */
const GIVE_UP_MS = 60_000;

export interface CrashRecoveryResult {
  acknowledged: number;
  /** Acknowledged but not yet at amojo when the process was killed. */
  backlogAtKill: number;
  /** Spawned → serving (READY), ms. */
  readyMs: number;
  /** Spawned → every acknowledged message at amojo, ms (undefined: some never arrived). */
  recoveredMs: number | undefined;
  lost: number;
  /** Messages amojo holds more than once (same text, another msgid). */
  duplicated: number;
  /** Repeated sends amojo refused as a known msgid (the crash's in-flight jobs run again). */
  refusedRepeats: number;
}

export async function benchCrashRecovery(): Promise<CrashRecoveryResult> {
  const bridge = await startBridgeTarget({ WEBCHAT_NO_LIMITS: '1' });
  const { emulator, url, siteKey, scopeId } = bridge;
  try {
    const visitors = await openVisitors(url, siteKey, VISITORS);
    emulator.setDelay(AMOJO_ANSWER_MS, { afterProcessing: true });
    const acknowledged: string[] = [];
    let killed: Promise<void> | undefined;
    await sendMessages(url, visitors, {
      durationMs: 120_000,
      enough: () => killed !== undefined,
      onAck: (a) => {
        acknowledged.push(a.text);
        if (acknowledged.length === ACKNOWLEDGED_BEFORE_KILL) killed = bridge.child.kill();
      },
    });
    if (!killed) throw new Error(`only ${acknowledged.length} messages were acknowledged`);
    await killed;
    const atAmojoAtKill = new Set(receivedAtAmojo(emulator, scopeId).map((m) => m.content.text));
    const backlogAtKill = acknowledged.filter((t) => !atAmojoAtKill.has(t)).length;

    const spawnedAt = performance.now();
    await bridge.restart();
    const readyMs = performance.now() - spawnedAt;
    const all = await untilAllAtAmojo(emulator, scopeId, acknowledged, GIVE_UP_MS, 10);
    const recoveredMs = all ? performance.now() - spawnedAt : undefined;

    const counts = new Map<string | undefined, number>();
    for (const m of receivedAtAmojo(emulator, scopeId)) counts.set(m.content.text, (counts.get(m.content.text) ?? 0) + 1);
    return {
      acknowledged: acknowledged.length,
      backlogAtKill,
      readyMs,
      recoveredMs,
      lost: acknowledged.filter((t) => !counts.has(t)).length,
      duplicated: [...counts.values()].reduce((n, c) => n + c - 1, 0),
      refusedRepeats: emulator.requests().filter((r) => r.errorType === 'duplicate_msgid').length,
    };
  } finally {
    await bridge.stop();
  }
}

export const crashRecoveryBenchmark: Benchmark = {
  name: 'crash-recovery',
  async run(): Promise<Row[]> {
    const r = await benchCrashRecovery();
    const recovered = r.recoveredMs === undefined ? `not within ${GIVE_UP_MS / 1000} s (${r.lost} lost)` : `${fmt(r.recoveredMs / 1000, 1)} s`;
    return [
      {
        bench: `crash recovery: SIGKILL after ${r.acknowledged} acknowledged visitor messages, restart on the same SQLite database`,
        figure: `all at amojo ${recovered} after the restart (serving after ${fmt(r.readyMs / 1000, 1)} s); ${r.backlogAtKill} were not yet at amojo at the kill; duplicated ${r.duplicated}, repeats refused as known msgid ${r.refusedRepeats}`,
        target: `≤ ${TARGET_MS / 1000} s, 0 duplicated`,
        met: r.recoveredMs !== undefined && r.recoveredMs <= TARGET_MS && r.duplicated === 0,
      },
    ];
  },
};
