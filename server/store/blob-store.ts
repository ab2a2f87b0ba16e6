/**
 * File bytes on disk (with SQLite: one instance), below one folder (next to the SQLite file by
 * default: `data/files`). A blob is written to a temporary name, flushed to disk, then renamed, so
 * a crash never leaves a half file under a name the database points to.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { BlobTooLargeError, type BlobStore } from '../bridge/ports.js';

/** The files folder for a DATABASE_URL: beside the SQLite file, else `./data/files`. */
export function filesDirFor(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (path === ':memory:') return join(tmpdir(), `amojo-channel-files-${process.pid}`);
    return join(dirname(resolve(path)), 'files');
  }
  return resolve('data', 'files');
}

/**
 * Opens the files folder. `tmp/` holds only blobs being written: whatever is there at start-up
 * belongs to a write the previous process never finished, and is removed.
 */
export function createDiskBlobStore(folder: string): BlobStore {
  const root = resolve(folder);
  const tmp = join(root, 'tmp');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });

  function absolutePath(path: string): string {
    const abs = resolve(root, path);
    // Paths come from our database, but a path that leaves the folder is never served.
    if (!abs.startsWith(root + sep)) throw new Error('blob path outside the files folder');
    return abs;
  }

  return {
    async write(source: Readable | AsyncIterable<Uint8Array>, maxBytes: number) {
      const name = randomBytes(16).toString('hex');
      const tmpPath = join(tmp, name);
      const hash = createHash('sha256');
      let size = 0;
      const fh = await open(tmpPath, 'wx');
      try {
        for await (const chunk of source as AsyncIterable<Uint8Array>) {
          size += chunk.length;
          if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
          hash.update(chunk);
          await fh.write(chunk);
        }
        await fh.sync();
      } catch (err) {
        await fh.close().catch(() => undefined);
        await rm(tmpPath, { force: true });
        throw err;
      }
      await fh.close();
      const path = `${name.slice(0, 2)}/${name}`;
      await mkdir(join(root, name.slice(0, 2)), { recursive: true });
      await rename(tmpPath, join(root, path));
      return { path, size, sha256: hash.digest('hex') };
    },
    async read(path, range) {
      let fh;
      try {
        fh = await open(absolutePath(path), 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      return fh.createReadStream(range ? { start: range.start, end: range.end } : {});
    },
    async remove(path) {
      await rm(absolutePath(path), { force: true });
    },
    async removeAbandoned(before) {
      // A write in progress holds its temporary file; one untouched since `before` belongs to a
      // write whose upload timed out long ago (start-up already cleared those of a dead process).
      let removed = 0;
      for (const name of await readdir(tmp).catch(() => [] as string[])) {
        const entry = join(tmp, name);
        const info = await stat(entry).catch(() => undefined);
        if (info && info.mtimeMs < before) {
          await rm(entry, { force: true });
          removed++;
        }
      }
      return removed;
    },
  };
}
