import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../server/log.js';
import { createBatcher } from '../../server/store/batcher.js';

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
});
