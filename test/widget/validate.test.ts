/**
 * The archive validator on good and bad inputs: each failure must name the problem.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { REQUIRED_IMAGES } from '../../scripts/widget/archive-rules.js';
import { checkAmdScript } from '../../scripts/widget/amd-check.js';
import { findSecrets, secretsFromEnv } from '../../scripts/widget/secrets.js';
import { validateArchive } from '../../scripts/widget/validate.js';
import { REVIEW_RULES, reviewArchive } from '../../scripts/widget/review-rules.js';

const root = join(import.meta.dirname, '../..');
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const GOOD_SCRIPT = 'define(["jquery"], function ($) { return function Widget() { this.callbacks = {}; return this; }; });';

function manifest(overrides: (m: Record<string, any>) => void = () => {}): Uint8Array {
  const m = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
  m.widget.version = '1.2.3';
  overrides(m);
  return utf8(JSON.stringify(m, null, 2));
}

function png(width: number, height: number): Uint8Array {
  return new Uint8Array(PNG.sync.write(new PNG({ width, height })));
}

/** A valid archive: the real manifest, locales and logos, and a tiny AMD script. */
function goodFiles(): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>([
    ['manifest.json', manifest()],
    ['script.js', utf8(GOOD_SCRIPT)],
    ...['en', 'es', 'pt', 'ru'].map((l): [string, Uint8Array] => [`i18n/${l}.json`, new Uint8Array(readFileSync(join(root, `widget/i18n/${l}.json`)))]),
  ]);
  for (const image of REQUIRED_IMAGES) files.set(image.path, new Uint8Array(readFileSync(join(root, 'widget', image.path))));
  return files;
}

function problemsWith(change: (files: Map<string, Uint8Array>) => void, secrets = [] as { name: string; value: string }[]) {
  const files = goodFiles();
  change(files);
  return validateArchive(files, { secrets });
}

function editJson(files: Map<string, Uint8Array>, path: string, edit: (data: any) => void): void {
  const data = JSON.parse(Buffer.from(files.get(path)!).toString('utf8'));
  edit(data);
  files.set(path, utf8(JSON.stringify(data)));
}

