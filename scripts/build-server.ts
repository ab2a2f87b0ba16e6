/**
 * `npm run build` step for the backend: compiles server/ into dist/server/ (ES modules run by plain `node`),
 * copies beside it the files the compiled server serves (the sandbox page's scripts and styles), and copies
 * the sandbox page's vendor scripts out of node_modules, since a production install has no devDependencies.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer } from './build/server.js';

const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

buildServer(rootDir)
  .then((r) => console.log(`backend → ${r.entry} (${Math.round(r.bytes / 1024)} KiB; ${r.files} files in dist/server, ${r.ms} ms)`))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : `backend build failed: ${String(error)}`);
    process.exitCode = 1;
  });
