/**
 * Builds the chat bubble: webpack → dist/embed/embed.js, for `npm run build` (scripts/build-embed.ts). The
 * server only reads the result (server/platforms/webchat/embed-route.ts).
 */
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { webpackProblems } from '../build/run-webpack.js';
import { createEmbedWebpackConfig } from './webpack-config.js';

export interface BuildEmbedOptions {
  rootDir: string;
  /** Receives embed.js; `<rootDir>/dist/embed` by default. */
  outDir?: string;
  typeCheck?: boolean;
}

export interface BuildEmbedResult {
  path: string;
  bytes: number;
  gzipBytes: number;
  ms: number;
}

export class EmbedBuildError extends Error {
  override name = 'EmbedBuildError';
  constructor(readonly problems: string[]) {
    super(`chat bubble build failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function embedOutDir(rootDir: string): string {
  return join(rootDir, 'dist/embed');
}

export async function buildEmbed(options: BuildEmbedOptions): Promise<BuildEmbedResult> {
  const started = Date.now();
  const outDir = options.outDir ?? embedOutDir(options.rootDir);
  // Build next to the target and rename: a server reading the file never sees half of it.
  const tmpDir = `${outDir}.tmp-${process.pid}-${started}`;
  await mkdir(outDir, { recursive: true });
  const problems = await webpackProblems(createEmbedWebpackConfig({ rootDir: options.rootDir, outDir: tmpDir, typeCheck: options.typeCheck ?? true }));
  if (problems.length > 0) throw new EmbedBuildError(problems);
  const path = join(outDir, 'embed.js');
  await rename(join(tmpDir, 'embed.js'), path);
  await rm(tmpDir, { recursive: true, force: true });
  const bytes = await readFile(path);
  return { path, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length, ms: Date.now() - started };
}

