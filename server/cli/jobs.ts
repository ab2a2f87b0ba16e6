/**
 * `npm run jobs -- …`: the job commands (`jobs-command.ts`) on the database the server uses
 * (DATABASE_URL from the environment or `.env`, read as the server reads it).
 */
import 'dotenv/config';
import { ConfigError, loadConfig } from '../config/index.js';
import { openStore } from '../store/index.js';
import { EXIT, runJobsCommand } from './jobs-command.js';

async function main(): Promise<number> {
  let databaseUrl: string;
  try {
    databaseUrl = loadConfig(process.env).databaseUrl;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.failed;
    }
    throw err;
  }
  const store = await openStore(databaseUrl);
  try {
    return await runJobsCommand(process.argv.slice(2), {
      jobs: store.jobs,
      now: Date.now,
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    });
  } finally {
    await store.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`jobs: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.failed;
  },
);
