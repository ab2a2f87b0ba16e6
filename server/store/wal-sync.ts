/**
 * Durable commits for SQLite in WAL mode. The connection runs with `synchronous = NORMAL`: a
 * COMMIT writes its frames to the write-ahead log but does not fsync it, which survives a process
 * crash but not a power cut. A durable transaction then fdatasyncs the log itself; once that
 * returns, every frame committed so far is on disk, which is exactly what `synchronous = FULL`
 * gives (recovery replays every committed frame it finds in the log) and covers any earlier
 * NORMAL commit for free. A checkpoint in between is harmless: under NORMAL it syncs the log
 * before copying it into the database and syncs the database after.
 *
 * The fsync runs on the event loop on purpose. Run in the thread pool it costs no loop time, but
 * its answer is only picked up on a later turn of a busy loop: under load that wait was longer
 * than the fsync itself, and the webhook's latency tail grew (`npm run bench`).
 */
import fs from 'node:fs';
import { dirname } from 'node:path';

export interface WalSync {
  /** Flushes the log to disk; call after a COMMIT that must survive a power cut. */
  sync(): void;
  close(): void;
}

export function createWalSync(databaseFile: string): WalSync {
  let log: number | undefined;
  return {
    sync() {
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
      fs.fdatasyncSync(log);
    },
    close() {
      if (log !== undefined) fs.closeSync(log);
      log = undefined;
    },
  };
}
