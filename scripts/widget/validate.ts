/**
 * Validates the unpacked widget archive before it is zipped. Pure functions over a map of
 * archive path → bytes; each returns sentences naming the problem (empty when all is well).
 * Rules: widget-and-oauth.md §1 (layout, images, encoding, locales) and §2 (manifest).
 */
import { checkAmdScript } from './amd-check.js';
import {
  MANIFEST_I18N_FIELDS,
  MAX_IMAGE_BYTES,
  REQUIRED_FILES,
  REQUIRED_IMAGES,
  TEXT_EXTENSIONS,
} from './archive-rules.js';
import { readPngSize } from './png-size.js';
import { findSecrets, type NamedSecret } from './secrets.js';

export type ArchiveFiles = ReadonlyMap<string, Uint8Array>;
type Json = Record<string, unknown>;

export interface ValidateOptions {
  /** Values that must not appear in any file (the configured secrets). */
  secrets?: readonly NamedSecret[];
}

const SETTING_TYPES = ['text', 'pass', 'users', 'users_lp', 'custom'];

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(obj: unknown, dotPath: string): unknown {
  return dotPath.split('.').reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), obj);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Required manifest fields and their types (§2.1). */
export function checkManifest(manifest: unknown): string[] {
  if (!isObject(manifest) || !isObject(manifest.widget)) return ['manifest.json: the "widget" object is missing'];
  const problems: string[] = [];
  const need = (field: string, ok: (v: unknown) => boolean, what: string) => {
    const value = at(manifest, field);
    if (value === undefined) problems.push(`manifest.json: field "${field}" is missing`);
    else if (!ok(value)) problems.push(`manifest.json: field "${field}" must be ${what}`);
  };
  for (const field of MANIFEST_I18N_FIELDS) need(field, isNonEmptyString, 'an i18n key');
  need('widget.version', (v) => typeof v === 'string' && /^\d+\.\d+\.\d+$/.test(v), 'a version like "1.2.3"');
  need('widget.interface_version', Number.isInteger, 'an integer (2)');
  need('widget.init_once', (v) => typeof v === 'boolean', 'true or false');
  need('widget.installation', (v) => typeof v === 'boolean', 'true or false');
  need('widget.locale', (v) => Array.isArray(v) && v.length > 0 && v.every(isNonEmptyString), 'a non-empty list of locale codes');
  need('widget.support.link', (v) => typeof v === 'string' && /^https?:\/\/\S+$/.test(v), 'an http(s) URL');
  need('widget.support.email', (v) => typeof v === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), 'an email address');
  need('locations', (v) => Array.isArray(v) && v.length > 0 && v.every(isNonEmptyString), 'a non-empty list of locations');

  const locations = Array.isArray(manifest.locations) ? manifest.locations : [];
  if (locations.includes('advanced_settings')) need('advanced.title', isNonEmptyString, 'an i18n key');
  if (manifest.settings !== undefined) {
    if (!isObject(manifest.settings)) problems.push('manifest.json: "settings" must be an object');
    else {
      for (const [key, setting] of Object.entries(manifest.settings)) {
        need(`settings.${key}.name`, isNonEmptyString, 'an i18n key');
        need(`settings.${key}.type`, (v) => SETTING_TYPES.includes(v as string), `one of ${SETTING_TYPES.join(', ')}`);
        if (isObject(setting) && setting.required !== undefined && typeof setting.required !== 'boolean') {
          problems.push(`manifest.json: field "settings.${key}.required" must be true or false`);
        }
      }
    }
  }
  if (isObject(manifest.tour) && manifest.tour.is_tour === true) need('tour.tour_description', isNonEmptyString, 'an i18n key');
  return problems;
}

/** The manifest values that are i18n keys (dot paths into every i18n file). */
export function manifestI18nKeys(manifest: unknown): string[] {
  const keys: unknown[] = MANIFEST_I18N_FIELDS.map((f) => at(manifest, f));
  const settings = at(manifest, 'settings');
  if (isObject(settings)) keys.push(...Object.values(settings).map((s) => at(s, 'name')));
  keys.push(at(manifest, 'tour.tour_description'), at(manifest, 'advanced.title'));
  return [...new Set(keys.filter(isNonEmptyString))];
}

/** Leaf paths of a nested i18n object, with their values. */
function leaves(obj: Json, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isObject(value)) for (const [p, v] of leaves(value, path)) out.set(p, v);
    else out.set(path, value);
  }
  return out;
}

/**
 * Locales (§1.1): as many i18n files as locales in the manifest, one per locale, every key filled in every
 * locale, and every i18n key the manifest uses present everywhere.
 */
