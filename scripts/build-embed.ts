/**
 * `npm run build` step for the chat bubble: type-checks and bundles webchat-embed/ into dist/embed/embed.js
 * and prints its size, raw and gzipped. Exits 1 with one line per problem.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEmbed, EmbedBuildError } from './embed/build.js';

const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

buildEmbed({ rootDir, typeCheck: true })
  .then((r) => console.log(`chat bubble → ${r.path} (${r.bytes} bytes, ${r.gzipBytes} gzipped, ${r.ms} ms)`))
  .catch((error: unknown) => {
    console.error(error instanceof EmbedBuildError ? error.message : `chat bubble build failed: ${String(error)}`);
    process.exitCode = 1;
  });
