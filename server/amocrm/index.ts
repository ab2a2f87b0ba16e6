/**
 * amoCRM REST + OAuth (widget-and-oauth.md §4–§6): the client (tokens, refresh, pacing, typed
 * errors), one-time token verification, and install. Talks to amoCRM hosts only; knows nothing of
 * the Chats API or of platforms.
 */
export { createAmocrmClient, type AmocrmClient, type AmocrmClientOptions, USERS_PAGE_LIMIT } from './client.js';
export { AmocrmError } from './errors.js';
export { accountTokenStore, type TokenStore, type StoredTokens } from './token-store.js';
export { createOneTimeTokenVerifier, type OneTimeTokenClaims, type OneTimeTokenVerifier } from './one-time-token.js';
export { createInstaller, accountDirectory, InvalidCodeError, type Installer, type InstallResult } from './install.js';
export type { AmocrmAccount, AmocrmUser, OAuthTokenPair } from './schemas.js';
export type { ByteRequest, ByteResponse, ByteTransport } from '../net/byte-transport.js';
