/**
 * Where the bubble's sources live, and how new they are. Kept apart from build.ts so that the server can
 * check whether its bundle is stale without loading webpack.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Newest modification time of the bubble's sources (and its build config), in ms. */
export async function newestSourceMtime(rootDir: string): Promise<number> {
  let newest = 0;
  const dirs = [join(rootDir, 'webchat-embed'), join(rootDir, 'scripts/embed')];
  for (const dir of dirs) {
    for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
    }
  }
  return newest;
}
