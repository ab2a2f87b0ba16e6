/**
 * Runs a benchmark target in a child process (so the load generator and the server do not share
 * an event loop) and waits for it to print `READY <url>` on stdout. Targets run compiled, with plain
 * node and the flags of `npm start`, as deployments run the backend: the first start compiles the
 * backend and the targets (tsconfig.bench.json) into dist/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ChildTarget {
  url: string;
  child: ChildProcess;
  /** SIGTERM: the orderly shutdown. Resolves once the process is gone. */
  stop(): Promise<void>;
  request(cmd: string): Promise<string>;
  /** SIGKILL, as a crash: nothing of the shutdown runs. Resolves once the process is gone. */
  kill(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The Node flags of `npm start` (package.json), so a benchmark measures what deployments run. */
export const START_NODE_FLAGS = ['--max-old-space-size=512', '--max-semi-space-size=2'];

/**
 * Extra Node flags for the backend children, e.g. `BENCH_BACKEND_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'`
 * to profile the backend under load (flags NODE_OPTIONS refuses).
 */
const EXTRA_FLAGS = (process.env['BENCH_BACKEND_FLAGS'] ?? '').split(' ').filter(Boolean);

let isCompiled = false;

/** The compiled form of a source file of the repository: dist/<same path>.js. */
export function compiledPath(sourcePath: string): string {
  if (!isCompiled) {
    const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.bench.json')], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('compiling the backend for the benchmarks failed');
    isCompiled = true;
  }
  return join(ROOT, 'dist', relative(ROOT, sourcePath).replace(/\.ts$/, '.js'));
}

/** `script` is a TypeScript file relative to this one; its compiled form runs. */
export async function startChild(script: string, args: string[], env: Record<string, string> = {}): Promise<ChildTarget> {
  const child = spawn(process.execPath, [...START_NODE_FLAGS, ...EXTRA_FLAGS, compiledPath(fileURLToPath(new URL(script, import.meta.url))), ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let buffer = '';
  const waiters: Array<(line: string) => void> = [];
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buffer += chunk;
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      waiters.shift()?.(line);
    }
  });
  const nextLine = () => new Promise<string>((resolve) => waiters.push(resolve));
  const ready = await Promise.race([
    nextLine(),
    new Promise<string>((_, reject) => child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)))),
  ]);
  if (!ready.startsWith('READY ')) throw new Error(`${script}: unexpected first line: ${ready}`);
  return {
    url: ready.slice('READY '.length).trim(),
    child,
    async request(cmd) {
      const line = nextLine();
      child.stdin!.write(`${cmd}\n`);
      return line;
    },
    stop: () => endChild(child, 'SIGTERM'),
    kill: () => endChild(child, 'SIGKILL'),
  };
}

/** Sends `signal` and resolves once the process is gone (at once when it already is). */
async function endChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}
