import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../server/log.js';
import { createBatcher } from '../../server/store/batcher.js';
import { createGroupCommit } from '../../server/store/group-commit.js';

describe('logger', () => {
  it('never writes secrets: redacted fields and scrubbed values in messages and errors', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const secret = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
    const log = createLogger({ level: 'info', secrets: [secret], destination: sink });
    log.info({ access_token: 'tok-123456789', nested: { refresh_token: 'ref-123456789' }, headers: { authorization: 'Bearer abc' } }, 'tokens');
    log.info(`message quoting ${secret}`);
    log.error({ err: new Error(`signature with ${secret} failed`) }, 'oops');
    const out = lines.join('');
    expect(out).not.toContain(secret);
    expect(out).not.toContain('tok-123456789');
    expect(out).not.toContain('ref-123456789');
    expect(out).not.toContain('Bearer abc');
    expect(out).toContain('[REDACTED]');
  });
});

describe('group commit batcher', () => {
  it('writes concurrent submissions together and resolves each with its own result', async () => {
    const batches: number[][] = [];
    const b = createBatcher<number, number>(async (items) => {
      batches.push(items);
      await new Promise((r) => setTimeout(r, 5));
      return items.map((i) => i * 2);
    });
    const first = await Promise.all([1, 2, 3].map((i) => b.submit(i)));
    expect(first).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
    // Items arriving during a write go into the next one.
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const slow = createBatcher<number, number>(async (items) => {
      batches.push(items);
      if (items[0] === 10) await gate;
      return items.map((i) => i * 2);
    });
    const p1 = slow.submit(10);
    while (batches.length < 2) await new Promise((r) => setTimeout(r, 1));
    const p2 = slow.submit(11);
    const p3 = slow.submit(12);
    release();
    expect(await Promise.all([p1, p2, p3])).toEqual([20, 22, 24]);
    expect(batches.slice(1)).toEqual([[10], [11, 12]]);
  });

  it('rejects every item of a failed write and keeps working', async () => {
    let fail = true;
    const b = createBatcher<number, number>(async (items) => {
      if (fail) throw new Error('disk full');
      return items;
    });
    const results = await Promise.allSettled([b.submit(1), b.submit(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await b.submit(3)).toBe(3);
    await b.drain();
  });

  it('with a concurrency of two, starts a second write while the first is in flight, and no third', async () => {
    const batches: number[][] = [];
    const gates = new Map<number, () => void>();
    const b = createBatcher<number, number>(
      async (items) => {
        batches.push(items);
        await new Promise<void>((r) => gates.set(items[0]!, r));
        return items.map((i) => -i);
      },
      { concurrency: 2 },
    );
    const p1 = b.submit(1);
    await vi.waitFor(() => expect(gates.has(1)).toBe(true));
    const p2 = b.submit(2);
    await vi.waitFor(() => expect(gates.has(2)).toBe(true));
    // Both slots taken: these wait, together, for the first write to end.
    const p3 = b.submit(3);
    const p4 = b.submit(4);
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1], [2]]);
    gates.get(2)!();
    expect(await p2).toBe(-2);
    await vi.waitFor(() => expect(gates.has(3)).toBe(true));
    expect(batches).toEqual([[1], [2], [3, 4]]);
    const drained = b.drain();
    gates.get(1)!();
    gates.get(3)!();
    await drained;
    expect(await Promise.all([p1, p3, p4])).toEqual([-1, -3, -4]);
  });
});

describe('group commit with units side by side', () => {
  type Log = string[];
  const step = () => new Promise<void>((r) => setImmediate(r));

  it('runs the units of a batch side by side in one transaction, each with its own result', async () => {
    const transactions: Log[] = [];
    const commit = createGroupCommit<Log>(
      async (fn) => {
        const log: Log = [];
        transactions.push(log);
        return fn(log);
      },
      { unitsSideBySide: true },
    );
    const unit = (name: string) => async (log: Log) => {
      log.push(`${name}1`);
      await step();
      log.push(`${name}2`);
      return name;
    };
    expect(await Promise.all([commit(unit('a')), commit(unit('b'))])).toEqual(['a', 'b']);
    expect(transactions).toEqual([['a1', 'b1', 'a2', 'b2']]);
  });

  it('ends a failed transaction only once every unit stopped, then retries each unit alone', async () => {
    const transactions: Array<{ log: Log; open: boolean }> = [];
    const commit = createGroupCommit<Log>(
      async (fn) => {
        const t = { log: [] as Log, open: true };
        transactions.push(t);
        try {
          return await fn(t.log);
        } finally {
          t.open = false;
        }
      },
      { unitsSideBySide: true },
    );
    let failOnce = true;
    const failing = async (log: Log) => {
      log.push('f');
      if (failOnce) {
        failOnce = false;
        throw new Error('unique violation');
      }
      return 'f';
    };
    const slow = async (log: Log) => {
      for (let i = 0; i < 3; i++) {
        await step();
        // A unit still running must never find its transaction ended under it.
        expect(transactions.find((t) => t.log === log)?.open).toBe(true);
        log.push(`s${i}`);
      }
      return 's';
    };
    expect(await Promise.all([commit(failing), commit(slow)])).toEqual(['f', 's']);
    expect(transactions.map((t) => t.log)).toEqual([['f', 's0', 's1', 's2'], ['f'], ['s0', 's1', 's2']]);
  });
});
