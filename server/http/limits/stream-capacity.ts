/**
 * How many long-lived streams (SSE) one process can hold: each is an open socket, a file
 * descriptor, and past the process's descriptor limit `accept()` fails for everyone, health checks
 * included. The cap leaves a quarter of the limit, and at least 128 descriptors, for everything
 * else: ordinary requests, amoCRM and Chats API calls, the database, stored files being read or
 * written. Node raises its soft limit to the hard limit at start-up, so the figure read here is
 * the one that binds; raise it with systemd `LimitNOFILE=` or `ulimit -n` (README).
 */
import { readFileSync } from 'node:fs';

/** Where /proc is not there to read (macOS, Windows): the usual Linux default. */
const FALLBACK_FD_LIMIT = 1024;
/** Beyond this, memory (buffers of each stream) binds before descriptors do. */
const MAX_STREAMS = 20_000;
const MIN_STREAMS = 16;

/** The soft limit on open files, from /proc/self/limits; `Infinity` when unlimited. */
export function openFileLimit(read: () => string = () => readFileSync('/proc/self/limits', 'utf8')): number {
  try {
    const line = read().split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (soft === 'unlimited') return Infinity;
    const n = Number(soft);
    return Number.isInteger(n) && n > 0 ? n : FALLBACK_FD_LIMIT;
  } catch {
    return FALLBACK_FD_LIMIT;
  }
}

export function streamCapacity(fdLimit: number = openFileLimit()): number {
  if (fdLimit === Infinity) return MAX_STREAMS;
  const reserve = Math.max(128, Math.ceil(fdLimit / 4));
  return Math.max(MIN_STREAMS, Math.min(MAX_STREAMS, fdLimit - reserve));
}