describe('validateArchive', () => {
  it('accepts the real manifest, locales and logos', () => {
    expect(validateArchive(goodFiles())).toEqual([]);
  });

  it('names a missing manifest field', () => {
    const problems = problemsWith((f) => f.set('manifest.json', manifest((m) => delete m.widget.support.email)));
    expect(problems).toContain('manifest.json: field "widget.support.email" is missing');
  });

  it('names a malformed manifest field and an unparsable manifest', () => {
    expect(problemsWith((f) => f.set('manifest.json', manifest((m) => (m.widget.version = 'v1'))))).toContain(
      'manifest.json: field "widget.version" must be a version like "1.2.3"',
    );
    expect(problemsWith((f) => f.set('manifest.json', utf8('{ nope')))[0]).toMatch(/^manifest\.json is not valid JSON/);
  });

  it('names an i18n key missing in one locale only', () => {
    const problems = problemsWith((f) => editJson(f, 'i18n/ru.json', (d) => delete d.buttons.copy));
    expect(problems).toEqual(['i18n/ru.json: key "buttons.copy" is missing']);
  });

  it('names an empty i18n value', () => {
    const problems = problemsWith((f) => editJson(f, 'i18n/en.json', (d) => (d.state.connected = '  ')));
    expect(problems).toEqual(['i18n/en.json: key "state.connected" is empty or not text']);
  });

  it('names a manifest i18n key that no locale defines', () => {
    const problems = problemsWith((f) => f.set('manifest.json', manifest((m) => (m.settings.connection.name = 'settings.nowhere'))));
    expect(problems).toContain('i18n/en.json: key "settings.nowhere" is missing');
    expect(problems).toContain('i18n/ru.json: key "settings.nowhere" is missing');
  });

  it('names a locale count that differs from the i18n files', () => {
    const problems = problemsWith((f) => f.set('i18n/tr.json', f.get('i18n/en.json')!));
    expect(problems).toContain(
      'manifest.json lists 4 locale(s) (ru, en, es, pt) but i18n/ holds 5 file(s) (en.json, es.json, pt.json, ru.json, tr.json); they must match',
    );
    const missing = problemsWith((f) => f.delete('i18n/ru.json'));
    expect(missing).toContain('i18n/ru.json is missing (locale "ru" is listed in manifest.json)');
  });

  it('names a missing image, a wrong pixel size, a non-PNG and an oversized image', () => {
    expect(problemsWith((f) => f.delete('images/logo_dp.png'))).toEqual(['images/logo_dp.png is missing (174x109 PNG required)']);
    expect(problemsWith((f) => f.set('images/logo_min.png', png(80, 84)))).toEqual([
      'images/logo_min.png is 80x84 pixels; it must be 84x84',
    ]);
    expect(problemsWith((f) => f.set('images/logo.png', utf8('GIF89a not a png at all......')))).toEqual([
      'images/logo.png is not a PNG file',
    ]);
    const big = png(130, 100);
    const padded = new Uint8Array(301 * 1024);
    padded.set(big);
    expect(problemsWith((f) => f.set('images/logo.png', padded))).toEqual(['images/logo.png is 301 KB; images must be at most 300 KB']);
  });

  it('names a BOM and invalid UTF-8', () => {
    const withBom = problemsWith((f) => f.set('i18n/en.json', new Uint8Array([0xef, 0xbb, 0xbf, ...f.get('i18n/en.json')!])));
    expect(withBom).toEqual(['i18n/en.json starts with a byte-order mark (BOM); save it as UTF-8 without BOM']);
    const latin1 = problemsWith((f) => f.set('script.js', new Uint8Array([...utf8(GOOD_SCRIPT), 0x2f, 0x2f, 0xe9])));
    expect(latin1).toEqual(['script.js is not valid UTF-8']);
  });

  it('names root files that sit in a wrapping folder instead', () => {
    const problems = problemsWith((f) => {
      f.set('widget/script.js', f.get('script.js')!);
      f.delete('script.js');
    });
    expect(problems).toContain('script.js is missing from the archive root');
  });

  it('refuses a configured secret anywhere, naming the variable but not the value', () => {
    const secret = 'sup3r-s3cret-channel-value';
    const problems = problemsWith((f) => f.set('script.js', utf8(GOOD_SCRIPT.replace('{}', `{ k: "${secret}" }`))), [
      { name: 'AMOJO_CHANNEL_SECRET', value: secret },
    ]);
    expect(problems).toEqual(['script.js contains the value of AMOJO_CHANNEL_SECRET; secrets must never be packed into the widget']);
    expect(problems.join()).not.toContain(secret);
  });
});

describe('secret look-alikes', () => {
  const scan = (text: string) => findSecrets('script.js', utf8(text), []);

  it('finds a 40-hex string, a JWT, a client_secret assignment and a private key', () => {
    expect(scan(`var a = 1;\nvar k = "${'a1'.repeat(20)}";`)).toEqual([
      'script.js, line 2: looks like a secret (a string of 40 or more hex digits); remove it from the widget',
    ]);
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJhY2NvdW50X2lkIjoxfQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    expect(scan(`x = "${jwt}"`)[0]).toMatch(/line 1: looks like a secret \(a JSON Web Token\)/);
    expect(scan(`{ client_secret: "abcdefgh12345" }`)[0]).toMatch(/a secret assigned in code/);
    expect(scan(`"clientSecret" = 'abcdefgh12345'`)[0]).toMatch(/a secret assigned in code/);
    expect(scan('-----BEGIN RSA PRIVATE KEY-----')[0]).toMatch(/a private key/);
  });

  it('leaves ordinary code alone', () => {
    expect(scan('headers["X-Auth-Token"] = token; const client_secret = readFromServer(); var id = "0b5a8a0e-5d39-4a4b";')).toEqual([]);
    expect(scan(`var short = "${'ab'.repeat(19)}";`)).toEqual([]);
  });

  it('checks configured values in binary files too, and look-alikes only in text', () => {
    const bytes = new Uint8Array([0x89, ...utf8(`secret-in-png-${'f'.repeat(40)}`)]);
    expect(findSecrets('images/logo.png', bytes, [{ name: 'APP_SECRET', value: 'secret-in-png' }])).toEqual([
      'images/logo.png contains the value of APP_SECRET; secrets must never be packed into the widget',
    ]);
  });

  it('reads the configured secrets from the environment, ignoring unset and too-short values', () => {
    expect(secretsFromEnv({ AMO_CLIENT_SECRET: ' abc123456789 ', APP_SECRET: '', AMOJO_CHANNEL_SECRET: undefined })).toEqual([
      { name: 'AMO_CLIENT_SECRET', value: 'abc123456789' },
    ]);
    expect(findSecrets('a.txt', utf8('value: abc'), [{ name: 'APP_SECRET', value: 'abc' }])).toEqual([]);
  });
});

