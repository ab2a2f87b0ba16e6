/**
 * `npm run build` step for the widget: bakes the backend URL (WIDGET_BACKEND_URL, else PUBLIC_URL, else
 * http://localhost:3000) into script.js and packs dist/widget.zip. Exits 1 with one line per problem.
 * A loopback or plain-http backend URL is warned about loudly, and refused before anything is built when
 * WIDGET_RELEASE=1. A `.env` in the working directory is read too, as the backend does, without
 * overriding the environment.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendUrlWarnings, loudWarning } from './widget/backend-url.js';
import { buildWidget, normaliseBackendUrl, WidgetBuildError } from './widget/build.js';
import { secretsFromEnv } from './widget/secrets.js';

const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function loadDotEnv(): void {
  const file = resolve('.env');
  if (!existsSync(file)) return;
  const before = { ...process.env };
  process.loadEnvFile(file);
  Object.assign(process.env, before); // the real environment wins over .env
}

async function main(): Promise<void> {
  loadDotEnv();
  const env = process.env;
  const backendUrl = normaliseBackendUrl(env.WIDGET_BACKEND_URL?.trim() || env.PUBLIC_URL?.trim() || 'http://localhost:3000');
  const warnings = backendUrlWarnings(backendUrl, { isRelease: env.WIDGET_RELEASE === '1' });
  const started = Date.now();
  const result = await buildWidget({
    rootDir,
    outDir: join(rootDir, 'dist'),
    backendUrl,
    secrets: secretsFromEnv(env),
  });
  for (const warning of warnings) console.warn(loudWarning(warning));
  console.log(
    `widget ${result.version} → ${result.zipPath} (${result.files.length} files, ` +
      `script.js ${result.scriptBytes} bytes, zip ${result.zipBytes} bytes, backend ${backendUrl}, ${Date.now() - started} ms)`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof WidgetBuildError) console.error(error.message);
  else console.error('widget build failed:', error);
  process.exitCode = 1;
});
