/**
 * The production install of README and product.md, for real, in a copy of the repository (its tracked
 * files and the lockfile): `npm ci` (offline, from the npm cache: no network) installs and builds,
 * `npm prune --omit=dev` removes the build tools, and `npm start` runs the bundled backend (dist/backend.js) with plain
 * node: in sandbox mode it answers /healthz, serves the built chat bubble and the sandbox page's scripts,
 * and stops cleanly on SIGTERM. The prepare step, run again without build tools, keeps the build.
 * better-sqlite3's prebuilt binary, which an install with network access downloads, is handed to it from
 * this checkout's node_modules (its local-prebuilds folder), so the native module is not compiled again.
 * Slow all the same (the whole build runs), so it is one test with a long timeout.
 */
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/net.js';

const ROOT = join(import.meta.dirname, '../..');
const INSTALL_TIMEOUT_MS = 20 * 60_000;

/** The environment of a deployment: none of the npm variables of the `npm test` that runs this file. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && !k.startsWith('VITEST') && k !== 'NODE_ENV') env[k] = v;
  return { ...env, ...extra };
}

function copyRepository(to: string): void {
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' });
  expect(listed.status).toBe(0);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue; // deleted in the work tree, not yet committed
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(to, file));
  }
}

/** A prebuild-install archive of the better-sqlite3 binary this checkout has; resolves with its folder. */
function localSqlitePrebuild(dir: string): string {
  const pkgDir = join(ROOT, 'node_modules/better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const archive = join(dir, `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`);
  mkdirSync(dir, { recursive: true });
  const tar = spawnSync('tar', ['-czf', archive, '-C', pkgDir, 'build/Release/better_sqlite3.node'], { encoding: 'utf8' });
  expect(tar.status, tar.stderr).toBe(0);
  return dir;
}

/**
 * Runs npm and collects its output. Asynchronous on purpose: a synchronous spawn would block the test
 * worker for minutes, and the test runner takes a silent worker for a dead one.
 */
function npm(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => out.push(c));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, output: Buffer.concat(out).toString('utf8') }));
  });
}

/** Resolves with everything printed up to the first line that matches, or rejects when the process exits first. */
function waitForLine(child: ReturnType<typeof spawn>, pattern: RegExp, log: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log.push(chunk.toString());
      if (pattern.test(log.join(''))) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => log.push(c.toString()));
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${log.join('')}`)));
  });
}

describe('the production install', () => {
  it(
    'npm ci, npm prune --omit=dev, npm start: the compiled backend serves and stops on SIGTERM',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'production-install-'));
      try {
        copyRepository(dir);
        expect(existsSync(join(dir, 'dist'))).toBe(false);

        const prebuilds = localSqlitePrebuild(join(dir, '.prebuilds'));
        const ci = await npm(['ci', '--offline', '--no-audit', '--no-fund'], dir, { npm_config_better_sqlite3_local_prebuilds: prebuilds });
        expect(ci.status, ci.output).toBe(0);
        for (const built of ['dist/backend.js', 'dist/widget.zip', 'dist/widget/script.js', 'dist/embed/embed.js']) {
          expect(existsSync(join(dir, built)), built).toBe(true);
        }

        const prune = await npm(['prune', '--omit=dev', '--offline', '--no-audit', '--no-fund'], dir);
        expect(prune.status, prune.output).toBe(0);
        for (const devTool of ['tsx', 'typescript', 'webpack', 'vitest', 'requirejs']) {
          expect(existsSync(join(dir, 'node_modules', devTool)), devTool).toBe(false);
        }
        // What `npm ci --omit=dev` runs: without build tools it keeps the build instead of failing.
        const prepare = spawnSync(process.execPath, ['scripts/prepare.js'], { cwd: dir, env: cleanEnv(), encoding: 'utf8' });
        expect(prepare.status, prepare.stderr).toBe(0);
        expect(prepare.stdout).toMatch(/build tools not installed .*keeping the build/);

        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const options: SpawnOptions = {
          cwd: dir,
          env: cleanEnv({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'data/app.sqlite')}`, LOG_LEVEL: 'info' }),
          stdio: ['ignore', 'pipe', 'pipe'],
          // Its own process group: a service manager signals the whole group (npm, its shell and node),
          // and npm alone does not always pass a signal on to node.
          detached: true,
        };
        const start = spawn('npm', ['start'], options);
        const log: string[] = [];
        try {
          await waitForLine(start, /Sandbox running/, log);
          const health = await fetch(`${base}/healthz`);
          expect(health.status).toBe(200);
          expect(await health.json()).toEqual({ status: 'ok' });
          expect((await fetch(`${base}/webchat/embed.js`)).status).toBe(200);
          expect((await fetch(`${base}/sandbox/page/vendor/require.js`)).status).toBe(200);
          expect((await fetch(`${base}/sandbox/page/assets/sandbox.css`)).status).toBe(200);
          expect((await fetch(`${base}/sandbox/page/widget-files/script.js`)).status).toBe(200);

          // npm passes the signal on to node and may itself end by it; 'close' waits for node's output too.
          const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => start.once('close', (code, signal) => resolve({ code, signal })));
          process.kill(-start.pid!, 'SIGTERM');
          const end = await closed;
          expect(end.code === 0 || end.signal === 'SIGTERM', JSON.stringify(end)).toBe(true);
          expect(log.join('')).toMatch(/"failedSteps":\[\],"msg":"stopped"/);
        } finally {
          try {
            process.kill(-start.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    INSTALL_TIMEOUT_MS,
  );
});
