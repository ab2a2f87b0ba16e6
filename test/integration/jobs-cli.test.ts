/**
 * The operator's job commands (`npm run jobs -- …`) on SQLite and, when TEST_DATABASE_URL is set,
 * PostgreSQL: list (all, or by state, with the last error and age), retry one or every parked job,
 * discard one; refusals and bad arguments with their exit codes. One run goes through the real
 * entry as `npm run jobs` starts it, on DATABASE_URL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, formatAge, runJobsCommand } from '../../server/cli/jobs-command.js';
import { openStore, type Store } from '../../server/store/index.js';
import { createPostgresDatabase, postgresTestsEnabled } from '../support/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'jobs-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
let clock = 10 * DAY;
const now = () => clock;

const dialects: Array<{ name: string; open(): Promise<{ url: string; dispose(): Promise<void> }> }> = [
  { name: 'sqlite', open: async () => ({ url: `sqlite:${join(dir, `${Math.random().toString(36).slice(2)}.sqlite`)}`, dispose: async () => undefined }) },
];
if (postgresTestsEnabled()) dialects.push({ name: 'postgres', open: createPostgresDatabase });

async function run(store: Store, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runJobsCommand(args, { jobs: store.jobs, now, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** Three jobs: one parked with its error, one pending, one running. */
async function seed(store: Store): Promise<{ dead: number; pending: number; running: number }> {
  await store.jobs.enqueue({ kind: 'amojo.send', payload: { msgid: 'm1' }, queueKey: 'conv-1' });
  const [first] = await store.jobs.claim('w', 1, 60_000);
  await store.jobs.bury(first!.id, 'w', 'AmojoError: amojo POST /v2/origin/custom/s answered 403:\n{"error":"forbidden"}');
  clock += 2 * 3_600_000;
  await store.jobs.enqueue([{ kind: 'amojo.typing', payload: {}, queueKey: 'conv-2' }, { kind: 'amojo.hook', payload: {}, queueKey: 'conv-3', runAfter: clock + DAY }]);
  const [running] = await store.jobs.claim('w', 1, 60_000);
  const pending = (await store.jobs.list({ state: 'pending' }))[0]!;
  return { dead: first!.id, pending: pending.id, running: running!.id };
}

for (const dialect of dialects) {
  describe(`job commands on ${dialect.name}`, () => {
    async function withStore(fn: (store: Store) => Promise<void>) {
      const db = await dialect.open();
      const store = await openStore(db.url, now);
      try {
        await fn(store);
      } finally {
        await store.close();
        await db.dispose();
      }
    }

    it('lists jobs with kind, queue, attempts, age and last error, all or by state', () =>
      withStore(async (store) => {
        expect((await run(store, 'list')).out).toEqual(['no jobs']);
        const ids = await seed(store);
        const all = await run(store, 'list');
        expect(all.code).toBe(EXIT.ok);
        expect(all.out).toHaveLength(4);
        expect(all.out[0]).toMatch(/^ID\s+KIND\s+STATE\s+QUEUE\s+ATTEMPTS\s+AGE\s+LAST ERROR$/);
        const dead = await run(store, 'list', '--state', 'dead');
        expect(dead.out).toHaveLength(2);
        expect(dead.out[1]).toMatch(new RegExp(`^${ids.dead}\\s+amojo\\.send\\s+dead\\s+conv-1\\s+1\\s+2h\\s+AmojoError: amojo POST /v2/origin/custom/s answered 403: \\{"error":"forbidden"\\}$`));
      }));

    it('retries one parked job or all of them with fresh attempts, and refuses a job that is not parked', () =>
      withStore(async (store) => {
        const ids = await seed(store);
        expect(await run(store, 'retry', String(ids.pending))).toEqual({ code: EXIT.refused, out: [], err: [`job ${ids.pending} is pending: only a parked (dead) job can be retried`] });
        expect(await run(store, 'retry', '999')).toMatchObject({ code: EXIT.refused, err: ['no job 999'] });
        expect(await run(store, 'retry', String(ids.dead))).toEqual({ code: EXIT.ok, out: [`job ${ids.dead} will run again`], err: [] });
        expect(await store.jobs.get(ids.dead)).toMatchObject({ state: 'pending', attempts: 0, run_after: clock, leased_by: null });
        // Claimable again at once.
        expect((await store.jobs.claim('w2', 10, 60_000)).map((j) => j.id)).toContain(ids.dead);
        await store.jobs.bury(ids.dead, 'w2', 'again');
        expect(await run(store, 'retry', '--dead')).toMatchObject({ code: EXIT.ok, out: ['1 parked job will run again'] });
        expect(await run(store, 'retry', '--dead')).toMatchObject({ code: EXIT.ok, out: ['0 parked jobs will run again'] });
      }));

    it('discards a parked or pending job, never a running one', () =>
      withStore(async (store) => {
        const ids = await seed(store);
        expect(await run(store, 'discard', String(ids.running))).toMatchObject({ code: EXIT.refused, err: [`job ${ids.running} is running: a running job cannot be discarded; wait for it to finish or be parked`] });
        expect(await run(store, 'discard', String(ids.dead))).toEqual({ code: EXIT.ok, out: [`job ${ids.dead} discarded`], err: [] });
        expect(await run(store, 'discard', String(ids.pending))).toMatchObject({ code: EXIT.ok });
        expect((await store.jobs.list()).map((j) => j.id)).toEqual([ids.running]);
        expect(await run(store, 'discard', String(ids.dead))).toMatchObject({ code: EXIT.refused, err: [`no job ${ids.dead}`] });
      }));
  });
}

