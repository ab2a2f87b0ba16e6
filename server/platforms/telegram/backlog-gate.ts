/**
 * Holds the webhook's 200 while more updates are stored than the instances are processing.
 *
 * Telegram sends a bot's updates over at most `max_connections` (40) requests at a time, each
 * after the previous answer on its connection. Answered as fast as they are stored, a flood fills
 * the inbox faster than the update jobs empty it: the answers take the CPU the jobs need, the
 * backlog (and the disk it takes) grows without bound, and every message waits behind it. So an
 * update is stored first, durably as always, and its answer then waits while the backlog is over
 * `limit`: Telegram keeps the rest on its side (up to 24 hours, telegram.md §2) and sends it as
 * the answers come, at the pace the updates are processed.
 *
 * The hold is capped (`maxHoldMs`): an answer never waits long enough for Telegram to give the
 * request up (its webhook timeout is not documented; a few seconds is assumed safe, unconfirmed).
 * If it did time out, nothing would be lost: the update is stored, and its repeat is dropped by
 * its `update_id`. The backlog is read at most once per `recheckMs`, whatever the request rate; in
 * between, the updates stored since the last reading are added to it.
 */
export interface BacklogGateOptions {
  /** Updates stored and not yet taken by a job, counted up to `cap`. */
  backlog(cap: number): Promise<number>;
  limit: number;
  maxHoldMs: number;
  recheckMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface BacklogGate {
  /** Resolves once the backlog is at most `limit`, or after `maxHoldMs`. */
  pass(): Promise<void>;
}

export function createBacklogGate(opts: BacklogGateOptions): BacklogGate {
  /** The last reading of the store, and the updates stored since (each `pass` follows one). */
  let known: { n: number; at: number } | undefined;
  let storedSince = 0;
  let reading: Promise<boolean> | undefined;

  /** Whether the backlog is over the limit: the last reading plus what came since, read anew once it is `recheckMs` old. */
  function isOver(): Promise<boolean> {
    if (known && opts.now() - known.at < opts.recheckMs) return Promise.resolve(known.n + storedSince > opts.limit);
    reading ??= (async () => {
      storedSince = 0;
      try {
        known = { n: await opts.backlog(opts.limit + 1), at: opts.now() };
        return known.n + storedSince > opts.limit;
      } catch {
        // A store that cannot answer is no reason to hold Telegram: the store's own errors show elsewhere.
        return false;
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  }

  return {
    async pass() {
      storedSince++;
      const until = opts.now() + opts.maxHoldMs;
      while (await isOver()) {
        const left = until - opts.now();
        if (left <= 0) return;
        await opts.sleep(Math.min(opts.recheckMs, left));
      }
    },
  };
}
