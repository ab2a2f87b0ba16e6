/**
 * webpack configuration of the widget bundle (widget-and-oauth.md §3.7): one readable `script.js` that is an
 * anonymous AMD module returning the widget constructor. jQuery comes from the CRM's RequireJS, so it is an
 * external (an AMD dependency of the define() call), never bundled.
 */
import { join } from 'node:path';
import webpack, { type Configuration } from 'webpack';

export interface WidgetWebpackOptions {
  rootDir: string;
  /** Folder that receives script.js. */
  outDir: string;
  /** Backend base URL baked into the bundle. */
  backendUrl: string;
  /** The developer's support contacts (the manifest's `support.email` and `support.link`), shown in error texts. */
  support: { email: string; url: string };
}

export function createWebpackConfig(options: WidgetWebpackOptions): Configuration {
  const widgetDir = join(options.rootDir, 'widget');
  return {
    mode: 'production',
    context: options.rootDir,
    entry: join(widgetDir, 'src/index.ts'),
    target: ['web', 'es2020'],
    // No eval/source maps: the archive holds exactly what the CRM runs.
    devtool: false,
    module: {
      rules: [
        {
          test: /\.ts$/,
          loader: 'ts-loader',
          include: join(widgetDir, 'src'),
          options: { configFile: join(widgetDir, 'tsconfig.json') },
        },
      ],
    },
    resolve: {
      extensions: ['.ts', '.js'],
      // Sources import './x.js' (so the root NodeNext config accepts them too); resolve those to .ts.
      extensionAlias: { '.js': ['.ts', '.js'] },
    },
    externals: { jquery: 'jquery' },
    output: {
      path: options.outDir,
      filename: 'script.js',
      library: { type: 'amd', export: 'default' },
      clean: false,
    },
    // Marketplace widgets must not be minified or obfuscated (§1.1): keep the output readable.
    optimization: { minimize: false, splitChunks: false, runtimeChunk: false },
    performance: { hints: 'warning', maxAssetSize: 500 * 1024, maxEntrypointSize: 500 * 1024 },
    plugins: [
      new webpack.DefinePlugin({
        __WIDGET_BACKEND_URL__: JSON.stringify(options.backendUrl),
        __WIDGET_SUPPORT_EMAIL__: JSON.stringify(options.support.email),
        __WIDGET_SUPPORT_URL__: JSON.stringify(options.support.url),
      }),
    ],
    infrastructureLogging: { level: 'warn' },
  };
}
