/**
 * Cross-instance delivery latency on PostgreSQL (runs when TEST_DATABASE_URL is set): a visitor
 * streams from instance A, amojo's manager hooks go to instance B (which runs the jobs), and each
 * sample is the time from sending the hook to the message's frame on A's stream. One hook at a
 * time, so the figure is the path's latency, not a queue.
 */
import { Visitor, waitFor } from '../../test/integration/bridge-helpers.js';
import { startInstancePair } from '../../test/support/instance-pair.js';
import { postgresUrl } from '../../test/support/postgres.js';
import { fmt, type Benchmark, type Row } from './rows.js';

const TARGET_P99_MS = 250;

export const crossInstanceBenchmark: Benchmark = {
  name: 'cross-instance',
  async run(seconds: number): Promise<Row[]> {
    if (!postgresUrl) return [];
    const pair = await startInstancePair({ WEBCHAT_NO_LIMITS: '1' });
    try {
      const { urlA, siteKey, scopeId, emulator } = pair;
      const visitor = await Visitor.open(urlA, siteKey);
      await visitor.send('hello');
      const chat = await waitFor(() => emulator.chats(scopeId).find((c) => c.conversationId === visitor.conversationId), 10_000, 'the chat at amojo');
      const stream = visitor.events();
      await stream.ready;
      const samples: number[] = [];
      const until = Date.now() + seconds * 1000;
      for (let n = 0; Date.now() < until; n++) {
        const text = `m-${n}`;
        const t0 = performance.now();
        await emulator.sendManagerMessage({ scopeId, chatId: chat.id, text });
        await stream.waitFor((e) => e.event === 'message' && e.data['text'] === text, 10_000);
        samples.push(performance.now() - t0);
      }
      stream.close();
      samples.sort((x, y) => x - y);
      const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
      return [
        {
          bench: `cross-instance delivery on PostgreSQL: manager hook to B → frame on A's visitor stream (${samples.length} hooks, one at a time)`,
          figure: `p50 ${fmt(at(0.5))} ms, p99 ${fmt(at(0.99))} ms`,
          target: `p99 ≤ ${TARGET_P99_MS} ms`,
          met: at(0.99) <= TARGET_P99_MS,
        },
      ];
    } finally {
      await pair.stop();
    }
  },
};
