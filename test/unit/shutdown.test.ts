import { describe, expect, it } from 'vitest';
import { createLogger } from '../../server/log.js';
import { FORCE_EXIT_MS, LONGEST_JOB_MS, runShutdownSteps } from '../../server/runtime/shutdown.js';

describe('the shutdown sequence', () => {
  it('runs every step in order, logs a failed one by name and still runs the next', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', secrets: [], destination: { write: (s: string) => void lines.push(s) } as never });
    const ran: string[] = [];
    const failed = await runShutdownSteps(
      [
        { name: 'a', run: () => void ran.push('a') },
        {
          name: 'b',
          run: async () => {
            ran.push('b');
            throw new Error('stream would not close');
          },
        },
        { name: 'c', run: async () => void ran.push('c') },
      ],
      logger,
    );
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(failed).toEqual(['b']);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ step: 'b', msg: 'shutdown step failed; going on with the next', err: { message: 'stream would not close' } });
  });

  it('forces the exit only after the longest job could have finished', () => {
    expect(LONGEST_JOB_MS).toBeGreaterThanOrEqual(60_000);
    expect(FORCE_EXIT_MS).toBeGreaterThan(LONGEST_JOB_MS);
  });
});
