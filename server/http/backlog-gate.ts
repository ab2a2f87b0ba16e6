/**
 * Holds the answer to a request whose work is stored while more work is stored than the jobs are
 * taking: Telegram's webhook updates, a website visitor's messages.
 *
 * A sender that sends its next request as soon as the last one is answered (Telegram: at most
 * `max_connections`, 40, requests at a time; visitors: each one's next message) fills the store
 * faster than the jobs empty it when answers come as fast as work is stored: the answers take the
 * CPU the jobs need, the backlog (and the disk it takes) grows without bound, and every message
 * waits behind it. So the work is stored first, durably as always, and its answer then waits while
 * the backlog is over `limit`: the senders slow to the pace the work is processed. Telegram keeps
 * the rest on its side (up to 24 hours, telegram.md §2); a visitor's bubble shows the message as
 * sending a little longer.
 *
 * The hold is capped (`maxHoldMs`): an answer never waits long enough for the sender to give the
 * request up (Telegram's webhook timeout is not documented; a few seconds is assumed safe,
 * unconfirmed). If it did time out, nothing would be lost: the work is stored, and its repeat is
 * dropped (an update by its `update_id`, a message by its `client_msgid`). The backlog is read at
 * most once per `recheckMs`, whatever the request rate; in between, the work stored since the
 * last reading is added to it.
 */
export interface BacklogGateOptions {
  /** Work stored and not yet taken by a job, counted up to `cap`. */
  backlog(cap: number): Promise<number>;
  /**
   * Holds only while this says the process has no CPU to spare. A backlog the process could take
   * on with CPU it has (jobs waiting on a slow far side) is not helped by slower answers. Absent:
   * whenever the backlog is over the limit.
   */
  busy?: () => boolean;
  limit: number;
  maxHoldMs: number;
  recheckMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface BacklogGate {
  /** After storing one piece of work: resolves once the backlog is at most `limit` (or the process is not busy), or after `maxHoldMs`. */
  pass(): Promise<void>;
  /** A job of this work ended in this process: the backlog is one less until the next reading. */
  taken(): void;
}

export function createBacklogGate(opts: BacklogGateOptions): BacklogGate {
  /** The last reading of the store, and the work stored since (each `pass` follows one). */
  let known: { n: number; at: number } | undefined;
  let storedSince = 0;
  /** Jobs of this work that ended here since the last reading (`taken`). */
  let takenSince = 0;
  let reading: Promise<boolean> | undefined;
  /** Held answers, oldest first: each wakes on its timer or on a `taken` that brings the backlog down. */
  const held: Array<() => void> = [];
  const estimate = (n: number) => n + storedSince - takenSince;

  /** Whether the backlog is over the limit: the last reading plus what came since, read anew once it is `recheckMs` old. */
  function isOver(): Promise<boolean> {
    if (known && opts.now() - known.at < opts.recheckMs) return Promise.resolve(estimate(known.n) > opts.limit);
    reading ??= (async () => {
      storedSince = 0;
      takenSince = 0;
      try {
        // Counted past the limit, so that the jobs taken until the next reading are told against a
        // figure near the real one, not one cut off just above the limit.
        known = { n: await opts.backlog(2 * opts.limit + 1), at: opts.now() };
        return estimate(known.n) > opts.limit;
      } catch {
        // A store that cannot answer is no reason to hold a sender: the store's own errors show elsewhere.
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
      if (opts.busy && !opts.busy()) return;
      const until = opts.now() + opts.maxHoldMs;
      while (await isOver()) {
        const left = until - opts.now();
        if (left <= 0) return;
        await new Promise<void>((resolve) => {
          let woken = false;
          const wake = () => {
            if (woken) return;
            woken = true;
            const i = held.indexOf(wake);
            if (i >= 0) held.splice(i, 1);
            resolve();
          };
          held.push(wake);
          void opts.sleep(Math.min(opts.recheckMs, left)).then(wake);
        });
      }
    },
    taken() {
      takenSince++;
      // One job ended, one held answer may go: senders are let on at the pace work is taken.
      if (held.length > 0 && known && estimate(known.n) <= opts.limit) held[0]!();
    },
  };
}
