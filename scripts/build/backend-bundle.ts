/**
 * Bundles the compiled backend (tsc's dist/server/main.js and everything it imports, node_modules
 * included) into one minified ES module, dist/backend.js, which `npm start` runs. Why: the start-up of
 * the unbundled server was spent mostly in Node's module loader (resolving, opening, reading and linking
 * some 240 of our files and several hundred of the dependencies'); one file cuts that, and minifying it
 * cuts the source V8 keeps in memory. Type checking stays with tsc; this step only joins its output.
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import webpack, { type Configuration } from 'webpack';
import { webpackProblems } from './run-webpack.js';

/** The bundle `npm start` runs, relative to the root. */
export const BACKEND_BUNDLE = 'dist/backend.js';

export interface BackendBundleResult {
  path: string;
  bytes: number;
  ms: number;
}

export async function buildBackendBundle(rootDir: string): Promise<BackendBundleResult> {
  const started = Date.now();
  const path = join(rootDir, BACKEND_BUNDLE);
  await rm(path, { force: true });
  const problems = await webpackProblems(backendWebpackConfig(rootDir));
  if (problems.length > 0) throw new Error(`backend bundle failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return { path, bytes: (await stat(path)).size, ms: Date.now() - started };
}

function backendWebpackConfig(rootDir: string): Configuration {
  return {
    mode: 'production',
    context: rootDir,
    entry: join(rootDir, 'dist/server/main.js'),
    target: 'node20.19',
    devtool: false,
    // Native addons cannot be bundled; node loads them from node_modules when first used (pg-native
    // only if pg's native mode is asked for, which it never is).
    externals: { 'better-sqlite3': 'node-commonjs better-sqlite3', 'pg-native': 'node-commonjs pg-native' },
    experiments: { outputModule: true },
    output: { path: join(rootDir, 'dist'), filename: 'backend.js', module: true, chunkFormat: 'module', library: { type: 'module' }, clean: false },
    module: {
      // `import.meta.url` stays as written: the bundle finds the installation's root from where it runs,
      // not from the path the build ran in.
      parser: { javascript: { importMeta: false } },
    },
    optimization: {
      minimize: true,
      // Class and function names stay: they are what log lines and error names show.
      minimizeOptions: { javascript: { keep_classnames: true, keep_fnames: true } },
      splitChunks: false,
      runtimeChunk: false,
    },
    // One file: the dynamic imports (the PostgreSQL driver, SQLite's addon loader) stay lazy all the same.
    plugins: [new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 })],
    performance: { hints: false },
    ignoreWarnings: [
      // Code paths we never take: express's view engines, rate-limiter-flexible's Drizzle store.
      { module: /node_modules[\\/]express[\\/]lib[\\/]view\.js$/, message: /Critical dependency/ },
      { module: /node_modules[\\/]rate-limiter-flexible[\\/]lib[\\/]RateLimiterDrizzle\.js$/, message: /Critical dependency/ },
    ],
    infrastructureLogging: { level: 'warn' },
    stats: 'errors-warnings',
  };
}
