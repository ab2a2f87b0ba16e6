/**
 * The gate that holds answers (Telegram's webhook, a visitor's message) while the stored backlog
 * is over its limit: on a clock of the test's own, so every hold and every re-read is counted, not
 * timed.
 */
import { describe, expect, it } from 'vitest';
import { createBacklogGate } from '../../server/http/backlog-gate.js';

/** A clock the test moves: `sleep` resolves when `advance` passes its time. */
function manualClock() {
  let t = 0;
  const sleepers: Array<{ at: number; wake: () => void }> = [];
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((wake) => sleepers.push({ at: t + ms, wake })),
    sleeping: () => sleepers.length,
    async advance(ms: number) {
      t += ms;
      for (const s of sleepers.splice(0).filter((x) => (x.at <= t ? (x.wake(), false) : true))) sleepers.push(s);
      // Let the woken passes read the backlog and go back to sleep (or finish).
      for (let i = 0; i < 10; i++) await Promise.resolve();
    },
  };
}

function gateWith(backlog: { value: number; reads: number; fail?: boolean }, clock = manualClock(), busy?: () => boolean) {
  const gate = createBacklogGate({
    ...(busy ? { busy } : {}),
    backlog: async (cap) => {
      backlog.reads++;
      if (backlog.fail) throw new Error('store down');
      return Math.min(backlog.value, cap);
    },
    limit: 10,
    maxHoldMs: 1_000,
    recheckMs: 50,
    now: clock.now,
    sleep: clock.sleep,
  });
  return { gate, clock };
}

const settled = async (p: Promise<void>) => {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return done;
};

describe('the backlog gate', () => {
  it('lets an answer go at once while the backlog is at most the limit', async () => {
    const backlog = { value: 10, reads: 0 };
    const { gate } = gateWith(backlog);
    expect(await settled(gate.pass())).toBe(true);
    expect(backlog.reads).toBe(1);
  });

  it('holds answers while the backlog is over the limit and lets them go once it drops, reading it once per recheck', async () => {
    const backlog = { value: 11, reads: 0 };
    const { gate, clock } = gateWith(backlog);
    const held = Array.from({ length: 5 }, () => gate.pass());
    expect(await settled(Promise.all(held).then(() => undefined))).toBe(false);
    // Five answers waiting, one reading of the store.
    expect(backlog.reads).toBe(1);
    await clock.advance(50);
    expect(backlog.reads).toBe(2);
    backlog.value = 3;
    expect(await settled(Promise.all(held).then(() => undefined))).toBe(false);
    await clock.advance(50);
    expect(await settled(Promise.all(held).then(() => undefined))).toBe(true);
    expect(backlog.reads).toBe(3);
  });

  it('never holds an answer longer than maxHoldMs', async () => {
    const backlog = { value: 1_000, reads: 0 };
    const { gate, clock } = gateWith(backlog);
    const held = gate.pass();
    for (let t = 0; t < 950; t += 50) await clock.advance(50);
    expect(await settled(held)).toBe(false);
    await clock.advance(50);
    expect(await settled(held)).toBe(true);
    expect(clock.sleeping()).toBe(0);
  });

  it('does not hold answers when the backlog cannot be read', async () => {
    const backlog = { value: 1_000, reads: 0, fail: true };
    const { gate } = gateWith(backlog);
    expect(await settled(gate.pass())).toBe(true);
  });

  it('lets held answers go one per job taken, oldest first, without waiting for the next reading', async () => {
    const backlog = { value: 12, reads: 0 };
    const { gate } = gateWith(backlog);
    const held = [gate.pass(), gate.pass(), gate.pass()];
    const done = async () => Promise.all(held.map(settled));
    // Read once: 12 stored before, 2 more since, limit 10.
    expect(await done()).toEqual([false, false, false]);
    for (let i = 0; i < 3; i++) gate.taken();
    expect(await done()).toEqual([false, false, false]);
    gate.taken();
    expect(await done()).toEqual([true, false, false]);
    gate.taken();
    expect(await done()).toEqual([true, true, false]);
    expect(backlog.reads).toBe(1);
  });

  it('does not hold answers while the process has CPU to spare', async () => {
    const backlog = { value: 1_000, reads: 0 };
    let busy = false;
    const { gate } = gateWith(backlog, manualClock(), () => busy);
    expect(await settled(gate.pass())).toBe(true);
    expect(backlog.reads).toBe(0);
    busy = true;
    expect(await settled(gate.pass())).toBe(false);
  });
});
