/**
 * Which amojo host serves an account (chats-api.md §1): `amojo.` + the account's base domain,
 * so `foo.amocrm.ru` → `https://amojo.amocrm.ru` and `foo.kommo.com` → `https://amojo.kommo.com`.
 * Whether `amojo.amocrm.com` still answers for legacy `*.amocrm.com` accounts is unconfirmed; we
 * follow the rule and let AMOJO_BASE_URL override it.
 */
export const AMO_HOST_PATTERN = /^[a-z0-9-]+\.(amocrm\.ru|amocrm\.com|kommo\.com)$/i;

export function isAmoAccountHost(host: string): boolean {
  return AMO_HOST_PATTERN.test(host);
}

export function amojoBaseUrlForHost(host: string): string {
  const match = AMO_HOST_PATTERN.exec(host);
  if (!match) throw new Error(`not an amoCRM account host: ${host}`);
  return `https://amojo.${match[1]!.toLowerCase()}`;
}
