/**
 * Who is calling: the visitor token from `Authorization: Bearer …` (or, for the event stream only,
 * `?token=`, since a browser EventSource cannot send headers) names the conversation. A token
 * issued under a site key that was rotated since is refused.
 */
import type { Request } from 'express';
import type { Bridge, ConversationRecord } from '../../bridge/index.js';
import { AuthError } from '../../errors.js';
import { siteKeyFingerprint, type VisitorTokens } from './visitor-token.js';

export const WEBCHAT_PLATFORM = 'webchat';

export interface WebchatAccounts {
  /** The account whose website chat uses this site key, if any. */
  findBySiteKey(siteKey: string): Promise<{ accountId: number } | undefined>;
  /** The account's current site key. */
  siteKeyOf(accountId: number): Promise<string | null>;
  /** Replaces the site key; snippets and visitor tokens issued with the old one stop working. */
  rotateSiteKey(accountId: number): Promise<string>;
  /** What the admin set for the bubble (only the changed fields), the identity secret and the admin's language. */
  siteSettings(accountId: number): Promise<{ webchat: Record<string, unknown>; identitySecret: string; language: string | null }>;
}

export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/**
 * Site keys are read on every request; remembered for a second. A rotation here or on another
 * instance (its `account` notification) clears them at once; the TTL only bounds a missed one.
 */
const SITE_KEY_TTL_MS = 1000;

export function createVisitorAuth(deps: { tokens: VisitorTokens; bridge: Bridge; accounts: WebchatAccounts; now: () => number }) {
  const siteKeys = new Map<number, { key: string | null; until: number }>();
  async function siteKeyOf(accountId: number): Promise<string | null> {
    const t = deps.now();
    const hit = siteKeys.get(accountId);
    if (hit && hit.until > t) return hit.key;
    const key = await deps.accounts.siteKeyOf(accountId);
    if (siteKeys.size > 10_000) siteKeys.clear();
    siteKeys.set(accountId, { key, until: t + SITE_KEY_TTL_MS });
    return key;
  }

  /** The visitor's conversation; AuthError (401) when the token is missing, bad or retired. */
  const authenticate = async function authenticate(req: Request, opts: { allowQueryToken?: boolean } = {}): Promise<ConversationRecord> {
    const queryToken = opts.allowQueryToken && typeof req.query['token'] === 'string' ? req.query['token'] : undefined;
    const token = bearerToken(req) ?? queryToken;
    if (!token) throw new AuthError('A visitor token is required (Authorization: Bearer <visitor_token>).', 'missing_token');
    const claims = await deps.tokens.verify(token);
    const conversation = await deps.bridge.conversations.get(claims.conversationId);
    if (!conversation || conversation.accountId !== claims.accountId || conversation.platform !== WEBCHAT_PLATFORM) {
      throw new AuthError('The visitor token does not name a conversation; start a new session.', 'invalid_token');
    }
    const siteKey = await siteKeyOf(claims.accountId);
    if (!siteKey || siteKeyFingerprint(siteKey) !== claims.siteKeyPrint) {
      throw new AuthError('The site key of this chat was changed; start a new session.', 'token_revoked');
    }
    return conversation;
  };
  return Object.assign(authenticate, {
    /** Forget cached site keys (after a rotation). */
    forgetSiteKeys: () => siteKeys.clear(),
  });
}

export type VisitorAuth = ReturnType<typeof createVisitorAuth>;
