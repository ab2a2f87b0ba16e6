/**
 * Install and uninstall of the integration in an account (widget-and-oauth.md §5.1 A, §5.3):
 * install = exchange the code → learn the account (id, amojo_id) → store the tokens → connect the
 * channel (redone on every install) → site key. The HTTP pages around it live in `routes/oauth.ts`.
 */
import type { ConnectionView, Connections, AccountDirectory } from '../bridge/connections.js';
import { ConflictError, UpstreamError, ValidationError } from '../errors.js';
import type { AmocrmClient } from './client.js';
import { AmocrmError } from './errors.js';
import type { TokenStore } from './token-store.js';

/** amoCRM refused the authorization code (expired after 20 minutes, or already used). */
export class InvalidCodeError extends ValidationError {
  override readonly code = 'invalid_code';
}

export interface InstallerOptions {
  amocrm: Pick<AmocrmClient, 'exchangeCode' | 'getAccountWithToken'>;
  tokens: Pick<TokenStore, 'save'>;
  accounts: { upsert(id: number, patch: { language?: string }): Promise<unknown> };
  connections: Pick<Connections, 'connect'>;
}

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
  };
}

/**
 * The bridge's `AccountDirectory` over the client. A 401 that survives a refresh means the grant
 * itself is gone (integration turned off, refresh token lapsed): only a new install helps.
 */
export function accountDirectory(amocrm: Pick<AmocrmClient, 'getAccount'>): AccountDirectory {
  return {
    async getAccount(accountId) {
      try {
        return await amocrm.getAccount(accountId);
      } catch (err) {
        if (err instanceof AmocrmError && err.upstreamStatus === 401) {
          throw new ConflictError('amoCRM no longer accepts this integration for the account; install it again from the marketplace.', 'reauthorization_required');
        }
        throw err;
      }
    },
  };
}