describe('checkAmdScript', () => {
  it('accepts an anonymous define whose factory returns a plain function', () => {
    expect(checkAmdScript(GOOD_SCRIPT)).toEqual([]);
    expect(checkAmdScript('define(function () { return function () {}; });')).toEqual([]);
  });

  it('names each way a script is not what RequireJS expects', () => {
    expect(checkAmdScript('window.Widget = function () {};')[0]).toMatch(/^script\.js throws while loading \(window is not defined\)/);
    expect(checkAmdScript('var Widget = function () {};')).toEqual(['script.js is not an AMD module: it never calls define()']);
    expect(checkAmdScript('define([], function () { return function () {}; }); define([], function () {});')).toEqual([
      'script.js calls define() 2 times; the CRM expects exactly one module',
    ]);
    expect(checkAmdScript('define("w", [], function () { return function () {}; });')[0]).toMatch(/named module "w"/);
    expect(checkAmdScript('define(["jquery"], function () { return { default: function () {} }; });')).toEqual([
      'script.js: the define() factory returns object, not the widget constructor function',
    ]);
    expect(checkAmdScript('define([], function () { return class W {}; });')[0]).toMatch(/ES class/);
    expect(checkAmdScript('define([], function () { throw new Error("boom"); });')[0]).toMatch(/factory throws \(boom\)/);
    expect(checkAmdScript('define([], {});')[0]).toMatch(/not given a factory function/);
  });
});

