// `npm install` / `npm ci` run this (the `prepare` script): they build dist/ when the build tools are
// installed. A production install without devDependencies (`npm ci --omit=dev`) has no build tools, so it
// keeps whatever dist/ holds and says what `npm start` needs. Plain JavaScript: it runs before, and
// without, the TypeScript tooling.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const BUILD_TOOLS = ['typescript', 'tsx', 'webpack', 'ts-loader'];

const missing = BUILD_TOOLS.filter((name) => {
  try {
    require.resolve(`${name}/package.json`);
    return false;
  } catch {
    return true;
  }
});

if (missing.length > 0) {
  const built = existsSync(join(root, 'dist/backend.js'));
  console.log(
    built
      ? `prepare: build tools not installed (${missing.join(', ')}); keeping the build already in dist/.`
      : `prepare: build tools not installed (${missing.join(', ')}) and dist/ holds no build: npm start needs one. ` +
          'Install with devDependencies (npm ci), then npm prune --omit=dev after the build.',
  );
  process.exit(0);
}

const npm = process.env.npm_execpath;
const run = npm ? spawnSync(process.execPath, [npm, 'run', 'build:dist'], { cwd: root, stdio: 'inherit' }) : spawnSync('npm', ['run', 'build:dist'], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
