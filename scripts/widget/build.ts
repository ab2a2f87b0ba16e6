/**
 * Builds the widget: webpack → dist/widget/script.js, then manifest (version from package.json), locales and
 * logos beside it, validates the whole set and packs dist/widget.zip with every file at the archive root.
 * Nothing is packed when validation finds a problem.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import JSZip from 'jszip';
import type { NamedSecret } from './secrets.js';
import { validateArchive } from './validate.js';
import { reviewArchive, type ReviewOutcome } from './review-rules.js';

/** Every class and data attribute of the widget's CSS starts with this (styles.ts). */
export const WIDGET_CSS_NAMESPACE = 'awc-';
import { webpackProblems } from '../build/run-webpack.js';
import { createWebpackConfig } from './webpack-config.js';

export interface BuildWidgetOptions {
  /** Repository root: holds manifest.json, package.json and widget/. */
  rootDir: string;
  /** Receives widget/ (unpacked) and widget.zip. */
  outDir: string;
  backendUrl: string;
  secrets?: readonly NamedSecret[];
  /** WIDGET_SUPPORT_EMAIL, WIDGET_SUPPORT_URL, WIDGET_PRIVACY_URL: replace the manifest's placeholders. */
  support?: { email?: string | undefined; url?: string | undefined; privacyUrl?: string | undefined };
  /** WIDGET_RELEASE=1: any marketplace-review finding stops the build instead of warning. */
  release?: boolean;
}

export interface BuildWidgetResult {
  zipPath: string;
  unpackedDir: string;
  version: string;
  files: string[];
  scriptBytes: number;
  zipBytes: number;
  /** Every marketplace-review rule that ran, with what it found (empty = passed). */
  review: ReviewOutcome[];
}

/** The build stopped; `problems` are sentences to print, one per line. */
export class WidgetBuildError extends Error {
  override name = 'WidgetBuildError';
  constructor(readonly problems: string[]) {
    super(`widget build failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Zip entries carry this date so that the same sources give the same archive. */
const FIXED_DATE = new Date('2020-01-01T00:00:00Z');

export function normaliseBackendUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new WidgetBuildError([`WIDGET_BACKEND_URL / PUBLIC_URL is not a URL: "${raw}"`]);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WidgetBuildError([`WIDGET_BACKEND_URL / PUBLIC_URL must be an http(s) URL: "${raw}"`]);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new WidgetBuildError([`WIDGET_BACKEND_URL / PUBLIC_URL must be a plain base URL without query, fragment or credentials`]);
  }
  return url.toString().replace(/\/+$/, '');
}


async function copyFolder(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.isFile()) await writeFile(join(to, entry.name), await readFile(join(from, entry.name)));
  }
}

async function collectFiles(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files.set(relative(dir, full).split(sep).join('/'), await readFile(full));
  }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

export async function buildWidget(options: BuildWidgetOptions): Promise<BuildWidgetResult> {
  const { rootDir, outDir } = options;
  const backendUrl = normaliseBackendUrl(options.backendUrl);
  const unpackedDir = join(outDir, 'widget');
  const zipPath = join(outDir, 'widget.zip');
  await rm(unpackedDir, { recursive: true, force: true });
  await rm(zipPath, { force: true });
  await mkdir(unpackedDir, { recursive: true });

  const pkg = JSON.parse(await readFile(join(rootDir, 'package.json'), 'utf8')) as { version?: string };
  if (!pkg.version) throw new WidgetBuildError(['package.json has no "version"']);
  const manifest = JSON.parse(await readFile(join(rootDir, 'manifest.json'), 'utf8')) as { widget?: Record<string, unknown> };
  if (manifest.widget && typeof manifest.widget === 'object') {
    manifest.widget.version = pkg.version;
    const support = { ...(manifest.widget.support as Record<string, unknown> | undefined) };
    if (options.support?.email) support.email = options.support.email;
    if (options.support?.url) support.link = options.support.url;
    if (options.support?.privacyUrl) support.privacy_policy = options.support.privacyUrl;
    manifest.widget.support = support;
  }
  // The error texts show the same contacts as the manifest: whatever the build put there is baked into script.js.
  const supportOf = (key: string): string => {
    const value = (manifest.widget?.support as Record<string, unknown> | undefined)?.[key];
    return typeof value === 'string' ? value : '';
  };
  const buildProblems = await webpackProblems(createWebpackConfig({ rootDir, outDir: unpackedDir, backendUrl, support: { email: supportOf('email'), url: supportOf('link') } }));
  if (buildProblems.length > 0) throw new WidgetBuildError(buildProblems);
  await writeFile(join(unpackedDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await copyFolder(join(rootDir, 'widget/i18n'), join(unpackedDir, 'i18n'));
  await copyFolder(join(rootDir, 'widget/images'), join(unpackedDir, 'images'));

  const files = await collectFiles(unpackedDir);
  const problems = validateArchive(files, { secrets: options.secrets ?? [] });
  if (problems.length > 0) throw new WidgetBuildError(problems);
  const review = reviewArchive({ files, manifest: manifest as Record<string, unknown>, cssNamespace: WIDGET_CSS_NAMESPACE });
  const findings = review.flatMap((r) => r.problems.map((p) => `marketplace review, ${r.name}: ${p}`));
  if (options.release && findings.length > 0) throw new WidgetBuildError(findings);

  const zip = new JSZip();
  const folders = new Set([...files.keys()].filter((p) => p.includes('/')).map((p) => p.slice(0, p.lastIndexOf('/'))));
  for (const folder of [...folders].sort()) zip.file(`${folder}/`, null, { dir: true, date: FIXED_DATE });
  for (const [path, bytes] of files) zip.file(path, bytes, { date: FIXED_DATE, binary: true, createFolders: false });
  const data = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
  await writeFile(zipPath, data);

  return {
    zipPath,
    unpackedDir,
    version: pkg.version,
    files: [...files.keys()],
    scriptBytes: files.get('script.js')?.length ?? 0,
    zipBytes: data.length,
    review,
  };
}
