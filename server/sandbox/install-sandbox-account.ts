/**
 * Sandbox start-up: install the integration in the emulated account through the real install path
 * (authorization code → token exchange over HTTP → amojo_id → connect), so `npm start` shows a
 * connected product. Both emulators keep their state in memory, so after a restart the stored
 * tokens and connection mean nothing to them: the install is redone once per process (it is
 * idempotent: same scope, same site key).
 */
import type { AmocrmEmulator } from './amocrm/index.js';
import type { Installer } from '../amocrm/install.js';
import type { Logger } from '../log.js';

export interface SandboxInstallDeps {
  emulator: Pick<AmocrmEmulator, 'install' | 'account' | 'defaultAccountId'>;
  installer: Pick<Installer, 'install'>;
  logger: Logger;
}

export async function installSandboxAccount(deps: SandboxInstallDeps): Promise<void> {
  const account = deps.emulator.account(deps.emulator.defaultAccountId());
  const { code } = deps.emulator.install({ accountId: account.id });
  const result = await deps.installer.install(account.host, code);
  deps.logger.info({ accountId: result.accountId, state: result.view.state }, 'sandbox account installed');
}

/**
 * Runs the install in the background once the HTTP server answers: `start()` runs before the
 * server listens, and the install reaches the emulators through the backend's own URL.
 */
export function startSandboxInstall(deps: SandboxInstallDeps, opts: { attempts?: number; delayMs?: number } = {}): { stop(): void; done: Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const attempts = opts.attempts ?? 60;
  const delayMs = opts.delayMs ?? 250;
  const done = (async () => {
    for (let attempt = 1; attempt <= attempts && !stopped; attempt++) {
      try {
        await installSandboxAccount(deps);
        return;
      } catch (err) {
        if (attempt === attempts) {
          deps.logger.warn({ err }, 'sandbox account could not be installed; use the install button of the sandbox page');
          return;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, delayMs);
        });
      }
    }
  })();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
    },
    done,
  };
}
