/**
 * The one shutdown sequence: named steps run in order, each one's failure logged and the next still run,
 * so that a stream that will not close never keeps acknowledged hooks from their commit or the store from
 * closing. The process entry adds the force-exit deadline below.
 */
import { AMOJO_REQUEST_TIMEOUT_MS } from '../amojo/client.js';
import { MEDIA_TOTAL_TIMEOUT_MS } from '../net/media-fetch.js';
import type { Logger } from '../log.js';

/** The longest a job may legitimately run: a manager's file downloaded, then a Chats API call and its one retry. */
export const LONGEST_JOB_MS = MEDIA_TOTAL_TIMEOUT_MS + 2 * AMOJO_REQUEST_TIMEOUT_MS;

/** After a stop signal the process exits by force after this long: past the longest job, with room to commit and close. */
export const FORCE_EXIT_MS = LONGEST_JOB_MS + 10_000;

export interface ShutdownStep {
  name: string;
  run(): Promise<void> | void;
}

/** Runs every step in order; resolves with the names of those that failed (each already logged). */
export async function runShutdownSteps(steps: readonly ShutdownStep[], logger: Logger): Promise<string[]> {
  const failed: string[] = [];
  for (const step of steps) {
    try {
      await step.run();
      logger.debug({ step: step.name }, 'shutdown step done');
    } catch (err) {
      failed.push(step.name);
      logger.error({ err, step: step.name }, 'shutdown step failed; going on with the next');
    }
  }
  return failed;
}
