import { describe, expect, it } from 'vitest';
import { createLoopLoad } from '../../server/http/loop-load.js';

const busyFor = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
const idleFor = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('event-loop load', () => {
  it('reads high while code keeps the loop busy and low while it waits', async () => {
    const load = createLoopLoad(40);
    busyFor(60);
    expect(load.utilization()).toBeGreaterThan(0.8);
    await idleFor(80);
    expect(load.utilization()).toBeLessThan(0.5);
  });
});
