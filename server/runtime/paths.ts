/**
 * Where the installation's files are. The server runs from source (`server/…` under tsx or vitest) and
 * compiled (`dist/backend.js`, one bundle, or tsc's `dist/server/…`, under node): each finds the root as
 * the nearest folder above with a package.json, so nothing depends on how deep the running file sits.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** The installation's root folder: holds package.json, node_modules/ and dist/. */
export const ROOT_DIR = findRoot(dirname(fileURLToPath(import.meta.url)));

/**
 * The folder of server/'s run-time files that are not code (the sandbox page's scripts and styles):
 * server/ itself when running from source, else dist/server/, where the build copies them.
 */
export const SERVER_FILES_DIR = join(ROOT_DIR, fileURLToPath(import.meta.url).endsWith('.ts') ? 'server' : 'dist/server');

/** What `npm run build` produced under a root: the compiled server, the widget, the chat bubble, the sandbox page's vendor scripts. */
export function distDir(rootDir: string = ROOT_DIR): string {
  return join(rootDir, 'dist');
}