describe('job command arguments', () => {
  it('answers bad arguments with the usage and exit code 2, touching nothing', async () => {
    const store = await openStore(`sqlite:${join(dir, 'args.sqlite')}`, now);
    try {
      for (const args of [[], ['lst'], ['list', '--state', 'gone'], ['retry'], ['retry', 'abc'], ['retry', '-1'], ['discard', '1', '2'], ['list', 'x']]) {
        const r = await run(store, ...args);
        expect(r.code, args.join(' ')).toBe(EXIT.usage);
        expect(r.err.join('\n')).toContain('usage: npm run jobs -- list');
      }
    } finally {
      await store.close();
    }
  });

  it('shows ages in the largest whole unit', () => {
    expect([0, 59_000, 60_000, 3_599_000, 3_600_000, DAY - 1, 3 * DAY].map(formatAge)).toEqual(['0s', '59s', '1m', '59m', '1h', '23h', '3d']);
  });

  it('runs as `npm run jobs` does, on the DATABASE_URL of the environment', { timeout: 60_000 }, async () => {
    const url = `sqlite:${join(dir, 'entry.sqlite')}`;
    const store = await openStore(url);
    await store.jobs.enqueue({ kind: 'amojo.send', payload: {}, queueKey: 'q' });
    const [job] = await store.jobs.claim('w', 1, 60_000);
    await store.jobs.bury(job!.id, 'w', 'gave up');
    await store.close();
    const entry = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const p = spawn(process.execPath, ['--import', 'tsx', 'server/cli/jobs.ts', ...args], { env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' } });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        p.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const listed = await entry(['list', '--state', 'dead']);
    expect(listed).toMatchObject({ code: 0 });
    expect(listed.stdout).toMatch(new RegExp(`\\n${job!.id}\\s+amojo\\.send\\s+dead\\s+q\\s+1\\s+\\d+s\\s+gave up\\n`));
    expect(await entry(['retry', String(job!.id + 1)])).toMatchObject({ code: 1, stderr: `no job ${job!.id + 1}\n` });
    expect(await entry(['retry', '--dead'])).toMatchObject({ code: 0, stdout: '1 parked job will run again\n' });
    expect(await entry(['frobnicate'])).toMatchObject({ code: 2 });
  });
});
