/**
 * The widget pane shows the real widget, unpacked in dist/widget/ by `npm run build`. On a fresh checkout
 * started without a build the folder is missing, so it is built here once (the same build, webpack
 * included), baked with this server's URL. Later starts reuse whatever dist/widget/ holds.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log.js';

export interface WidgetBundle {
  /** The folder to serve, or why there is none. */
  ensure(): Promise<{ dir: string } | { problem: string }>;
}

export function createWidgetBundle(opts: { rootDir: string; backendUrl: string; logger: Logger }): WidgetBundle {
  const dir = join(opts.rootDir, 'dist/widget');
  let pending: Promise<{ dir: string } | { problem: string }> | undefined;

  async function build(): Promise<{ dir: string } | { problem: string }> {
    if (await exists(join(dir, 'script.js'))) return { dir };
    opts.logger.info('dist/widget is missing; building the widget for the sandbox page');
    try {
      const { buildWidget } = await import('../../../scripts/widget/build.js');
      await buildWidget({ rootDir: opts.rootDir, outDir: join(opts.rootDir, 'dist'), backendUrl: opts.backendUrl });
      return (await exists(join(dir, 'script.js'))) ? { dir } : { problem: 'the build wrote no script.js' };
    } catch (err) {
      opts.logger.warn({ err }, 'the widget could not be built for the sandbox page');
      return { problem: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
    }
  }

  function ensure(): Promise<{ dir: string } | { problem: string }> {
    // A failed build is tried again on the next request; a good one again only if the folder goes away.
    pending ??= build().then((r) => {
      if ('problem' in r) pending = undefined;
      return r;
    });
    return pending.then(async (r) => {
      if ('problem' in r || (await exists(join(dir, 'script.js')))) return r;
      pending = undefined;
      return ensure();
    });
  }
  return { ensure };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
