/**
 * Public types of the amoCRM REST/OAuth emulator: the accounts it serves, its options, and the
 * records its inspection methods return (plain copies).
 */

export interface EmulatedUser {
  id: number;
  name: string;
  email: string;
  lang: string;
  /** The user's id in the Chats service; amoCRM may have none (null). */
  amojoId: string | null;
  isAdmin: boolean;
  isActive?: boolean;
}

export interface EmulatedAccount {
  id: number;
  /** Account host, e.g. `sandbox.amocrm.ru`; its first label is the subdomain. */
  host: string;
  name: string;
  /** The account's id in the Chats service. */
  amojoId: string;
  users: EmulatedUser[];
  /** The account's lead pipelines; one main pipeline when absent. */
  pipelines?: EmulatedPipeline[];
}

export interface EmulatedPipeline {
  id: number;
  name: string;
  isMain: boolean;
  isArchived?: boolean;
}

/** A source the integration created (`/api/v4/sources`). */
export interface EmulatedSource {
  id: number;
  name: string;
  externalId: string;
  pipelineId: number | null;
  isDefault: boolean;
  originCode: string | null;
  requestId?: string;
}

/** A contact of the account, with the fields a chat channel touches. */
export interface EmulatedContact {
  id: number;
  name: string;
  /** The PHONE field's values, as given. */
  phones: string[];
  /** The EMAIL field's values. */
  emails: string[];
  /** Unix seconds. */
  createdAt: number;
  updatedAt: number;
}

/** A contact as the inspection methods show it: with the chats linked to it. */
export interface EmulatedContactView extends EmulatedContact {
  chatIds: string[];
}

export interface AmocrmEmulatorOptions {
  /** The integration the emulator recognises (token requests and one-time tokens). */
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** The integration's disconnect-hook URL (§5.3), which `uninstall` signs and hands back. */
  revokeHookUri?: string;
  /** Accounts served; the sandbox account when absent. */
  accounts?: EmulatedAccount[];
  /** Clock in ms (token lifetimes, code lifetimes, rate windows). */
  now?: () => number;
  /** Access token lifetime (amoCRM: 86400). */
  accessTokenTtlSec?: number;
  /** Authorization code lifetime (amoCRM: 20 minutes). */
  codeTtlSec?: number;
  /** Requests per window per account on `/api/v4` (amoCRM: 7 per second); false turns it off. */
  rateLimit?: { limit: number; windowMs: number } | false;
}

export interface AmocrmRequestRecord {
  method: string;
  /** Path below the mount point, query included. */
  path: string;
  /** The account the request was authenticated for, when it was. */
  accountId: number | null;
  status: number;
  at: number;
}

export interface MintOptions {
  accountId?: number;
  /** Defaults to the account's first admin. */
  userId?: number;
  /** Value of `is_admin`; null leaves the claim out. Defaults to the user's rights. */
  isAdmin?: boolean | null;
  /** Lifetime from now (amoCRM: 30 minutes). */
  ttlSec?: number;
  /** Shifts `iat` / `nbf` / `exp` (seconds; negative = in the past). */
  offsetSec?: number;
  /** Claims to replace; `undefined` removes one. */
  claims?: Record<string, unknown>;
  /** Signs with another key (forged tokens in tests). */
  secret?: string;
}

export interface InstallOptions {
  accountId?: number;
  /** The admin who installs; defaults to the account's first admin. */
  userId?: number;
  state?: string;
}

export interface FailNextOptions {
  count: number;
  status: number;
  retryAfterSeconds?: number;
}
