/**
 * Runs a benchmark target in a child process (so the load generator and the server do not share
 * an event loop) and waits for it to print `READY <url>` on stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface ChildTarget {
  url: string;
  child: ChildProcess;
  /** SIGTERM: the orderly shutdown. Resolves once the process is gone. */
  stop(): Promise<void>;
  request(cmd: string): Promise<string>;
  /** SIGKILL, as a crash: nothing of the shutdown runs. Resolves once the process is gone. */
  kill(): Promise<void>;
}

const TSX_LOADER = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs')).href;

/** The Node flags of `npm start` (package.json), so a benchmark measures what deployments run. */
export const START_NODE_FLAGS = ['--max-old-space-size=512'];

export async function startChild(script: string, args: string[], env: Record<string, string> = {}): Promise<ChildTarget> {
  // Node runs the target itself (not the `tsx` command, a wrapper process): a signal sent to `child`,
  // SIGKILL included, reaches the process that serves.
  const child = spawn(process.execPath, [...START_NODE_FLAGS, '--import', TSX_LOADER, fileURLToPath(new URL(script, import.meta.url)), ...args], {
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
