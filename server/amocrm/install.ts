/**
 * Install and uninstall of the integration in an account (widget-and-oauth.md §5.1 A, §5.3):
 * install = exchange the code → learn the account (id, amojo_id) → store the tokens → connect the
 * channel (redone on every install) → site key. Uninstall = only once amoCRM refuses the
 * account's tokens (`grant.ts`) → disconnect and forget them. The HTTP side lives in `routes/oauth.ts`.
 */
import type { ConnectionView, Connections, AccountDirectory } from '../bridge/connections.js';
import { PreconditionFailedError, UpstreamError, ValidationError } from '../errors.js';
import type { AmocrmClient } from './client.js';
import { AmocrmError } from './errors.js';
import { checkGrant, isGrantRefused } from './grant.js';
import type { TokenStore } from './token-store.js';

/** amoCRM refused the authorization code (expired after 20 minutes, or already used). */
export class InvalidCodeError extends ValidationError {
  override readonly code = 'invalid_code';
}

export interface InstallerOptions {
  amocrm: Pick<AmocrmClient, 'exchangeCode' | 'getAccountWithToken' | 'getAccount'>;
  tokens: Pick<TokenStore, 'save'>;
  accounts: { upsert(id: number, patch: { language?: string }): Promise<unknown> };
  connections: Pick<Connections, 'connect' | 'uninstall'>;
}

export type UninstallResult =
  | { outcome: 'uninstalled'; channelDisconnected: boolean }
  /** amoCRM still accepts the account's tokens: the hook is a replay (or early), nothing changed. */
  | { outcome: 'still_installed' };

export interface InstallResult {
  accountId: number;
  view: ConnectionView;
}

export type Installer = ReturnType<typeof createInstaller>;

export function createInstaller(opts: InstallerOptions) {
  return {
    /** `host` must already be checked to be an amoCRM account host. */
    async install(host: string, code: string, meta: { language?: string | undefined } = {}): Promise<InstallResult> {
      let tokens;
      try {
        tokens = await opts.amocrm.exchangeCode(host, code);
      } catch (err) {
        if (err instanceof AmocrmError && [400, 401, 403].includes(err.upstreamStatus)) {
          throw new InvalidCodeError('amoCRM refused the authorization code (it expires after 20 minutes and works once). Install the integration again.', 'code');
        }
        throw err;
      }
      const account = await opts.amocrm.getAccountWithToken(host, tokens.accessToken);
      await opts.tokens.save(account.id, host, tokens);
      if (meta.language) await opts.accounts.upsert(account.id, { language: meta.language });
      if (!account.amojoId) throw new UpstreamError('amoCRM did not give the account amojo_id.', 'upstream_error');
      const view = await opts.connections.connect(account.id, { amojoId: account.amojoId, amojoIdFromAmocrm: true, host });
      return { accountId: account.id, view };
    },

    /**
     * After a verified uninstall hook. Throws (and changes nothing) when amoCRM cannot be asked:
     * an account is never forgotten on a guess.
     */
    async uninstall(accountId: number): Promise<UninstallResult> {
      if ((await checkGrant(opts.amocrm, accountId)) === 'working') return { outcome: 'still_installed' };
      const { channelDisconnected } = await opts.connections.uninstall(accountId);
      return { outcome: 'uninstalled', channelDisconnected };
    },
  };
}

/**
 * The bridge's `AccountDirectory` over the client. A refused grant (integration turned off,
 * refresh token lapsed) is a precondition only a new install can restore.
 */
export function accountDirectory(amocrm: Pick<AmocrmClient, 'getAccount'>): AccountDirectory {
  return {
    async getAccount(accountId) {
      try {
        return await amocrm.getAccount(accountId);
      } catch (err) {
        if (isGrantRefused(err)) {
          throw new PreconditionFailedError(
            'amoCRM no longer accepts this integration for the account: install it again from the amoCRM / Kommo marketplace, then press Connect.',
            'reauthorization_required',
          );
        }
        throw err;
      }
    },
  };
}
