/**
 * Runs a benchmark target in a child process (so the load generator and the server do not share
 * an event loop) and waits for it to print `READY <url>` on stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildTarget {
  url: string;
  child: ChildProcess;
  /** Peak resident memory the child reported, in bytes (when it reports). */
  stop(): Promise<void>;
  request(cmd: string): Promise<string>;
}

const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** The Node flags of `npm start` (package.json), so a benchmark measures what deployments run. */
export const START_NODE_FLAGS = ['--max-old-space-size=512'];

export async function startChild(script: string, args: string[], env: Record<string, string> = {}): Promise<ChildTarget> {
  const child = spawn(TSX, [...START_NODE_FLAGS, fileURLToPath(new URL(script, import.meta.url)), ...args], {
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
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
