/**
 * Durable commits for SQLite in WAL mode. The connection runs with `synchronous = NORMAL`: a
 * COMMIT writes its frames to the write-ahead log but does not fsync it, which survives a process
 * crash but not a power cut. A durable transaction then fdatasyncs the log itself; once that
 * returns, every frame committed so far is on disk, which is exactly what `synchronous = FULL`
 * gives (recovery replays every committed frame it finds in the log) and covers any earlier
 * NORMAL commit for free. A checkpoint in between is harmless: under NORMAL it syncs the log
 * before copying it into the database and syncs the database after.
 *
 * Two ways to wait. `sync` runs the fsync on the event loop: the amojo webhook intake uses it, because
 * run in the thread pool the answer is only picked up on a later turn of a busy loop, and under
 * load that wait was longer than the fsync itself (the webhook's latency tail grew, `npm run
 * bench`). `flush` runs it in the thread pool: the store's group commit uses it, where the loop
 * has other messages to move meanwhile, and only the durable units of a batch wait for it.
 */
import fs from 'node:fs';
import { dirname } from 'node:path';

export interface WalSync {
  /** Flushes the log to disk; call after a COMMIT that must survive a power cut. */
  sync(): void;
  /**
   * The same in the thread pool: resolves once everything committed before the call is on disk,
   * while the event loop goes on serving. Calls made while a flush is running share the next one.
   */
  flush(): Promise<void>;
  close(): void;
}

export function createWalSync(databaseFile: string): WalSync {
  let log: number | undefined;
  /** The flush running now, and the one that will start after it for the callers that came meanwhile. */
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;

  function openLog(): number {
    if (log === undefined) {
      // The log exists from the first commit on and SQLite removes it only when the last
      // connection closes, so this descriptor stays valid while the store is open. Its folder
      // entry is new too: sync the folder once so the file itself survives.
      log = fs.openSync(`${databaseFile}-wal`, 'r+');
      const folder = fs.openSync(dirname(databaseFile), 'r');
      try {
        fs.fsyncSync(folder);
      } finally {
        fs.closeSync(folder);
      }
    }
    return log;
  }

  function startFlush(): Promise<void> {
    const fd = openLog();
    const flushing = new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
    // Settles either way (a failure belongs to the callers of `flushing`), then lets the next flush start.
    const clear = () => {
      running = undefined;
    };
    running = flushing.then(clear, clear);
    return flushing;
  }

  return {
    sync() {
      fs.fdatasyncSync(openLog());
    },
    flush() {
      if (!running) return startFlush();
      // The running flush may have started before the caller's commit: wait for it, then flush again.
      next ??= running.then(() => {
        next = undefined;
        return startFlush();
      });
      return next;
    },
    close() {
      if (log !== undefined) fs.closeSync(log);
      log = undefined;
    },
  };
}
