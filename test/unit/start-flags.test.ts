import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { START_NODE_FLAGS } from '../../scripts/bench/child.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('npm start, the systemd unit and the benchmarks', () => {
  const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;

  it('run the compiled backend with plain node and the same Node flags', () => {
    expect(start).toBe(`node ${START_NODE_FLAGS.join(' ')} dist/backend.js`);
  });

  it('match: the unit runs what npm start runs, restarts always and raises the open-file limit', () => {
    const unit = read('deploy/amocrm-chat.service');
    expect(unit).toContain(`\nExecStart=/usr/bin/${start}\n`);
    expect(unit).toMatch(/\nRestart=always\n/);
    expect(unit).toMatch(/\nLimitNOFILE=\d{5,}\n/);
    expect(unit).toMatch(/\nEnvironmentFile=\S+\n/);
  });
});