export function checkLocales(manifest: unknown, files: ArchiveFiles): string[] {
  const problems: string[] = [];
  const localeList = at(manifest, 'widget.locale');
  const locales = Array.isArray(localeList) ? localeList.filter(isNonEmptyString) : [];
  const i18nFiles = [...files.keys()].filter((p) => /^i18n\/[^/]+\.json$/.test(p)).sort();
  if (i18nFiles.length !== locales.length) {
    problems.push(
      `manifest.json lists ${locales.length} locale(s) (${locales.join(', ') || 'none'}) but i18n/ holds ` +
        `${i18nFiles.length} file(s) (${i18nFiles.map((p) => p.slice(5)).join(', ') || 'none'}); they must match`,
    );
  }

  const parsed = new Map<string, Map<string, unknown>>();
  for (const locale of locales) {
    const path = `i18n/${locale}.json`;
    const bytes = files.get(path);
    if (!bytes) {
      problems.push(`${path} is missing (locale "${locale}" is listed in manifest.json)`);
      continue;
    }
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, ''));
    } catch (error) {
      problems.push(`${path} is not valid JSON (${(error as Error).message})`);
      continue;
    }
    if (!isObject(data)) problems.push(`${path} must hold a JSON object`);
    else parsed.set(path, leaves(data));
  }

  const allKeys = new Set<string>(manifestI18nKeys(manifest));
  for (const keys of parsed.values()) for (const key of keys.keys()) allKeys.add(key);
  for (const [path, keys] of parsed) {
    for (const key of [...allKeys].sort()) {
      const value = keys.get(key);
      if (value === undefined) problems.push(`${path}: key "${key}" is missing`);
      else if (!isNonEmptyString(value)) problems.push(`${path}: key "${key}" is empty or not text`);
    }
  }
  return problems;
}

/** The six logos at their exact sizes, each ≤ 300 KB (§1.1); other images only for size. */
export function checkImages(files: ArchiveFiles): string[] {
  const problems: string[] = [];
  for (const image of REQUIRED_IMAGES) {
    const bytes = files.get(image.path);
    if (!bytes) {
      problems.push(`${image.path} is missing (${image.width}x${image.height} PNG required)`);
      continue;
    }
    const size = readPngSize(bytes);
    if (!size) problems.push(`${image.path} is not a PNG file`);
    else if (size.width !== image.width || size.height !== image.height) {
      problems.push(`${image.path} is ${size.width}x${size.height} pixels; it must be ${image.width}x${image.height}`);
    }
  }
  for (const [path, bytes] of files) {
    if (path.startsWith('images/') && bytes.length > MAX_IMAGE_BYTES) {
      problems.push(`${path} is ${Math.ceil(bytes.length / 1024)} KB; images must be at most 300 KB`);
    }
  }
  return problems;
}

/** Text files must be UTF-8 without a byte-order mark (§1.1). */
export function checkEncoding(files: ArchiveFiles): string[] {
  const problems: string[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const [path, bytes] of files) {
    if (!TEXT_EXTENSIONS.some((ext) => path.toLowerCase().endsWith(ext))) continue;
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      problems.push(`${path} starts with a byte-order mark (BOM); save it as UTF-8 without BOM`);
    }
    try {
      decoder.decode(bytes);
    } catch {
      problems.push(`${path} is not valid UTF-8`);
    }
  }
  return problems;
}

/** Files sit at the archive root (no wrapping folder, no absolute or parent paths). */
export function checkLayout(files: ArchiveFiles): string[] {
  const problems = REQUIRED_FILES.filter((f) => !files.has(f)).map((f) => `${f} is missing from the archive root`);
  for (const path of files.keys()) {
    if (path.startsWith('/') || path.split('/').includes('..') || path.includes('\\')) {
      problems.push(`${path}: archive paths must be relative, with forward slashes`);
    }
  }
  return problems;
}

/** Every rule at once; the build refuses to pack when this returns anything. */
export function validateArchive(files: ArchiveFiles, options: ValidateOptions = {}): string[] {
  const problems = [...checkLayout(files), ...checkEncoding(files)];
  const manifestBytes = files.get('manifest.json');
  if (manifestBytes) {
    let manifest: unknown;
    try {
      manifest = JSON.parse(Buffer.from(manifestBytes).toString('utf8').replace(/^\uFEFF/, ''));
    } catch (error) {
      problems.push(`manifest.json is not valid JSON (${(error as Error).message})`);
    }
    if (manifest !== undefined) problems.push(...checkManifest(manifest), ...checkLocales(manifest, files));
  }
  problems.push(...checkImages(files));
  const script = files.get('script.js');
  if (script) problems.push(...checkAmdScript(Buffer.from(script).toString('utf8')));
  for (const [path, bytes] of files) problems.push(...findSecrets(path, bytes, options.secrets ?? []));
  return problems;
}
