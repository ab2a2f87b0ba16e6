import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { START_NODE_FLAGS } from '../../scripts/bench/child.js';

describe('npm start and the benchmarks', () => {
  it('run the backend with the same Node flags', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
    for (const flag of START_NODE_FLAGS) expect(pkg.scripts.start).toContain(flag);
  });
});
