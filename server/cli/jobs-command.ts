/**
 * The operator's view of the durable jobs: list them (parked ones with their last error), give
 * parked jobs a fresh set of attempts, discard one. Works on whatever store it is handed (SQLite
 * or PostgreSQL); `jobs.ts` is the process entry that opens the configured one.
 *
 * Exit codes: 0 done, 1 the job named is missing or in a state that refuses the command, 2 bad
 * arguments, 3 the database could not be used (configuration, connection).
 */
import { z } from 'zod';
import { JOB_STATES, type JobRow } from '../store/schema.js';
import type { JobRepo } from '../store/jobs-repo.js';

export const JOBS_USAGE = [
  'usage: npm run jobs -- list [--state pending|waiting|running|dead]',
  '       npm run jobs -- retry <id> | --dead',
  '       npm run jobs -- discard <id>',
].join('\n');

export const EXIT = { ok: 0, refused: 1, usage: 2, failed: 3 } as const;

export interface JobsCommandIo {
  jobs: Pick<JobRepo, 'list' | 'get' | 'retryDead' | 'discard'>;
  now: () => number;
  out: (line: string) => void;
  err: (line: string) => void;
}

const jobId = z.coerce.number().int().positive();
const state = z.enum(JOB_STATES);
const LAST_ERROR_WIDTH = 160;

type Parsed =
  | { command: 'list'; state?: JobRow['state'] }
  | { command: 'retry'; id: number }
  | { command: 'retry-dead' }
  | { command: 'discard'; id: number };

/** Reads the arguments; a string is what is wrong with them. */
function parse(args: string[]): Parsed | string {
  const [command, ...rest] = args;
  if (command === 'list') {
    if (rest.length === 0) return { command: 'list' };
    if (rest.length === 2 && rest[0] === '--state') {
      const s = state.safeParse(rest[1]);
      return s.success ? { command: 'list', state: s.data } : `unknown state "${rest[1]}"`;
    }
    return `list takes only --state <state>`;
  }
  if (command === 'retry' && rest.length === 1 && rest[0] === '--dead') return { command: 'retry-dead' };
  if ((command === 'retry' || command === 'discard') && rest.length === 1) {
    const id = jobId.safeParse(rest[0]);
    if (!id.success) return `"${rest[0]}" is not a job id`;
    return { command, id: id.data };
  }
  return command ? `cannot read "${args.join(' ')}"` : 'a command is required';
}

export async function runJobsCommand(args: string[], io: JobsCommandIo): Promise<number> {
  const parsed = parse(args);
  if (typeof parsed === 'string') {
    io.err(`${parsed}\n${JOBS_USAGE}`);
    return EXIT.usage;
  }
  switch (parsed.command) {
    case 'list': {
      const rows = await io.jobs.list(parsed.state ? { state: parsed.state } : {});
      for (const line of formatJobs(rows, io.now())) io.out(line);
      return EXIT.ok;
    }
    case 'retry-dead': {
      const n = await io.jobs.retryDead();
      io.out(`${n} parked job${n === 1 ? '' : 's'} will run again`);
      return EXIT.ok;
    }
    case 'retry': {
      if ((await io.jobs.retryDead(parsed.id)) === 1) {
        io.out(`job ${parsed.id} will run again`);
        return EXIT.ok;
      }
      return refuse(io, parsed.id, 'only a parked (dead) job can be retried');
    }
    case 'discard': {
      if (await io.jobs.discard(parsed.id)) {
        io.out(`job ${parsed.id} discarded`);
        return EXIT.ok;
      }
      return refuse(io, parsed.id, 'a running job cannot be discarded; wait for it to finish or be parked');
    }
  }
}

async function refuse(io: JobsCommandIo, id: number, why: string): Promise<number> {
  const job = await io.jobs.get(id);
  io.err(job ? `job ${id} is ${job.state}: ${why}` : `no job ${id}`);
  return EXIT.refused;
}

/** A table: id, kind, state, queue key, attempts, age, last error; one line per job. */
export function formatJobs(rows: JobRow[], now: number): string[] {
  if (rows.length === 0) return ['no jobs'];
  const table = rows.map((r) => [String(r.id), r.kind, r.state, r.queue_key ?? '-', String(r.attempts), formatAge(now - r.created_at), oneLine(r.last_error)]);
  const head = ['ID', 'KIND', 'STATE', 'QUEUE', 'ATTEMPTS', 'AGE', 'LAST ERROR'];
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...table.map(line)];
}

export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

function oneLine(text: string | null): string {
  if (!text) return '-';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > LAST_ERROR_WIDTH ? `${flat.slice(0, LAST_ERROR_WIDTH - 1)}…` : flat;
}
