/**
 * The emulated amoCRM's memory: accounts, issued authorization codes, access and refresh tokens
 * (refresh tokens rotate and are single-use, as on amoCRM), and per-account counters.
 */
import { randomBytes } from 'node:crypto';
import { problem } from './problem.js';
import type { EmulatedAccount } from './types.js';

interface CodeRecord {
  accountId: number;
  userId: number;
  expiresAt: number;
  used: boolean;
}

interface AccessRecord {
  accountId: number;
  userId: number;
  expiresAt: number;
  revoked: boolean;
}

interface RefreshRecord {
  accountId: number;
  userId: number;
  spent: boolean;
  revoked: boolean;
}

export interface IssuedPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

const newToken = (prefix: string): string => `${prefix}_${randomBytes(24).toString('base64url')}`;

export class AmocrmState {
  readonly accounts = new Map<number, EmulatedAccount>();
  readonly #codes = new Map<string, CodeRecord>();
  readonly #access = new Map<string, AccessRecord>();
  readonly #refresh = new Map<string, RefreshRecord>();
  readonly refreshCounts = new Map<number, number>();
  readonly exchangeCounts = new Map<number, number>();

  constructor(
    private readonly now: () => number,
    private readonly accessTtlSec: number,
    private readonly codeTtlSec: number,
  ) {}

  addAccount(account: EmulatedAccount): void {
    this.accounts.set(account.id, structuredClone(account));
  }

  account(id: number): EmulatedAccount {
    const a = this.accounts.get(id);
    if (!a) throw new RangeError(`the emulator serves no account ${id}`);
    return a;
  }

  /** The user who acts by default; 0 (nobody) for an account served without users. */
  firstAdmin(account: EmulatedAccount): number {
    const admin = account.users.find((u) => u.isAdmin) ?? account.users[0];
    return admin?.id ?? 0;
  }

  issueCode(accountId: number, userId: number): string {
    const code = newToken('code');
    this.#codes.set(code, { accountId, userId, expiresAt: this.now() + this.codeTtlSec * 1000, used: false });
    return code;
  }

  /** Code → first pair; a code works once and for 20 minutes. */
  exchangeCode(code: string): IssuedPair & { accountId: number } {
    const rec = this.#codes.get(code);
    if (!rec || rec.used || rec.expiresAt <= this.now()) {
      throw problem(400, 'Bad Request', 'invalid_grant', { hint: rec?.used ? 'Authorization code has been revoked' : 'Authorization code has expired or is unknown' });
    }
    rec.used = true;
    this.exchangeCounts.set(rec.accountId, (this.exchangeCounts.get(rec.accountId) ?? 0) + 1);
    return { accountId: rec.accountId, ...this.#issue(rec.accountId, rec.userId) };
  }

  /** Rotation: the refresh token is spent; a second use is answered 401 like amoCRM. */
  refresh(refreshToken: string): IssuedPair & { accountId: number } {
    const rec = this.#refresh.get(refreshToken);
    if (!rec || rec.spent || rec.revoked) {
      throw problem(401, 'Unauthorized', 'invalid_grant', { hint: rec?.spent ? 'Token has been revoked' : 'Cannot decrypt the refresh token' });
    }
    rec.spent = true;
    this.refreshCounts.set(rec.accountId, (this.refreshCounts.get(rec.accountId) ?? 0) + 1);
    return { accountId: rec.accountId, ...this.#issue(rec.accountId, rec.userId) };
  }

  /** The account and user of a Bearer token; 401 when unknown, revoked or expired. */
  authenticate(accessToken: string | undefined): { accountId: number; userId: number } {
    const rec = accessToken ? this.#access.get(accessToken) : undefined;
    if (!rec || rec.revoked) throw problem(401, 'Unauthorized', 'Invalid access token');
    if (rec.expiresAt <= this.now()) throw problem(401, 'Unauthorized', 'Access token has expired');
    return { accountId: rec.accountId, userId: rec.userId };
  }

  /** Makes every access token of the account expired (refresh tokens stay usable). */
  expireAccessTokens(accountId: number): void {
    for (const rec of this.#access.values()) if (rec.accountId === accountId) rec.expiresAt = this.now() - 1;
  }

  /** The integration was turned off in the account: every token stops working. */
  revokeGrant(accountId: number): void {
    for (const rec of this.#access.values()) if (rec.accountId === accountId) rec.revoked = true;
    for (const rec of this.#refresh.values()) if (rec.accountId === accountId) rec.revoked = true;
  }

  reset(): void {
    for (const m of [this.#codes, this.#access, this.#refresh, this.refreshCounts, this.exchangeCounts]) m.clear();
  }

  #issue(accountId: number, userId: number): IssuedPair {
    const accessToken = newToken('at');
    const refreshToken = newToken('rt');
    this.#access.set(accessToken, { accountId, userId, expiresAt: this.now() + this.accessTtlSec * 1000, revoked: false });
    this.#refresh.set(refreshToken, { accountId, userId, spent: false, revoked: false });
    return { accessToken, refreshToken, expiresIn: this.accessTtlSec };
  }
}
