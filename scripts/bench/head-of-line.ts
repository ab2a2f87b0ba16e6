/**
 * Head-of-line blocking: 20 visitors send 10 messages/s each (200/s together) to the real backend
 * in a child process; amojo (the emulator, in this process) answers at once. The same load runs
 * twice: without, then with one more conversation whose every amojo call takes 2 s and whose
 * visitor sends at the same pace (its queue only grows). Figure: the p99 of the other
 * conversations' latency from the 202 to amojo's receipt in each run, and the difference.
 */
import { startBridgeTarget } from './bridge-target.js';
import { fmt, percentile, type Benchmark, type Row } from './rows.js';
import { openVisitors, receivedAtAmojo, sendMessages, untilAllAtAmojo, type Acknowledged, type BenchVisitor } from './visitors.js';

const FAST_VISITORS = 20;
const PER_VISITOR_PER_SEC = 10;
const SLOW_CALL_MS = 2_000;
const TARGET_ADDED_MS = 50;

export interface HeadOfLineResult {
  /** p99, ms, of the fast conversations' 202 → amojo receipt, without and with the slow conversation. */
  withoutSlow: number;
  withSlow: number;
  /** Fast conversations' messages per second that reached amojo in the run with the slow one. */
  fastPerSec: number;
  /** The slow conversation's messages that reached amojo during its run. */
  slowDelivered: number;
  errors: number;
}

export async function benchHeadOfLine(seconds = 10): Promise<HeadOfLineResult> {
  const bridge = await startBridgeTarget({ WEBCHAT_NO_LIMITS: '1' });
  const { emulator, url, siteKey, scopeId } = bridge;
  try {
    const fast = await openVisitors(url, siteKey, FAST_VISITORS);
    const slow = (await openVisitors(url, siteKey, 1))[0]!;
    const intervalMs = 1000 / PER_VISITOR_PER_SEC;
    let errors = 0;

    /** Sends at the pace for the time given; answers the fast visitors' acknowledgements. */
    async function phase(visitors: BenchVisitor[], durationMs: number): Promise<Acknowledged[]> {
      const sent = await sendMessages(url, visitors, { durationMs, intervalMs });
      errors += sent.errors;
      const fastCount = fast.length;
      // The fast visitors come first in `visitors`: the slow one, when present, is last.
      return sent.acked.filter((a) => a.visitor < fastCount);
    }
    /** p99 of 202 → amojo receipt for these messages, once all of them arrived. */
    async function p99Of(acked: Acknowledged[]): Promise<number> {
      if (!(await untilAllAtAmojo(emulator, scopeId, acked.map((a) => a.text), 60_000))) throw new Error('acknowledged messages did not reach amojo');
      const receivedAt = new Map(receivedAtAmojo(emulator, scopeId).map((m) => [m.content.text, m.createdAt]));
      return percentile(acked.map((a) => Math.max(0, receivedAt.get(a.text)! - a.ackedAt)), 99);
    }

    await p99Of(await phase([...fast, slow], 1000)); // warm-up, every conversation's chat created

    const withoutSlow = await p99Of(await phase(fast, seconds * 1000));

    emulator.setDelay(SLOW_CALL_MS, { conversationId: slow.conversationId });
    const slowChat = emulator.chats(scopeId).find((c) => c.conversationId === slow.conversationId)!;
    const slowBefore = emulator.messages(slowChat.id).length;
    const started = Date.now();
    const fastAcked = await phase([...fast, slow], seconds * 1000);
    const withSlow = await p99Of(fastAcked);
    const fastPerSec = fastAcked.length / ((Date.now() - started) / 1000);
    const slowDelivered = emulator.messages(slowChat.id).length - slowBefore;
    // The slow conversation's backlog is not waited for (at 2 s a message it would take minutes).
    emulator.setDelay(0, { conversationId: slow.conversationId });
    return { withoutSlow, withSlow, fastPerSec, slowDelivered, errors };
  } finally {
    await bridge.stop();
  }
}

export const headOfLineBenchmark: Benchmark = {
  name: 'head-of-line',
  async run(seconds): Promise<Row[]> {
    const r = await benchHeadOfLine(seconds);
    const added = r.withSlow - r.withoutSlow;
    return [
      {
        bench: `head-of-line: other conversations' p99 (202 → amojo) at ${FAST_VISITORS * PER_VISITOR_PER_SEC} msg/s, one conversation's amojo calls taking 2 s`,
        figure: `${fmt(r.withSlow)} ms vs ${fmt(r.withoutSlow)} ms without it (${added >= 0 ? '+' : ''}${fmt(added)} ms); slow conversation ${r.slowDelivered} delivered; errors ${r.errors}`,
        target: `within ${TARGET_ADDED_MS} ms`,
        met: added <= TARGET_ADDED_MS && r.errors === 0,
      },
    ];
  },
};