describe('marketplace review rules', () => {
  const GOOD = { 'widget.support.email': 'help@chat-vendor.test', 'widget.support.link': 'https://chat-vendor.test/help', 'widget.support.privacy_policy': 'https://chat-vendor.test/privacy' };

  /** What the build bakes into script.js from the manifest's contacts (webpack's DefinePlugin writes JSON strings). */
  const SUPPORT_LINE = `  var support = { email: ${JSON.stringify(GOOD['widget.support.email'])}, url: ${JSON.stringify(GOOD['widget.support.link'])} };`;

  /** The good archive (its error texts give {support}) with real contacts, then `change`; the findings by rule. */
  function findings(change: (files: Map<string, Uint8Array>) => void = () => {}) {
    const files = goodFiles();
    editJson(files, 'manifest.json', (m) => {
      m.widget.support = { email: GOOD['widget.support.email'], link: GOOD['widget.support.link'], privacy_policy: GOOD['widget.support.privacy_policy'] };
    });
    files.set('script.js', utf8(`define(["jquery"], function ($) {\n${SUPPORT_LINE}\n  return function Widget() { this.callbacks = { settings: function () { return true; }, onAddAsSource: function () { return true; } }; return this; };\n});\n`));
    change(files);
    const manifestJson = JSON.parse(Buffer.from(files.get('manifest.json')!).toString('utf8'));
    return Object.fromEntries(reviewArchive({ files, manifest: manifestJson, cssNamespace: 'awc-' }).map((r) => [r.name, r.problems]));
  }
  /** The build writes the same contacts into the manifest and into script.js. */
  const withContacts = (email: string, link: string) => (files: Map<string, Uint8Array>) => {
    editJson(files, 'manifest.json', (m) => Object.assign(m.widget.support, { email, link }));
    files.set('script.js', utf8(`define([], function () {\n  var support = { email: ${JSON.stringify(email)}, url: ${JSON.stringify(link)} };\n  return function Widget() { this.callbacks = { settings: function () {}, onAddAsSource: function () {} }; };\n});\n`));
  };
  const withScript = (code: string) => (files: Map<string, Uint8Array>) => files.set('script.js', utf8(`define([], function () {\n${SUPPORT_LINE}\n${code}\n  return function Widget() { this.callbacks = { settings: function () {}, onAddAsSource: function () {} }; };\n});\n`));

  it('finds nothing in a clean archive, and runs every rule by name', () => {
    const all = findings();
    expect(Object.keys(all)).toEqual(REVIEW_RULES.map((r) => r.name));
    expect(Object.values(all).flat()).toEqual([]);
  });

  it.each<[string, (files: Map<string, Uint8Array>) => void]>([
    ['minified-code', withScript(`var a=${'1+'.repeat(400)}1;`)],
    ['eval', withScript('eval("1");')],
    ['eval', withScript('var f = new Function("return 1");')],
    ['browser-dialogs', withScript('alert("hi");')],
    ['browser-dialogs', withScript('if (window.confirm("sure?")) {}')],
    ['debug-output', withScript('console.log("state", 1);')],
    ['test-data', (f) => editJson(f, 'i18n/en.json', (d) => (d.panel.title = 'Lorem ipsum'))],
    ['test-data', withScript('// TODO: take this out before release')],
    ['css-scope', withScript('var css = ".awc-panel { color: red; }\\nbody { margin: 0; }";')],
    ['script-injection', withScript('var s = document.createElement("script");')],
    ['sync-requests', withScript('$.ajax({ url: "/x", async: false });')],
    ['api-calls-in-loops', withScript('for (var i = 0; i < 5; i++) { self.$authorizedAjax({ url: "/x" + i }); }')],
    ['russian-in-other-locales', (f) => editJson(f, 'i18n/es.json', (d) => (d.panel.title = 'Чат'))],
    ['russian-in-other-locales', (f) => editJson(f, 'i18n/pt.json', (d) => (d.panel.title = 'see https://help.example.ru/x'))],
    ['unused-locations', (f) => editJson(f, 'manifest.json', (m) => m.locations.push('advanced_settings'))],
    ['support-contacts', withContacts('support@example.com', GOOD['widget.support.link'])],
    ['support-contacts', withContacts(GOOD['widget.support.email'], 'https://example.com/support')],
    ['privacy-policy', (f) => editJson(f, 'manifest.json', (m) => delete m.widget.support.privacy_policy)],
    ['error-with-contacts', (f) => editJson(f, 'i18n/pt.json', (d) => (d.errors = Object.fromEntries(Object.entries(d.errors).map(([k, v]) => [k, String(v).replace(' ({support})', '')]))))],
    ['error-with-contacts', (f) => f.set('script.js', utf8('define([], function () {\n  return function Widget() { this.callbacks = { settings: function () {}, onAddAsSource: function () {} }; };\n});\n'))],
    ['error-with-contacts', (f) => editJson(f, 'manifest.json', (m) => (m.widget.support.email = 'help@other-vendor.test'))],
    ['amocrm-in-name', (f) => editJson(f, 'i18n/en.json', (d) => (d.widget.name = 'amoCRM Website chat'))],
  ])('%s catches its fixture', (rule, change) => {
    const all = findings(change);
    expect(all[rule]!.length).toBeGreaterThan(0);
    for (const [name, problems] of Object.entries(all)) if (name !== rule) expect(problems, name).toEqual([]);
  });
});
