/**
 * The real build (webpack + pack) into a temp dir: the zip has its files at the root, the manifest carries
 * package.json's version, and script.js is an AMD module whose factory returns the widget constructor.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';
import { REQUIRED_IMAGES } from '../../scripts/widget/archive-rules.js';
import { buildWidget, WidgetBuildError } from '../../scripts/widget/build.js';

const rootDir = join(import.meta.dirname, '../..');
const tempDirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'widget-build-'));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('widget build', () => {
  it('packs dist/widget.zip with the files at the root', { timeout: 120_000 }, async () => {
    const outDir = await tempDir();
    const support = { email: 'help@chat-vendor.test', url: 'https://chat-vendor.test/help', privacyUrl: 'https://chat-vendor.test/privacy' };
    const result = await buildWidget({ rootDir, outDir, backendUrl: 'https://chat.example.test/', support });

    const zip = await JSZip.loadAsync(await readFile(result.zipPath));
    const names = Object.values(zip.files).filter((f) => !f.dir).map((f) => f.name).sort();
    expect(names).toEqual(
      ['i18n/en.json', 'i18n/es.json', 'i18n/pt.json', 'i18n/ru.json', 'manifest.json', 'script.js', ...REQUIRED_IMAGES.map((i) => i.path)].sort(),
    );

    const pkg = JSON.parse(await readFile(join(rootDir, 'package.json'), 'utf8'));
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest.widget.version).toBe(pkg.version);

    // The unpacked copy is what the zip holds.
    const script = await zip.file('script.js')!.async('string');
    expect(await readFile(join(result.unpackedDir, 'script.js'), 'utf8')).toBe(script);
    expect((await stat(join(result.unpackedDir, 'script.js'))).size).toBe(result.scriptBytes);

    // Evaluated the way RequireJS would: one anonymous define, jquery as a dependency, a function back.
    const defines: unknown[][] = [];
    const define = Object.assign((...args: unknown[]) => void defines.push(args), { amd: {} });
    runInNewContext(script, { define });
    expect(defines).toHaveLength(1);
    const [deps, factory] = defines[0] as [string[], (...a: unknown[]) => unknown];
    expect(deps).toEqual(['jquery']);
    const Widget = factory(() => undefined);
    expect(typeof Widget).toBe('function');

    // Readable (not minified), backend URL baked in, jQuery not bundled.
    expect(script.split('\n').length).toBeGreaterThan(300);
    expect(script).toContain('"https://chat.example.test"');
    expect(script).not.toContain('jQuery JavaScript Library');
    expect(script).not.toContain('__WIDGET_BACKEND_URL__');

    // With real contacts our own widget passes every marketplace check, the error texts' contacts included.
    expect(result.review.filter((r) => r.problems.length > 0)).toEqual([]);
    expect(result.review.map((r) => r.name)).toContain('error-with-contacts');
    expect(manifest.widget.support).toEqual({ email: support.email, link: support.url, privacy_policy: support.privacyUrl });
    expect(script).toContain(JSON.stringify(support.email));
    expect(script).toContain(JSON.stringify(support.url));
  });

  it('refuses to pack when a configured secret ends up in a file, and says which', { timeout: 60_000 }, async () => {
    const outDir = await tempDir();
    const secret = 'leaked-client-secret-0042';
    const build = buildWidget({
      rootDir,
      outDir,
      backendUrl: `https://${secret}.example.test`,
      secrets: [{ name: 'AMO_CLIENT_SECRET', value: secret }],
    });
    await expect(build).rejects.toThrow(WidgetBuildError);
    await expect(build).rejects.toThrow('script.js contains the value of AMO_CLIENT_SECRET');
    await expect(stat(join(outDir, 'widget.zip'))).rejects.toThrow(/ENOENT/);
  });

  it('rejects a backend URL that is not a plain http(s) base URL', async () => {
    const outDir = await tempDir();
    await expect(buildWidget({ rootDir, outDir, backendUrl: 'ftp://x' })).rejects.toThrow(/must be an http\(s\) URL/);
    await expect(buildWidget({ rootDir, outDir, backendUrl: 'not a url' })).rejects.toThrow(/is not a URL/);
  });
});
