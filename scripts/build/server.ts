/**
 * Compiles the backend with tsc (tsconfig.build.json) into dist/server/, copies the run-time files that
 * are not TypeScript, and bundles tsc's output into dist/backend.js (backend-bundle.ts), which `npm start`
 * runs. dist/server/ is emptied first, so a deleted source leaves no stale module behind.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { SANDBOX_VENDOR_DIR, SANDBOX_VENDOR_FILES } from '../../server/sandbox/page/vendor.js';
import { buildBackendBundle } from './backend-bundle.js';

export interface BuildServerResult {
  /** The one-file bundle `npm start` runs. */
  entry: string;
  bytes: number;
  /** tsc's files (the jobs command runs them) and the copied run-time files. */
  files: number;
  ms: number;
}

/** Folders of server/ whose non-TypeScript files the compiled server reads at run time. */
const RUNTIME_ASSET_DIRS = ['server/sandbox/page/assets'];
const ASSET_FILE = /\.(js|css)$/;

export async function buildServer(rootDir: string): Promise<BuildServerResult> {
  const started = Date.now();
  const dist = join(rootDir, 'dist');
  await rm(join(dist, 'server'), { recursive: true, force: true });
  await runTsc(rootDir);
  let files = 0;
  for (const dir of RUNTIME_ASSET_DIRS) {
    await mkdir(join(dist, dir), { recursive: true });
    for (const name of await readdir(join(rootDir, dir))) {
      if (!ASSET_FILE.test(name)) continue;
      await copyFile(join(rootDir, dir, name), join(dist, dir, name));
      files++;
    }
  }
  files += await copySandboxVendor(rootDir);
  const emitted = (await readdir(join(dist, 'server'), { recursive: true })).filter((f) => f.endsWith('.js')).length;
  const bundle = await buildBackendBundle(rootDir);
  return { entry: bundle.path, bytes: bundle.bytes, files: files + emitted, ms: Date.now() - started };
}

/** Copies the sandbox page's vendor scripts out of node_modules into dist/; resolves with their count. */
export async function copySandboxVendor(rootDir: string): Promise<number> {
  const requireFromRoot = createRequire(join(rootDir, 'package.json'));
  const dir = join(rootDir, 'dist', SANDBOX_VENDOR_DIR);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const [name, source] of Object.entries(SANDBOX_VENDOR_FILES)) await copyFile(requireFromRoot.resolve(source), join(dir, name));
  return Object.keys(SANDBOX_VENDOR_FILES).length;
}

function runTsc(rootDir: string): Promise<void> {
  const tsc = createRequire(join(rootDir, 'package.json')).resolve('typescript/bin/tsc');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', join(rootDir, 'tsconfig.build.json')], { cwd: rootDir, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`backend build failed: tsc exited with ${code}`))));
  });
}
