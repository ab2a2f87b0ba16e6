/**
 * Cold start of the compiled backend as `npm start` runs it: `node <flags of npm start> dist/backend.js`
 * (the bundle, rebuilt from the current sources first) in sandbox mode on a fresh data folder, timed from
 * the spawn to the first `200` of /healthz, then its resident memory once start-up work (migrations, the
 * sandbox account's install) is over. A few runs; the worst one counts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/support/net.js';
import { buildBackendBundle } from '../build/backend-bundle.js';
import { compiledPath, START_NODE_FLAGS } from './child.js';
import { fmt, type Benchmark } from './rows.js';

const RUNS = 3;
const COLD_START_TARGET_MS = 1000;
const RSS_TARGET_MB = 90;
/** Start-up work after /healthz first answers (the sandbox account's install) is over well within this. */
const SETTLE_MS = 2000;
const MAIN = fileURLToPath(new URL('../../server/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ColdStartRun {
  toHealthMs: number;
  rssBytes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Linux: the resident set of a process as the kernel counts it (what an operator's `ps` shows). */
function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? NaN) * 1024;
}

export async function coldStartOnce(entry: string): Promise<ColdStartRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cold-'));
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...START_NODE_FLAGS, entry], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'app.sqlite')}`, LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    let toHealthMs = NaN;
    while (Number.isNaN(toHealthMs)) {
      if (child.exitCode !== null) throw new Error(`the backend exited with ${child.exitCode} before /healthz answered`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (res?.status === 200) toHealthMs = performance.now() - started;
      else await sleep(5);
    }
    await sleep(SETTLE_MS);
    return { toHealthMs, rssBytes: rssOf(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

export const coldStartBenchmark: Benchmark = {
  name: 'cold-start',
  async run() {
    compiledPath(MAIN);
    const { path: entry } = await buildBackendBundle(ROOT);
    const runs: ColdStartRun[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await coldStartOnce(entry));
    const worstMs = Math.max(...runs.map((r) => r.toHealthMs));
    const worstMb = Math.max(...runs.map((r) => r.rssBytes)) / 1024 / 1024;
    return [
      {
        bench: `cold start of the compiled backend to /healthz (sandbox, fresh data, ${RUNS} runs)`,
        figure: `${runs.map((r) => fmt(r.toHealthMs)).join(' / ')} ms`,
        target: `≤ ${COLD_START_TARGET_MS} ms`,
        met: worstMs <= COLD_START_TARGET_MS,
      },
      {
        bench: `backend RSS ${SETTLE_MS / 1000} s after start`,
        figure: `${runs.map((r) => fmt(r.rssBytes / 1024 / 1024)).join(' / ')} MB`,
        target: `≤ ${RSS_TARGET_MB} MB`,
        met: worstMb <= RSS_TARGET_MB,
      },
    ];
  },
};
