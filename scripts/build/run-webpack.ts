/**
 * Runs one webpack build and resolves with its problems, one line each (none: the build succeeded). Each
 * build step wraps them in its own error.
 */
import webpack from 'webpack';

export function webpackProblems(config: webpack.Configuration): Promise<string[]> {
  return new Promise((resolve) => {
    const compiler = webpack(config);
    compiler.run((error, stats) => {
      compiler.close(() => undefined);
      if (error) return resolve([`webpack failed: ${error.message}`]);
      if (!stats?.hasErrors()) return resolve([]);
      const errors = stats.toJson({ all: false, errors: true }).errors ?? [];
      resolve(errors.map((e) => `webpack: ${e.moduleName ?? ''} ${e.message}`.trim()));
    });
  });
}
