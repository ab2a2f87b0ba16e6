/**
 * Events per second over the last moment (between one and two `windowMs`), cheap enough to mark
 * on every request: two counters, no timers.
 */
export interface RateMeter {
  mark(): void;
  perSecond(): number;
}

export function createRateMeter(now: () => number, windowMs = 250): RateMeter {
  let windowStart = now();
  let current = 0;
  let previous = 0;

  function roll(t: number): void {
    const elapsed = t - windowStart;
    if (elapsed < windowMs) return;
    // A full window or more went by: the current count becomes the previous one, unless the
    // gap was so long that it no longer says anything about now.
    previous = elapsed < 2 * windowMs ? current : 0;
    current = 0;
    windowStart = t - (elapsed % windowMs);
  }

  return {
    mark() {
      roll(now());
      current++;
    },
    perSecond() {
      const t = now();
      roll(t);
      return ((previous + current) * 1000) / (windowMs + (t - windowStart));
    },
  };
}
