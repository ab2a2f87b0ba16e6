/**
 * Signed-in visitors (`user_id` + `user_hash` of `POST /webchat/v1/sessions`): the site computes
 * `user_hash` = hex HMAC-SHA256(identity secret, user_id) on its server, so only the site can claim
 * a user id. A verified user id names one conversation of the account, on every device.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function userHash(identitySecret: string, userId: string): string {
  return createHmac('sha256', identitySecret).update(userId, 'utf8').digest('hex');
}

/** Compared in constant time; a hash of the wrong length or not hex simply does not match. */
export function isValidUserHash(identitySecret: string, userId: string, given: string): boolean {
  const expected = Buffer.from(userHash(identitySecret, userId), 'utf8');
  const actual = Buffer.from(given.toLowerCase(), 'utf8');
  // timingSafeEqual needs equal lengths; compare with itself so a wrong length costs the same.
  return actual.length === expected.length ? timingSafeEqual(actual, expected) : !timingSafeEqual(expected, expected);
}

/** The platform's chat id of a verified user: distinct from anonymous visitors' random ids. */
export const userChatId = (userId: string): string => `user:${userId}`;
