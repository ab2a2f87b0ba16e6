/**
 * Head-of-line blocking: 20 visitors send 10 messages/s each (200/s together) to the real backend
 * in a child process; amojo (the emulator, in this process) answers at once. Half the time there
 * is one more conversation whose every amojo call takes 2 s and whose visitor sends at the same
 * pace (its queue only grows); the halves alternate (without, with, without, with) so that a change
 * of the machine's load during the run falls on both. Figure: the p99 and the maximum of the other
 * conversations' latency from the 202 to amojo's receipt, with and without the slow conversation.
 * A fast message that waited behind a slow call would show as a maximum of 2 s or more.
 */
import { startBridgeTarget } from './bridge-target.js';
import { fmt, percentile, type Benchmark, type Row } from './rows.js';
import { openVisitors, sendMessages, type Acknowledged, type BenchVisitor } from './visitors.js';

const FAST_VISITORS = 20;
const PER_VISITOR_PER_SEC = 10;
const SLOW_CALL_MS = 2_000;
const ROUNDS = 2;
const TARGET_ADDED_MS = 50;

export interface Latency {
  p99: number;
  max: number;
}

export interface HeadOfLineResult {
  /** The fast conversations' 202 → amojo receipt, ms, without and with the slow conversation. */
  withoutSlow: Latency;
  withSlow: Latency;
  /** The slow conversation's messages that reached amojo while it was slow. */
  slowDelivered: number;
  errors: number;
}

export async function benchHeadOfLine(seconds = 10): Promise<HeadOfLineResult> {
  const bridge = await startBridgeTarget({ WEBCHAT_NO_LIMITS: '1' });
  const { emulator, receipts, url, siteKey, scopeId } = bridge;
  try {
    const fast = await openVisitors(url, siteKey, FAST_VISITORS);
    const slow = (await openVisitors(url, siteKey, 1))[0]!;
    const intervalMs = 1000 / PER_VISITOR_PER_SEC;
    const phaseMs = (seconds * 1000) / ROUNDS;
    let errors = 0;
    let allAcked: string[] = [];

    /** Sends at the pace for the time given, then waits until amojo has every message sent. */
    async function phase(visitors: BenchVisitor[], durationMs: number): Promise<Acknowledged[]> {
      const sent = await sendMessages(url, visitors, { durationMs, intervalMs });
      errors += sent.errors;
      // The fast visitors come first in `visitors`: the slow one, when present, is last.
      const fastAcked = sent.acked.filter((a) => a.visitor < fast.length);
      if (!(await receipts.until(fastAcked.map((a) => a.text), 60_000))) throw new Error('acknowledged messages did not reach amojo');
      allAcked = allAcked.concat(sent.acked.map((a) => a.text));
      return fastAcked;
    }
    function latency(acked: Acknowledged[]): Latency {
      const added = acked.map((a) => Math.max(0, receipts.receivedAt(a.text)! - a.ackedAt));
      return { p99: percentile(added, 99), max: Math.max(...added) };
    }

    await phase([...fast, slow], 1000); // warm-up, every conversation's chat created
    const slowChat = emulator.chats(scopeId).find((c) => c.conversationId === slow.conversationId)!;
    const without: Acknowledged[] = [];
    const withSlow: Acknowledged[] = [];
    let slowDelivered = 0;
    for (let round = 0; round < ROUNDS; round++) {
      without.push(...(await phase(fast, phaseMs)));
      emulator.setDelay(SLOW_CALL_MS, { conversationId: slow.conversationId });
      const slowBefore = emulator.messages(slowChat.id).length;
      withSlow.push(...(await phase([...fast, slow], phaseMs)));
      slowDelivered += emulator.messages(slowChat.id).length - slowBefore;
      // The slow conversation's backlog goes through at once before the next phase without it.
      emulator.setDelay(0, { conversationId: slow.conversationId });
      if (!(await receipts.until(allAcked, 60_000))) throw new Error('the slow conversation\'s messages did not reach amojo');
    }
    return { withoutSlow: latency(without), withSlow: latency(withSlow), slowDelivered, errors };
  } finally {
    await bridge.stop();
  }
}

export const headOfLineBenchmark: Benchmark = {
  name: 'head-of-line',
  async run(seconds): Promise<Row[]> {
    const r = await benchHeadOfLine(seconds);
    const added = r.withSlow.p99 - r.withoutSlow.p99;
    return [
      {
        bench: `head-of-line: other conversations' p99 (202 → amojo) at ${FAST_VISITORS * PER_VISITOR_PER_SEC} msg/s, one conversation's amojo calls taking 2 s`,
        figure: `p99 ${fmt(r.withSlow.p99)} ms vs ${fmt(r.withoutSlow.p99)} ms without it (${added >= 0 ? '+' : ''}${fmt(added)} ms); max ${fmt(r.withSlow.max)} vs ${fmt(r.withoutSlow.max)} ms; slow conversation ${r.slowDelivered} delivered; errors ${r.errors}`,
        target: `within ${TARGET_ADDED_MS} ms`,
        met: added <= TARGET_ADDED_MS && r.errors === 0,
      },
    ];
  },
};
