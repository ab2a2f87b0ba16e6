/**
 * Where the installation's files are. The server runs from source (`server/…` under tsx or vitest) and
 * compiled (`dist/server/…` under node): both find the root as the nearest folder above with a
 * package.json, so nothing depends on how deep this file sits.
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

/** What `npm run build` produced under a root: the compiled server, the widget, the chat bubble, the sandbox page's vendor scripts. */
export function distDir(rootDir: string = ROOT_DIR): string {
  return join(rootDir, 'dist');
}

