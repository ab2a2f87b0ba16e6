import { describe, expect, it } from 'vitest';
import { createRateMeter } from '../../server/http/rate-meter.js';

describe('rate meter', () => {
  it('measures a steady rate and forgets it once the events stop', () => {
    let t = 0;
    const meter = createRateMeter(() => t, 250);
    expect(meter.perSecond()).toBe(0);
    // 200 events per second for a second.
    for (let i = 0; i < 200; i++) {
      t += 5;
      meter.mark();
    }
    expect(meter.perSecond()).toBeGreaterThan(150);
    expect(meter.perSecond()).toBeLessThan(210);
    t += 300;
    expect(meter.perSecond()).toBeLessThan(120);
    t += 600;
    expect(meter.perSecond()).toBe(0);
  });

  it('sees a short burst at once', () => {
    let t = 1_000;
    const meter = createRateMeter(() => t, 250);
    for (let i = 0; i < 50; i++) meter.mark();
    t += 10;
    expect(meter.perSecond()).toBeGreaterThan(150);
  });
});
