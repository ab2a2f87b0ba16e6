/**
 * Bot tokens as @BotFather issues them: `<bot_id>:<secret>`, the bot's numeric id before the colon
 * (telegram.md §1). Issued secrets are 35 characters of [A-Za-z0-9_-] beginning with `AA`, like the
 * tokens BotFather hands out today; the official examples show 34 and the length is not documented
 * [unconfirmed], so any 30–64 such characters have the right shape.
 */
import { randomBytes } from 'node:crypto';

const TOKEN_SHAPE = /^([1-9][0-9]{0,19}):([A-Za-z0-9_-]{30,64})$/;
const SECRET_LENGTH = 35;

/** The bot id of a well-shaped token, or undefined. */
export function botIdOfToken(token: string): number | undefined {
  const match = TOKEN_SHAPE.exec(token);
  if (!match?.[1]) return undefined;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) ? id : undefined;
}

export function mintToken(botId: number): string {
  const secret = `AA${randomBytes(32).toString('base64url')}`.slice(0, SECRET_LENGTH);
  return `${botId}:${secret}`;
}
