/**
 * A real backend (`bridge-child.ts`) in its own process, for crash and multi-instance tests. Node
 * runs the entry itself (`--import tsx`): a SIGKILL must hit the process that serves, not a
 * wrapper that would leave it running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Backend {
  proc: ChildProcess;
  /** `READY <url> <site key> <scope id>` split. */
  ready: [string, string, string];
  /** Writes a command on stdin and resolves with the next line that equals `answer`. */
  command(cmd: string, answer: string): Promise<void>;
}

const TSX_LOADER = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs')).href;

export async function spawnBackend(env: Record<string, string>): Promise<Backend> {
  const script = fileURLToPath(new URL('./bridge-child.ts', import.meta.url));
  const proc = spawn(process.execPath, ['--import', TSX_LOADER, script], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  const lineWaiters: Array<(line: string) => void> = [];
  let buffer = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    buffer += chunk;
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      for (const w of lineWaiters.splice(0)) w(line);
    }
  });
  const nextLine = (pred: (line: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const wait = (line: string) => (pred(line) ? resolve(line) : lineWaiters.push(wait));
      lineWaiters.push(wait);
      proc.once('exit', (code) => reject(new Error(`backend exited with ${code}`)));
    });
  const line = await nextLine(() => true);
  if (!line.startsWith('READY ')) throw new Error(`unexpected first line: ${line}`);
  return {
    proc,
    ready: line.slice(6).split(' ') as [string, string, string],
    async command(cmd, answer) {
      const answered = nextLine((l) => l === answer);
      proc.stdin!.write(`${cmd}\n`);
      await answered;
    },
  };
}

export const exited = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));

/** SIGTERM and wait, for a backend still running. */
export async function stopBackend(b: Backend | undefined): Promise<void> {
  if (!b || b.proc.exitCode !== null || b.proc.signalCode !== null) return;
  b.proc.kill('SIGTERM');
  await exited(b.proc);
}
