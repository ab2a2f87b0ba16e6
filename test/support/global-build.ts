/**
 * vitest globalSetup: the tests run the server from source, but it serves the widget, the chat bubble and
 * the sandbox page's vendor scripts only as `npm run build` wrote them into dist/. Builds those (not the
 * compiled server) once per run, and only when a source is newer than what dist/ holds.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildEmbed } from '../../scripts/embed/build.js';
import { copySandboxVendor } from '../../scripts/build/server.js';
import { buildWidget } from '../../scripts/widget/build.js';
import { SANDBOX_VENDOR_DIR, SANDBOX_VENDOR_FILES } from '../../server/sandbox/page/vendor.js';

const ROOT = join(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist');
/** What the browser-side builds read: a change to any of them makes dist/ stale. */
const SOURCES = ['widget', 'webchat-embed', 'manifest.json', 'package.json', 'package-lock.json', 'scripts/widget', 'scripts/embed'];
/** What those builds write; the oldest of them is compared with the newest source. */
const OUTPUTS = ['widget/script.js', 'widget.zip', 'embed/embed.js', ...Object.keys(SANDBOX_VENDOR_FILES).map((f) => `${SANDBOX_VENDOR_DIR}/${f}`)];

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

async function oldestOutput(): Promise<number> {
  let oldest = Infinity;
  for (const out of OUTPUTS) {
    const info = await stat(join(DIST, out)).catch(() => undefined);
    if (!info) return 0;
    oldest = Math.min(oldest, info.mtimeMs);
  }
  return oldest;
}

export default async function setup(): Promise<void> {
  const newest = Math.max(...(await Promise.all(SOURCES.map((s) => newestMtime(join(ROOT, s))))));
  if ((await oldestOutput()) >= newest) return;
  const started = Date.now();
  await copySandboxVendor(ROOT);
  await buildWidget({ rootDir: ROOT, outDir: DIST, backendUrl: 'http://localhost:3000' });
  await buildEmbed({ rootDir: ROOT, typeCheck: false });
  process.stdout.write(`built the widget and the chat bubble into dist/ for the tests (${Date.now() - started} ms)\n`);
}
