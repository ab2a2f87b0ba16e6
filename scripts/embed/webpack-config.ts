/**
 * webpack configuration of the chat bubble: one self-contained, minified IIFE, `embed.js`, that any website
 * loads with a plain <script> tag. No externals, no chunks, no runtime globals but `window.amoWebchat`.
 */
import { join } from 'node:path';
import type { Configuration } from 'webpack';

export interface EmbedWebpackOptions {
  rootDir: string;
  /** Folder that receives embed.js. */
  outDir: string;
  /** False skips type checking (the server's on-demand build); `npm run build` checks types. */
  typeCheck: boolean;
}

export function createEmbedWebpackConfig(options: EmbedWebpackOptions): Configuration {
  const srcDir = join(options.rootDir, 'webchat-embed/src');
  return {
    mode: 'production',
    context: options.rootDir,
    entry: join(srcDir, 'index.ts'),
    // ES2019 syntax: every browser with shadow DOM and fetch streams runs it without a transpiled runtime.
    target: ['web', 'es2019'],
    devtool: false,
    module: {
      rules: [
        {
          test: /\.ts$/,
          loader: 'ts-loader',
          include: srcDir,
          options: { configFile: join(options.rootDir, 'webchat-embed/tsconfig.json'), transpileOnly: !options.typeCheck },
        },
      ],
    },
    resolve: {
      extensions: ['.ts', '.js'],
      // Sources import './x.js' (so the root NodeNext config accepts them in tests); resolve those to .ts.
      extensionAlias: { '.js': ['.ts', '.js'] },
    },
    output: { path: options.outDir, filename: 'embed.js', iife: true, clean: false },
    optimization: { minimize: true, splitChunks: false, runtimeChunk: false },
    performance: { hints: 'warning', maxAssetSize: 100 * 1024, maxEntrypointSize: 100 * 1024 },
    infrastructureLogging: { level: 'warn' },
    stats: 'errors-warnings',
  };
}
